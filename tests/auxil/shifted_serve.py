"""`gangmaker serve` living GANGMAKER_TEST_CLOCK_SHIFT seconds ahead, for checks that wait for a day.

Monday's overview, for one. Only the bot's own clock moves (what its checks, turns and outbox
take as now); APScheduler keeps waking on the wall clock, and signatures and timeouts keep real
time. Run as `python -m tests.auxil.shifted_serve` with the repository on PYTHONPATH.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import bot.assembly
import bot.runner
from bot.cli import main
from storage.models import utcnow

SHIFT = timedelta(seconds=float(os.environ.get("GANGMAKER_TEST_CLOCK_SHIFT", "0")))


def shifted_now() -> datetime:
    return utcnow() + SHIFT


async def assemble_shifted(settings, **options):
    return await bot.assembly.assemble(settings, clock=shifted_now, **options)


if __name__ == "__main__":
    bot.runner.assemble = assemble_shifted
    main(["serve"])
