"""What the bot says on its own initiative, per outbox purpose, in the reader's language.

Each renderer returns the replies for one outbox row, or nothing when the message is no
longer relevant (the call was cancelled, the offer withdrawn).
"""
from __future__ import annotations

from sqlalchemy import select

from bot.context import Context
from bot.i18n import N_
from bot.replies import Button, Message, Reply
from handlers import call_service as calls
from handlers import menu
from handlers.calls import CALL, FEEDBACK, PAUSE_HINT, card, where
from handlers.contributions import describe_offer
from handlers.offers import OFFER
from storage.models import Call, Offer, OutboxMessage

NUDGE = "nudge"


async def render(ctx: Context, row: OutboxMessage) -> list[Reply]:
    renderer = RENDERERS[row.purpose]
    return await renderer(ctx, row)


async def _call(ctx: Context, row: OutboxMessage) -> Call | None:
    return await ctx.session.get(Call, row.payload.get("call_id"))


async def announce(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None or call.state != "published" or ctx.now > call.deadline:
        return []
    if await calls.sign_up_of(ctx.session, call, ctx.person) is not None:
        return []  # answered already (a deep link, the digest) before the push went out
    return [await card(ctx, call, push=True)]


async def reminder(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.person) if call else None
    if call is None or call.state not in ("published", "closed") or sign_up is None or sign_up.state != "joined":
        return []
    t = ctx.t
    text = t(N_("Niet vergeten: {title} begint {start}.\n📍 {place}\n\nKun je toch niet? Laat het weten, "
                "dan geven we je plaats door."),
             title=calls.call_text(call, "title", t.locale), start=t.datetime(call.starts_at), place=where(ctx, call))
    return [Message(text, (Button(f"cancel:{call.id}", t(N_("Ik kan toch niet"))),), token=CALL)]


async def place_offer(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.person) if call else None
    if sign_up is None or sign_up.state != "offered":
        return []
    t = ctx.t
    text = t(N_("Goed nieuws: er is een plaats vrij voor {title} ({start}). Laat het weten vóór {until}. "
                "Wil je de plaats?"),
             title=calls.call_text(call, "title", t.locale), start=t.datetime(call.starts_at),
             until=t.datetime(sign_up.offer_expires_at))
    return [Message(text, (Button(f"confirm:{call.id}", t(N_("Ja, ik kom"))),
                           Button(f"release:{call.id}", t(N_("Geef de plaats door")))), token=CALL)]


async def cancelled(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None:
        return []
    t = ctx.t
    return [Message(t(N_("Jammer: {title} op {start} gaat niet door. Sorry! We laten je weten als er iets nieuws is."),
                      title=calls.call_text(call, "title", t.locale), start=t.datetime(call.starts_at)))]


async def changed(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    if call is None or call.state == "cancelled":
        return []
    t = ctx.t
    intro = t(N_("Er is iets veranderd aan {title}. Dit is de nieuwe informatie:"),
              title=calls.call_text(call, "title", t.locale))
    new = await card(ctx, call)
    return [Message(f"{intro}\n\n{new.text}", new.buttons, token=new.token)]  # one message: sent whole or not


async def followup(ctx: Context, row: OutboxMessage) -> list[Reply]:
    call = await _call(ctx, row)
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.person) if call else None
    if call is None or call.state == "cancelled" or sign_up is None or sign_up.state not in ("joined", "attended"):
        return []  # marked as not come
    t = ctx.t
    text = t(N_("Je deed mee aan {title}. Hoe was het? Geef een score van 1 (niet goed) tot 5 (heel goed)."),
             title=calls.call_text(call, "title", t.locale))
    buttons = tuple(Button(f"{call.id}:{n}", str(n)) for n in range(1, 6))
    return [Message(text + "\n\n" + t(PAUSE_HINT), buttons, token=FEEDBACK)]


async def digest(ctx: Context, row: OutboxMessage) -> list[Reply]:
    t = ctx.t
    open_calls = [call for call in await _open_calls(ctx, row.payload.get("call_ids", []))]
    if not open_calls:
        return []
    lines = [t(N_("Dit zijn de oproepen van deze week die bij je passen:")), ""]
    buttons = []
    for number, call in enumerate(open_calls, start=1):
        lines.append(f"{number}. {calls.call_text(call, 'title', t.locale)}, {t.datetime(call.starts_at)}")
        buttons.append(Button(f"show:{call.id}", t(N_("Bekijk {number}"), number=number)))
    lines += ["", t(PAUSE_HINT)]
    return [Message("\n".join(lines), tuple(buttons), token=CALL)]


async def _open_calls(ctx: Context, ids: list[int]) -> list[Call]:
    if not ids:
        return []
    found = await ctx.session.scalars(select(Call).where(
        Call.id.in_(ids), Call.state == "published", Call.deadline > ctx.now).order_by(Call.starts_at))
    return list(found)


async def nudge(ctx: Context, row: OutboxMessage) -> list[Reply]:
    if ctx.person.onboarded_at is not None:
        return []
    t = ctx.t
    text = t(N_("Je was gisteren begonnen met je profiel. Het duurt nog maar een minuutje. Zullen we verdergaan?"))
    return [Message(text + "\n\n" + t(PAUSE_HINT), (Button("resume", t(N_("Ja, verder"))),), token=NUDGE)]


async def offer_expiry(ctx: Context, row: OutboxMessage) -> list[Reply]:
    offer = await ctx.session.get(Offer, row.payload.get("offer_id"))
    if offer is None or offer.state != "open" or offer.valid_until is None:
        return []
    t = ctx.t
    text = t(N_("Je aanbod loopt af op {date}:\n{offer}\n\nWil je het drie maanden verlengen?"),
             date=t.date(offer.valid_until.date()), offer=describe_offer(offer, t))
    buttons = (Button(f"renew:{offer.id}", t(N_("Verlengen"))), Button(f"withdraw:{offer.id}", t(N_("Intrekken"))))
    return [Message(text + "\n\n" + t(PAUSE_HINT), buttons, token=OFFER)]


RENDERERS = {
    "call": announce, "reminder": reminder, "waitlist_offer": place_offer, "call_cancelled": cancelled,
    "call_changed": changed, "followup": followup, "digest": digest, "nudge": nudge, "offer_expiry": offer_expiry,
}


async def on_nudge_button(ctx: Context, value: str) -> None:
    """“Ja, verder” on the onboarding nudge: show the question where they stopped."""
    if ctx.conversation is not None:
        await ctx.dialogue.render(ctx)
    else:
        menu.show(ctx)

