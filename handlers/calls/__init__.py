"""Calls: coordinators and partners ask people to come and help (the chat, the Slack form, the
command line), residents answer with one tap, places and waitlists are kept, and reminders,
follow-ups and the Monday overview go out on time."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from bot.i18n import N_
from handlers import people
from handlers.calls import coordination, jobs, partners, purposes, pushes, residents
from handlers.calls.cli import call_group
from handlers.calls.coordination import coordinate_buttons
from handlers.calls.partners import approval_buttons, awaiting, start_project_call
from handlers.calls.partners import card as approval_card
from handlers.calls.residents import (
    CALL,
    deep_link,
    deep_link_call,
    join_from_link,
    on_call_button,
    pause_state,
    show_call,
    show_fitting,
    where,
)
from handlers.calls.service import call_text, cancel_sign_up, count
from handlers.common.domain import Role

__all__ = [
    "CALL",
    "PART",
    "approval_buttons",
    "approval_card",
    "awaiting",
    "call_text",
    "cancel_sign_up",
    "coordinate_buttons",
    "count",
    "deep_link",
    "deep_link_call",
    "join_from_link",
    "on_call_button",
    "pause_state",
    "show_call",
    "show_fitting",
    "start_project_call",
    "where",
]

PART = Part(
    name="calls",
    commands=(
        Command(
            ("agenda", "whatson"),
            residents.open_calls,
            N_("Wat loopt er?"),
            for_strangers=lambda ctx: people.look_before_consent(ctx),  # public: anyone may look before a yes
        ),
        Command(("mijnoproepen", "mycalls", "mesappels"), residents.my_calls, N_("Oproepen waaraan je meedoet")),
        Command(("pauze", "pause"), residents.pause, N_("Even geen berichten")),
        Command(("oproep", "newcall"), coordination.start_call, starts_dialogue=True, role=Role.COORDINATOR),
        Command(("oproepen", "calls"), coordination.list_calls, role=Role.COORDINATOR),
    ),
    routes={
        residents.CALL: Route(residents.on_call_button),
        residents.FEEDBACK: Route(residents.on_feedback_button),
        residents.PAUSE: Route(residents.on_pause_button),
        coordination.COORDINATE: Route(coordination.on_coordinate_button, role=Role.COORDINATOR),
        coordination.ATTENDANCE: Route(coordination.on_attendance_button, role=Role.COORDINATOR),
        partners.APPROVE: Route(partners.on_approval_button, role=Role.COORDINATOR),
    },
    flows=(
        residents.FEEDBACK_FLOW,
        coordination.CALL_FLOW,
        coordination.CANCEL_FLOW,
        coordination.MESSAGE_FLOW,
        partners.PARTNER_CALL_FLOW,
    ),
    waiting=(partners.waiting,),
    pushes=(
        Push(purposes.CALL, pushes.announce),
        Push(purposes.REMINDER, pushes.reminder),
        Push(purposes.WAITLIST_OFFER, pushes.place_offer),
        Push(purposes.PLACE_PASSED, pushes.place_passed),
        Push(purposes.CALL_CANCELLED, pushes.cancelled),
        Push(purposes.CALL_CHANGED, pushes.changed),
        Push(purposes.CALL_MESSAGE, pushes.coordinator_message),
        Push(purposes.CALL_ANNOUNCED, pushes.announced),
        Push(purposes.FOLLOWUP, pushes.followup),
        Push(purposes.DIGEST, pushes.digest),
        Push(partners.CALL_APPROVAL, partners.render_approval),
        Push(partners.CALL_APPROVED, partners.render_approved),
    ),
    checks=(
        jobs.end_pauses,
        jobs.publish_scheduled,
        jobs.announce_calls,
        jobs.remind,
        jobs.follow_up,
        jobs.digest,
        jobs.expire_place_offers,
        jobs.close_calls,
    ),
    cli=(call_group,),
)
