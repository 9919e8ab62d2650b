"""What tests and benchmarks start from: a call published straight into the database, and the
answers a coordinator gives the call form in a Slack modal."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.calls import service as call_service
from handlers.rounds import service as round_service
from handlers.rounds.questions import questions_of
from storage.db import session_factory
from storage.models import Call, Round

# The call form's answers as Slack submits them: 13 March 2030, 14.00 to 17.00 Brussels time.
CALL = {
    "title": {"type": "plain_text_input", "value": "Bankjes bouwen"},
    "description": {"type": "plain_text_input", "value": "Samen bouwen aan de Leie."},
    "needs": {"type": "checkboxes", "selected_options": [{"value": "time"}]},
    "neighbourhood": {"type": "static_select", "selected_option": {"value": "heule"}},
    "address": {"type": "plain_text_input", "value": "Groeningestraat 1"},
    "starts_at": {"type": "datetimepicker", "selected_date_time": 1899810000},
    "ends_at": {"type": "datetimepicker", "selected_date_time": 1899820800},
    "capacity": {"type": "number_input", "value": "20"},
    "publish": {"type": "static_select", "selected_option": {"value": "now"}},
}


async def publish_call(engine, settings, now: datetime, **fields) -> Call:
    """A call three days ahead for Heule's residents who give time, published at `now` (its
    announcements queued); `fields` change the coordinator's answers."""
    answers = (
        dict(
            title="Bankjes bouwen",
            description="Samen bouwen.",
            address="Groeningestraat 1",
            neighbourhood="heule",
            needs=["time"],
            starts_at=(now + timedelta(days=3)).isoformat(),
            ends_at=(now + timedelta(days=3, hours=3)).isoformat(),
        )
        | fields
    )
    async with session_factory(engine)() as session, session.begin():
        call = call_service.new_call(answers, None, now)
        session.add(call)
        await session.flush()
        await call_service.publish(session, settings, call, now)
    return call


ROUND_ANSWERS = dict(
    title="Bankjes aan de Leie",
    why="We kiezen samen waar de bankjes komen.",
    q1_kind="scale",
    q1_text="Hoe graag zit je aan het water?",
    q1_ends="helemaal niet, heel graag",
    q2_kind="one",
    q2_text="Een rugleuning?",
    q2_options="Ja, Nee",
    q3_kind="open",
    q3_text="Waar zou jij een bankje zetten?",
)


async def publish_round(engine, settings, now: datetime, **fields) -> Round:
    """Three questions about the Leie banks for everyone who thinks along, open for a week and sent
    at `now` (its first batch queued); `fields` change the owner's answers."""
    answers = ROUND_ANSWERS | {"closes_at": (now + timedelta(days=7)).isoformat()} | fields
    async with session_factory(engine)() as session, session.begin():
        round_ = round_service.new_round(answers, questions_of(answers), None, now)
        session.add(round_)
        await session.flush()
        await round_service.publish(session, settings, round_, now)
    return round_
