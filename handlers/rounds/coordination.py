"""Coordinators keep track of rounds (`/bevragingen`): each with its state, how many answered and how
far it reached; one closes now, and one not sent yet can be cancelled."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Confirm, short
from handlers.common.domain import RoundState, small_count
from handlers.common.reach import lines as reach_lines
from handlers.rounds import outcome, picking, service
from handlers.rounds.partners import approval_buttons
from handlers.rounds.questions import Kind
from storage.models import Round, RoundResponse

COORDINATE = "rcoord"  # route: Action.of(COORDINATE, "show" | "written" | "close" | "cancel", round id)
STATE_LABELS = {
    RoundState.DRAFT: N_("nog niet verstuurd"),
    RoundState.AWAITING: N_("wacht op goedkeuring"),
    RoundState.SCHEDULED: N_("ingepland"),
    RoundState.OPEN: N_("loopt"),
    RoundState.CLOSED: N_("gesloten"),
    RoundState.CANCELLED: N_("geannuleerd"),
}
NOT_SENT = (RoundState.DRAFT, RoundState.SCHEDULED)  # cancelled with "Annuleren"; awaiting ones are refused


def answered(count: int) -> str:
    """How many answered, as anyone may read it."""
    return str(small_count(count))


async def counts(session: AsyncSession, rounds: list[Round]) -> dict[int, int]:
    """How many answered each round, in one query."""
    rows = await session.execute(
        select(RoundResponse.round_id, func.count(RoundResponse.id))
        .where(RoundResponse.round_id.in_([round_.id for round_ in rounds]))
        .group_by(RoundResponse.round_id)
    )
    return {round_id: count for round_id, count in rows.all()}


async def list_rounds(ctx: Context) -> None:
    """/bevragingen: every round in one message, the soonest to close first; a tap opens one."""
    t = ctx.t
    found = list(await ctx.session.scalars(select(Round).order_by(Round.closes_at, Round.id)))
    if not found:
        ctx.say(t(N_("Er zijn nog geen bevragingen. Maak er een met /vraag.")))
        return
    answers = await counts(ctx.session, found)
    lines = [t(N_("Dit zijn de bevragingen. Tik op een bevraging om ze te beheren."))]
    for round_ in found:
        lines.append(
            t(
                N_("#{id} {title} – tot {closes} – {state} – antwoorden: {answered}"),
                id=round_.id,
                title=round_.title,
                closes=t.datetime(round_.closes_at),
                state=t(STATE_LABELS[RoundState(round_.state)]),
                answered=answered(answers.get(round_.id, 0)),
            )
        )
    ctx.say("\n".join(lines), [_button(f"#{round_.id} {short(round_.title, 30)}", "show", round_) for round_ in found])


async def show_round(ctx: Context, round_: Round) -> None:
    """One round for a coordinator: its state, until when, how many answered, how far it reached."""
    t = ctx.t
    text = t(
        N_("#{id} {title}\n{state} – antwoorden tot {closes}\nAntwoorden: {answered}"),
        id=round_.id,
        title=round_.title,
        state=t(STATE_LABELS[RoundState(round_.state)]),
        closes=t.datetime(round_.closes_at),
        answered=answered(await service.respondents(ctx.session, round_)),
    )
    reached = reach_lines(t, await service.reach(ctx.session, round_, ctx.now)) if round_.published_at else []
    ctx.say("\n".join([text, *reached]), coordinate_buttons(ctx, round_))


def coordinate_buttons(ctx: Scope, round_: Round) -> tuple[Button, ...]:
    """What a coordinator can do with a round now: close it while it runs, cancel it before it is
    sent, approve or refuse a partner's."""
    t = ctx.t
    written = (
        (_button(t(N_("Open antwoorden")), "written", round_),)
        if any(question["kind"] == Kind.OPEN for question in round_.questions)
        else ()
    )
    if round_.state == RoundState.OPEN:
        confirm = Confirm(
            t(N_("Sluiten?")), t(N_("Daarna komen er geen antwoorden meer bij.")), t(N_("Ja, sluiten")), t(N_("Nee"))
        )
        return (_button(t(N_("Sluiten")), "close", round_, confirm), *written)
    if round_.state == RoundState.CLOSED:
        return written
    if round_.state in NOT_SENT:
        confirm = Confirm(
            t(N_("Annuleren?")), t(N_("De vragen gaan dan niet uit.")), t(N_("Ja, annuleren")), t(N_("Nee"))
        )
        return (_button(t(N_("Annuleren")), "cancel", round_, confirm),)
    if round_.state == RoundState.AWAITING:
        return approval_buttons(ctx, round_)
    return ()


def _button(label: str, verb: str, round_: Round, confirm: Confirm | None = None) -> Button:
    return Button(
        label, Action.of(COORDINATE, verb, round_.id), style="danger" if verb == "cancel" else None, confirm=confirm
    )


async def on_coordinate_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    round_ = await ctx.find(Round, tapped.id)
    if round_ is None or tapped.verb not in ("show", "written", "close", "cancel"):
        raise Expired()
    if tapped.verb == "show":
        await show_round(ctx, round_)
    elif tapped.verb == "written" and round_.state in (RoundState.OPEN, RoundState.CLOSED):
        await picking.show_written(ctx, round_)
    elif tapped.verb == "close" and round_.state == RoundState.OPEN:
        await outcome.close(ctx.session, ctx.settings, round_, ctx.now)
        ctx.say(t(N_("De bevraging is gesloten. Er komen geen antwoorden meer bij.")))
    elif tapped.verb == "cancel" and round_.state in NOT_SENT:
        service.cancel(round_, ctx.now)
        ctx.say(t(N_("De bevraging is geannuleerd. De vragen gaan niet uit.")))
    else:  # an older message: the round moved on since
        state = t(STATE_LABELS[RoundState(round_.state)])
        ctx.notice(t(N_("Dat gaat niet meer. De bevraging staat nu op “{state}”."), state=state))
