"""Rounds ("Meedenken"): coordinators and partners ask residents a few questions, residents answer
in the chat one tap at a time, the owner sees the results live, and everyone who answered hears
what was done with it."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from handlers.common.domain import Role
from handlers.rounds import answering, asking, coordination, jobs, live, outcome, partners, picking, purposes
from handlers.rounds.cli import round_group
from handlers.rounds.overview import SOURCE as OVERVIEW
from handlers.rounds.overview import in_overview
from handlers.rounds.partners import start_project_round
from handlers.rounds.personal import answers_of_person, forget_person
from handlers.rounds.public import PublicRound, project_reach, public_rounds
from handlers.rounds.results import Figures, option_label
from handlers.rounds.results import gather as results_of

__all__ = [
    "OVERVIEW",
    "PART",
    "Figures",
    "PublicRound",
    "answers_of_person",
    "forget_person",
    "in_overview",
    "option_label",
    "project_reach",
    "public_rounds",
    "results_of",
    "start_project_round",
]

PART = Part(
    name="rounds",
    commands=(
        Command(("vraag", "ask"), asking.start_round, starts_dialogue=True, role=Role.COORDINATOR),
        Command(("bevragingen", "rounds"), coordination.list_rounds, role=Role.COORDINATOR),
    ),
    routes={
        answering.ROUND: Route(answering.on_round_button),
        coordination.COORDINATE: Route(coordination.on_coordinate_button, role=Role.COORDINATOR),
        partners.APPROVE: Route(partners.on_approval_button, role=Role.COORDINATOR),
        picking.PICK: Route(picking.on_pick_button, role=Role.COORDINATOR),
        outcome.OUTCOME: Route(outcome.on_outcome_button),
    },
    flows=(asking.ROUND_FLOW, partners.PARTNER_ROUND_FLOW, answering.ANSWER_FLOW, outcome.OUTCOME_FLOW),
    pushes=(
        Push(purposes.ROUND, answering.announce),
        Push(purposes.ROUND_APPROVAL, partners.render_approval),
        Push(purposes.ROUND_APPROVED, partners.render_approved),
        Push(purposes.ROUND_CARD, live.render_card),
        Push(purposes.ROUND_CLOSED, outcome.render_closed),
        Push(purposes.ROUND_RESULT, outcome.render_result),
        Push(purposes.ROUND_OUTCOME_DUE, outcome.render_due),
    ),
    checks=(
        jobs.publish_scheduled_rounds,
        jobs.announce_rounds,
        jobs.close_rounds,
        live.redraw_cards,
        outcome.remind_outcomes,
        outcome.tell_outcomes,
    ),
    running=(answering.open_rounds,),
    waiting=(partners.waiting,),
    cli=(round_group,),
)
