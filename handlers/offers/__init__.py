"""Offers: time, expertise, money, material or space a person gives; their card in the partners'
room with "Contact opnemen"; and offers that run out."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from bot.i18n import N_
from handlers.common.domain import Role
from handlers.offers import board, expiry, offering
from handlers.offers.offering import OFFER, describe_offer
from handlers.offers.offering import starter as offer_starter

__all__ = ["OFFER", "PART", "describe_offer", "offer_starter"]

PART = Part(
    name="offers",
    commands=(
        Command(("tijd", "time", "temps"), offering.starter("time"), N_("Tijd geven"), starts_dialogue=True),
        Command(
            ("kennis", "expertise", "competences"),
            offering.starter("expertise"),
            N_("Kennis of talent delen"),
            starts_dialogue=True,
        ),
        Command(
            ("geven", "give", "donner"),
            offering.starter("gift"),
            N_("Geld, materiaal of een ruimte geven"),
            starts_dialogue=True,
        ),
    ),
    routes={
        offering.OFFER: Route(offering.on_offer_button),
        board.CONTACT: Route(board.on_contact_button, role=Role.PARTNER),
    },
    flows=(lambda settings: offering.offer_flows(settings.max_text_length),),
    pushes=(
        Push(offering.OFFER_CARD, board.render_offer_card),
        Push(expiry.OFFER_EXPIRY, expiry.render_expiry),
    ),
    checks=(expiry.offer_expiry,),
)
