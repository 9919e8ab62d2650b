"""Flooding: someone sending more than the limit (FLOOD_LIMIT, "40/minute") is told once and not
read until the window has room again; everyone else is answered as usual (`limits`, in memory)."""

from __future__ import annotations

from enum import Enum

from limits import RateLimitItem, parse, storage, strategies


class Verdict(Enum):
    READ = "read"
    WARN = "warn"  # over the limit: the one notice of this window
    DROP = "drop"  # over the limit and told already


class FloodGuard:
    """A moving window per person, in this process (each instance guards its own share)."""

    def __init__(self, rate: str) -> None:
        self.limit = parse(rate)
        self.notice: RateLimitItem = type(self.limit)(1, self.limit.multiples)
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def check(self, who: str) -> Verdict:
        if self.limiter.hit(self.limit, who):
            return Verdict.READ
        return Verdict.WARN if self.limiter.hit(self.notice, "told", who) else Verdict.DROP
