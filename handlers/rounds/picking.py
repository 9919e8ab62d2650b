"""Coordinators pick which open answers of a round the public page shows (`/bevraging <nummer>`):
each answer with a button that puts it on the page or takes it off. None is shown unless picked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.context import Context
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Message, short
from handlers.common.domain import RoundState
from storage.models import Round, RoundAnswer

PICK = "rpick"  # route: Action.of(PICK, "show" | "hide", round id, answer id)
SHOWN = 15  # answers listed at once, the newest first
LISTED = 10  # rounds listed when no number is given


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


async def _which(ctx: Context) -> None:
    """No round (or an unknown one) named: the newest rounds with their numbers."""
    t = ctx.t
    found = list(
        await ctx.session.scalars(
            select(Round)
            .where(Round.state.in_((RoundState.OPEN, RoundState.CLOSED)))
            .order_by(Round.id.desc())
            .limit(LISTED)
        )
    )
    if not found:
        ctx.say(t(N_("Er is nog geen bevraging verstuurd. Maak er een met /vraag.")))
        return
    lines = [t(N_("Welke bevraging? Typ /bevraging en het nummer, bijvoorbeeld /bevraging {id}."), id=found[0].id)]
    lines += [f"#{round_.id} {short(round_.title, 60)}" for round_ in found]
    ctx.say("\n".join(lines))


async def show_written(ctx: Context) -> None:
    """/bevraging NUMMER: the round's open answers, each with its button for the public page."""
    t = ctx.t
    argument = (ctx.event.argument or "").strip().lstrip("#")
    round_ = await ctx.find(Round, int(argument)) if argument.isdecimal() and len(argument) < 10 else None
    if round_ is None or round_.state not in (RoundState.OPEN, RoundState.CLOSED):
        await _which(ctx)
        return
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
