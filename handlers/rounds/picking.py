"""Coordinators pick which open answers of a round the public page shows (from its view in /bevragingen):
each answer with a button that puts it on the page or takes it off. None is shown unless picked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.context import Context
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Message
from storage.models import Round, RoundAnswer

PICK = "rpick"  # route: Action.of(PICK, "show" | "hide", round id, answer id)
SHOWN = 15  # answers listed at once, the newest first


def _written(round_: Round) -> list[Any]:
    """The conditions for the round's open answers that still have their text."""
    return [RoundAnswer.round_id == round_.id, RoundAnswer.option.is_(None), RoundAnswer.text.is_not(None)]


def _answer_message(ctx: Context, round_: Round, answer: RoundAnswer, replace: bool = False) -> Message:
    t = ctx.t
    picked = answer.id in (round_.picked or ())
    text = f"“{answer.text}”"
    if picked:
        text += "\n" + t(N_("✅ Staat op de publieke pagina."))
    button = (
        Button(t(N_("Niet meer tonen")), Action.of(PICK, "hide", round_.id, answer.id))
        if picked
        else Button(t(N_("Tonen op de pagina")), Action.of(PICK, "show", round_.id, answer.id), style="primary")
    )
    return Message(text, (button,), replace="message" if replace else None)


async def show_written(ctx: Context, round_: Round) -> None:
    """A round's open answers, each with its button for the public page (from the round's view)."""
    t = ctx.t
    total = await ctx.session.scalar(select(func.count(RoundAnswer.id)).where(*_written(round_))) or 0
    if not total:
        ctx.say(t(N_("“{title}” heeft nog geen open antwoorden."), title=round_.title))
        return
    answers = list(
        await ctx.session.scalars(
            select(RoundAnswer).where(*_written(round_)).order_by(RoundAnswer.id.desc()).limit(SHOWN)
        )
    )
    counted = (
        t(N_("“{title}”: {total} open antwoorden."), title=round_.title, total=total)
        if total <= SHOWN
        else t(
            N_("“{title}”: {total} open antwoorden, hier de {shown} nieuwste."),
            title=round_.title,
            total=total,
            shown=SHOWN,
        )
    )
    rule = t(N_("Kies wat op de publieke pagina mag. Het komt er pas als de bevraging gesloten is, zonder naam."))
    ctx.say(f"{counted} {rule}")
    for answer in answers:
        ctx.send(_answer_message(ctx, round_, answer))


async def on_pick_button(ctx: Context, tapped: Action) -> None:
    """Put an open answer on the public page, or take it off; only an open answer of that round."""
    # Locked, so that two coordinators picking at once both count.
    round_ = (
        await ctx.session.scalar(select(Round).where(Round.id == tapped.id).with_for_update()) if tapped.id else None
    )
    answer_id = tapped.arg(1)
    answer = await ctx.find(RoundAnswer, int(answer_id)) if answer_id.isdecimal() and len(answer_id) < 10 else None
    if (
        round_ is None
        or answer is None
        or tapped.verb not in ("show", "hide")
        or answer.round_id != round_.id
        or answer.option is not None
        or answer.text is None
    ):
        raise Expired()
    others = [picked for picked in round_.picked or () if picked != answer.id]
    round_.picked = [*others, answer.id] if tapped.verb == "show" else others
    ctx.send(_answer_message(ctx, round_, answer, replace=True))
