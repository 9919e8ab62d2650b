"""What a handler raises to end its answer with one the core gives: `Expired` for a button whose row is gone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.i18n import N_

if TYPE_CHECKING:
    from bot.context import Context

EXPIRED = N_("Deze knop is verlopen.")


class Expired(Exception):
    """A tapped button whose row is gone, or that was forged: the person gets a short notice."""

    def answer(self, ctx: Context) -> None:
        ctx.notice(ctx.t(EXPIRED))


@contextmanager
def answering_expired(ctx: Context) -> Iterator[None]:
    """Run a handler; when it raises `Expired`, its notice is the answer and the turn goes on as if
    the handler had returned: what it wrote before stays in the transaction, and commits with it."""
    try:
        yield
    except Expired as expired:
        expired.answer(ctx)
