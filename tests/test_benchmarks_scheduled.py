"""The scheduled broadcast benchmark at a tiny size, so it cannot rot (never timed)."""

import pytest

from benchmarks import broadcast
from handlers.calls import service as call_service
from tests.test_benchmarks import url_of

pytestmark = pytest.mark.load


async def test_a_scheduled_broadcast_reaches_everyone_once_and_tells_the_coordinator(engine, monkeypatch):
    monkeypatch.setattr(call_service, "ANNOUNCE_BATCH", 5)  # more than a batch: the background goes on
    figures = await broadcast.scheduled(12, 0, 2, url_of(engine), 30, 25)
    assert (figures["sent"], figures["reached"], figures["repeated"], figures["coordinator"]) == (12, 12, 0, 1)
