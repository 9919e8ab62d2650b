"""Rounds ("Meedenken"): coordinators and partners ask residents a few questions, residents answer
in the chat one tap at a time, the owner sees the results live, and everyone who answered hears
what was done with it."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from handlers.common.domain import Role
from handlers.rounds import answering, asking, jobs, picking, purposes
from handlers.rounds.personal import answers_of_person, forget_person
from handlers.rounds.public import PublicRound, project_reach, public_rounds

__all__ = ["PART", "PublicRound", "answers_of_person", "forget_person", "project_reach", "public_rounds"]

PART = Part(
    name="rounds",
    commands=(
        Command(("vraag", "ask"), asking.start_round, starts_dialogue=True, role=Role.COORDINATOR),
        Command(("bevraging", "round"), picking.show_written, role=Role.COORDINATOR),
    ),
    routes={
        answering.ROUND: Route(answering.on_round_button),
        picking.PICK: Route(picking.on_pick_button, role=Role.COORDINATOR),
    },
    flows=(asking.ROUND_FLOW, answering.ANSWER_FLOW),
    pushes=(Push(purposes.ROUND, answering.announce),),
    checks=(jobs.publish_scheduled_rounds, jobs.announce_rounds, jobs.close_rounds),
)
