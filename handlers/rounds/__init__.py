"""Rounds ("Meedenken"): coordinators and partners ask residents a few questions, residents answer
in the chat one tap at a time, the owner sees the results live, and everyone who answered hears
what was done with it."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from handlers.common.domain import Role
from handlers.rounds import answering, asking, jobs, live, outcome, purposes
from handlers.rounds.results import Figures, option_label
from handlers.rounds.results import gather as results_of

# For other features (the public page, the report): a round's results under the small-group rule,
# and an option's label in a reader's language.
__all__ = ["PART", "Figures", "option_label", "results_of"]

PART = Part(
    name="rounds",
    commands=(Command(("vraag", "ask"), asking.start_round, starts_dialogue=True, role=Role.COORDINATOR),),
    routes={answering.ROUND: Route(answering.on_round_button), outcome.OUTCOME: Route(outcome.on_outcome_button)},
    flows=(asking.ROUND_FLOW, answering.ANSWER_FLOW, outcome.OUTCOME_FLOW),
    pushes=(
        Push(purposes.ROUND, answering.announce),
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
    ),
)
