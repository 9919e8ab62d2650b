"""What tests and benchmarks start from: a call or a question round published straight into the
database, a round's answers and its closing, and the answers a coordinator gives the call form in a
Slack modal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from handlers.calls import service as call_service
from handlers.rounds import service as round_service
from storage.db import session_factory
from storage.models import Call, Identity, Person, Round

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
    announcements queued); `fields` change the coordinator's answers, `project_id` ties it to a project."""
    project_id = fields.pop("project_id", None)
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
        call.project_id = project_id
        session.add(call)
        await session.flush()
        await call_service.publish(session, settings, call, now)
    return call


# A round of three questions about benches by the Leie: a scale, yes or no (or something else), and
# a short open answer.
QUESTIONS = [
    {"kind": "scale", "text": "Hoe graag zit je aan het water?", "ends": ["helemaal niet", "heel graag"]},
    {"kind": "one", "text": "Moeten de bankjes een rugleuning hebben?", "options": ["Ja", "Nee"], "other": True},
    {"kind": "open", "text": "Waar zou jij een bankje zetten?"},
]


async def publish_round(engine, settings, now: datetime, questions=None, **fields) -> Round:
    """A round for everyone who thinks along, open for a week from `now` (its announcements
    queued); `fields` change the owner's answers, `project_id` ties it to a project."""
    project_id = fields.pop("project_id", None)
    answers = (
        dict(
            title="Bankjes aan de Leie",
            why="We kiezen samen waar de bankjes komen.",
            closes_at=(now + timedelta(days=7)).isoformat(),
        )
        | fields
    )
    async with session_factory(engine)() as session, session.begin():
        round_ = round_service.new_round(answers, questions or QUESTIONS, None, now)
        round_.project_id = project_id
        session.add(round_)
        await session.flush()
        await round_service.publish(session, settings, round_, now)
    return round_


async def answer_round(
    engine, round_id: int, answers: list[dict[int, Any]], now: datetime, neighbourhood="heule", role="resident"
) -> None:
    """People made for it answer the round, one dict each from question number (from 0) to the
    value as the answering dialogue keeps it ("4", "0", "other" with its text as a pair, a list of
    choices, an open text)."""
    async with session_factory(engine)() as session, session.begin():
        round_ = await session.get(Round, round_id)
        assert round_ is not None
        for n, given in enumerate(answers):
            person = Person(
                display_name=f"Meedenker {round_id}-{n}",
                neighbourhood=neighbourhood,
                role=role,
                level="strategic",
                consent_at=now,
                consent_version="2026-11",
                onboarded_at=now,
                last_active_at=now,
            )
            session.add(person)
            await session.flush()
            response = await round_service.respond(session, round_, person, now)
            for number, value in given.items():
                value, other = value if isinstance(value, tuple) else (value, None)
                await round_service.record(session, round_, response, number, value, now, other=other)
            response.completed_at = now


async def close_round(engine, round_id: int, now: datetime, outcome: str | None = None) -> None:
    """The round closed at `now`, and what its owner will do with the answers, if written."""
    async with session_factory(engine)() as session, session.begin():
        round_ = await session.get(Round, round_id)
        assert round_ is not None
        round_.state, round_.closed_at = "closed", now
        if outcome is not None:
            round_.outcome, round_.outcome_at = outcome, now


async def person_of(engine, telegram_id: int) -> int:
    """The person behind a Telegram user of the tests."""
    async with session_factory(engine)() as session:
        found = await session.scalar(
            select(Identity.person_id).where(Identity.channel == "telegram", Identity.external_id == str(telegram_id))
        )
    assert found is not None
    return found
