"""The outbox's decisions that need no database: when quiet hours let a message go, and how
outcomes are written in batches."""

import asyncio
from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.outbox import GroupCommit, after_quiet_hours

BRUSSELS = ZoneInfo("Europe/Brussels")
NIGHTS = SimpleNamespace(quiet_start=21 * 60, quiet_end=9 * 60)  # the default: 21.00 to 9.00


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(10, 22, 30), local(11, 9)),  # late evening: tomorrow morning
        (local(10, 21, 0), local(11, 9)),  # the first quiet minute
        (local(10, 7, 30), local(10, 9)),  # early morning: this morning
        (local(10, 0, 0), local(10, 9)),
        (local(10, 20, 59), local(10, 20, 59)),  # not quiet yet: at once
        (local(10, 9, 0), local(10, 9, 0)),  # the first minute after
        (local(10, 12, 0), local(10, 12, 0)),
    ],
)
def test_quiet_hours_over_midnight_hold_a_message_until_they_end(now, expected):
    assert after_quiet_hours(now, NIGHTS, "Europe/Brussels") == expected


def test_quiet_hours_within_a_day_hold_a_message_until_they_end_that_day():
    afternoon_nap = SimpleNamespace(quiet_start=13 * 60, quiet_end=15 * 60)
    assert after_quiet_hours(local(10, 14), afternoon_nap, "Europe/Brussels") == local(10, 15)
    assert after_quiet_hours(local(10, 15), afternoon_nap, "Europe/Brussels") == local(10, 15)
    assert after_quiet_hours(local(10, 12, 59), afternoon_nap, "Europe/Brussels") == local(10, 12, 59)
    assert after_quiet_hours(local(10, 23), afternoon_nap, "Europe/Brussels") == local(10, 23)


@pytest.mark.parametrize("hour", [0, 3, 9, 21, 23])
def test_no_quiet_hours_when_they_start_and_end_at_the_same_minute(hour):
    none = SimpleNamespace(quiet_start=0, quiet_end=0)
    assert after_quiet_hours(local(10, hour), none, "Europe/Brussels") == local(10, hour)


def test_quiet_hours_are_the_person_s_local_time_and_the_answer_keeps_the_zone_it_was_asked_in():
    late_in_kortrijk = datetime(2027, 3, 10, 21, 30, tzinfo=timezone.utc)  # 22.30 in Kortrijk, 16.30 in New York
    woken = after_quiet_hours(late_in_kortrijk, NIGHTS, "Europe/Brussels")
    assert woken == datetime(2027, 3, 11, 8, 0, tzinfo=timezone.utc) and woken.tzinfo is timezone.utc
    assert after_quiet_hours(late_in_kortrijk, NIGHTS, "America/New_York") == late_in_kortrijk


def test_the_night_the_clocks_go_forward_ends_at_nine_summer_time():
    night = datetime(2027, 3, 27, 21, 0, tzinfo=timezone.utc)  # 22.00 on Saturday, before summer time starts
    assert after_quiet_hours(night, NIGHTS, "Europe/Brussels") == datetime(2027, 3, 28, 7, 0, tzinfo=timezone.utc)


async def test_a_lone_outcome_is_written_at_once_and_those_arriving_meanwhile_share_the_next_write():
    batches: list[list[str]] = []
    first_write_started, release_first = asyncio.Event(), asyncio.Event()

    async def write(batch: list[str]) -> None:
        batches.append(batch)
        if len(batches) == 1:
            first_write_started.set()
            await release_first.wait()

    commit = GroupCommit(write)
    lone = asyncio.create_task(commit.add("a"))
    await first_write_started.wait()
    waiting = [asyncio.create_task(commit.add(item)) for item in ("b", "c", "d")]
    await asyncio.sleep(0)  # they queue behind the write in progress
    release_first.set()
    await asyncio.gather(lone, *waiting)
    assert batches == [["a"], ["b", "c", "d"]]


async def test_a_failed_write_fails_every_caller_in_its_batch_and_not_the_next():
    batches: list[list[str]] = []
    first_write_started, release_first = asyncio.Event(), asyncio.Event()

    async def write(batch: list[str]) -> None:
        batches.append(batch)
        if len(batches) == 1:
            first_write_started.set()
            await release_first.wait()
        elif len(batches) == 2:
            raise ConnectionError("the database blinked")

    commit = GroupCommit(write)
    first = asyncio.create_task(commit.add("a"))
    await first_write_started.wait()
    failing = [asyncio.create_task(commit.add(item)) for item in ("b", "c")]
    await asyncio.sleep(0)
    release_first.set()
    results = await asyncio.gather(first, *failing, return_exceptions=True)
    assert [type(result) for result in results] == [type(None), ConnectionError, ConnectionError]
    await commit.add("d")  # the failure does not stick
    assert batches == [["a"], ["b", "c"], ["d"]]
