"""What tests and benchmarks start from: a call published straight into the database, and the
answers a coordinator gives the call form in a Slack modal."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.calls import service as call_service
from storage.db import session_factory
from storage.models import Call

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
