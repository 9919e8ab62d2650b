"""Calls for participation as residents see them: the call card, one-tap answers, “mijn oproepen”.

Also the buttons on pushes about calls (a freed place, the follow-up rating) and `/pauze`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.app import command_action
from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Card, CardLine, Document
from handlers.calls import service as calls
from handlers.calls.calendar import ics
from handlers.common.domain import HOLDING, OPEN, TOOK_PART, CallState, SignUpState
from handlers.common.options import NEIGHBOURHOODS, THEMES, label
from handlers.common.pushing import PAUSE_HINT
from storage.models import Call, Feedback, SignUp

CALL = "call"  # route of call buttons: Action.of(CALL, "join", call id)
FEEDBACK = "fb"  # Action.of(FEEDBACK, rating, call id)
SEEN = (*OPEN, CallState.CANCELLED)  # calls residents may have heard of; a draft is nobody's business yet
PAUSE = "pause"
MAX_LISTED = 5  # call cards in one answer to /agenda


def deep_link(call_id: int) -> str:
    """What follows /start in a link that opens a call (a poster's QR code)."""
    return f"c{call_id}"


def deep_link_call(payload: str) -> int | None:
    """The call a /start payload opens, or None."""
    return int(payload[1:]) if re.fullmatch(r"c\d{1,9}", payload) else None


def call_button(label: str, verb: str, call: Call) -> Button:
    return Button(label, Action.of(CALL, verb, call.id))


def where(ctx: Scope, call: Call) -> str:
    return place(ctx, call.address, call.neighbourhood)


def place(ctx: Scope, address: str, neighbourhood: str | None) -> str:
    """An address with its neighbourhood, as people read it: "Groeningestraat 1 (Heule)"."""
    return f"{address} ({ctx.t(label(NEIGHBOURHOODS, neighbourhood))})" if neighbourhood else address


def full_address(call: Call) -> str:
    """The address with the city, for a map or a calendar."""
    return f"{call.address}, Kortrijk"


def map_link(call: Call) -> str:
    return "https://www.openstreetmap.org/search?query=" + quote(full_address(call))


def why(ctx: Scope, call: Call) -> str:
    """Why this call reaches the reader: the themes and the neighbourhood they chose that it targets."""
    person, t = ctx.person, ctx.t
    if person is None:
        return ""
    themes = [t(label(THEMES, theme)) for theme in call.themes or () if theme in (person.interests or ())]
    place = (
        t(label(NEIGHBOURHOODS, person.neighbourhood))
        if person.neighbourhood and person.neighbourhood in (call.target_neighbourhoods or ())
        else ""
    )
    if themes and place:
        return t(N_("Omdat je koos voor {themes} in {place}."), themes=", ".join(themes), place=place)
    if themes or place:
        return t(N_("Omdat je koos voor {themes}."), themes=", ".join(themes) or place)
    return ""


def buttons(
    ctx: Scope, call: Call, left: int | None, *, info: bool = True, sign_up: SignUp | None = None
) -> tuple[Button, ...]:
    """Join (or the waitlist when it is full) and not now; for who is in or waits already, a way
    out (or to take the place offered) instead; more info, calendar."""
    t = ctx.t
    state = sign_up.state if sign_up is not None else None
    if state == SignUpState.OFFERED:
        answers = [
            call_button(t(N_("Ja, ik kom")), "confirm", call),
            call_button(t(N_("Geef de plaats door")), "release", call),
        ]
    elif state in (SignUpState.JOINED, SignUpState.WAITLISTED):
        answers = [call_button(t(N_("Ik kan toch niet")), "cancel", call)]
    else:
        join = t(N_("Op de wachtlijst")) if left == 0 else t(N_("Ik doe mee"))
        answers = [
            Button(join, Action.of(CALL, "join", call.id), style="primary"),
            call_button(t(N_("Niet nu")), "no", call),
        ]
    return (
        *answers,
        *((call_button(t(N_("Meer info")), "info", call),) if info else ()),
        call_button(t(N_("In mijn agenda")), "ics", call),
    )


async def sign_up_line(ctx: Scope, call: Call, sign_up: SignUp | None) -> CardLine | None:
    """Where the reader stands with the call, when they answered it: in, waiting, or a place offered."""
    t = ctx.t
    if sign_up is None or call.state not in OPEN:
        return None
    if sign_up.state in (SignUpState.JOINED, SignUpState.ATTENDED):
        return CardLine(t(N_("Je doet mee.")), icon="✅")
    if sign_up.state == SignUpState.WAITLISTED:
        position = await calls.waitlist_position(ctx.session, sign_up)
        return CardLine(t(N_("Je staat op de wachtlijst, op plaats {position}."), position=position), icon="⏳")
    if sign_up.state == SignUpState.OFFERED and sign_up.offer_expires_at is not None:
        return CardLine(
            t(
                N_("Er is een plaats vrij voor jou. Laat het weten vóór {until}."),
                until=t.datetime(sign_up.offer_expires_at),
            ),
            icon="✅",
        )
    return None


async def sign_up_of(ctx: Scope, call: Call) -> SignUp | None:
    """The reader's answer to the call, if they are known and gave one."""
    return await calls.sign_up_of(ctx.session, call, ctx.person) if ctx.person is not None else None


async def card(ctx: Scope, call: Call, *, push: bool = False, lead: str = "") -> Card:
    """The call on its own: what, when, where, places left, deadline, why the reader gets it,
    then the buttons."""
    t = ctx.t
    sign_up = await sign_up_of(ctx, call)
    standing = await sign_up_line(ctx, call, sign_up)
    lines = [
        *((standing,) if standing else ()),
        CardLine(
            t.span(call.starts_at, call.ends_at),
            t(N_("Wanneer")),
            "🗓",
        ),
        CardLine(where(ctx, call), t(N_("Waar")), "📍"),
        CardLine(map_link(call)),
    ]
    left = await calls.places_left(ctx.session, call)
    if left is not None:
        lines.append(
            CardLine(t(N_("Vrije plaatsen: {n}."), n=left) if left else t(N_("Volzet. Je kunt op de wachtlijst.")))
        )
    if standing is None:  # who is in or waits has no use for the deadline
        lines.append(CardLine(t(N_("Inschrijven kan tot {deadline}."), deadline=t.datetime(call.deadline))))
    reason = why(ctx, call)
    if reason:
        lines.append(CardLine(reason, icon="🎯"))
    return Card(
        calls.call_text(call, "title", t.locale),
        tuple(lines),
        buttons(ctx, call, left, sign_up=sign_up),
        icon="📣",
        lead=lead,
        footer=t(PAUSE_HINT) if push else "",
    )


def not_taking_place(ctx: Scope, call: Call) -> str:
    """A cancelled call, with the coordinator's reason when they gave one."""
    t = ctx.t
    text = t(N_("Deze activiteit gaat niet door. Sorry!"))
    return text + ("\n" + t(N_("De reden: {reason}"), reason=call.cancel_reason) if call.cancel_reason else "")


async def show_call(ctx: Context, call_id: int, lead: str = "") -> Call | None:
    """The public call a link or button names (published or closed); for any other, say why not."""
    t = ctx.t
    call = await ctx.session.get(Call, call_id)
    if call is not None and call.state in (CallState.PUBLISHED, CallState.CLOSED):
        ctx.send(await card(ctx, call, lead=lead))
        return call
    if call is not None and call.state == CallState.SCHEDULED:
        ctx.say(t(N_("Deze oproep staat nog niet open. Kijk binnenkort nog eens.")))
    elif call is not None and call.state == CallState.CANCELLED:
        ctx.say(not_taking_place(ctx, call))
    else:  # never published (a draft) or no such call: nothing to show
        ctx.say(t(N_("Deze oproep vind ik niet. Kijk of de link klopt.")))
    return None


async def join_from_link(ctx: Context, call_id: int) -> None:
    """Join the call whose link brought a newcomer (who just said yes and gave a name)."""
    call = await ctx.session.get(Call, call_id)
    if call is None or call.state not in (CallState.PUBLISHED, CallState.CLOSED):
        await show_call(ctx, call_id)  # says why it cannot be joined
    else:
        await _answer(ctx, call, "join")


async def on_call_button(ctx: Context, tapped: Action) -> None:
    """One tap on a call: join, not now, more info, calendar, or a waitlist answer."""
    t = ctx.t
    action = tapped.verb
    call = await ctx.find(Call, tapped.id)
    if call is None or call.state not in SEEN:  # a forged or guessed id
        raise Expired()
    if call.state == CallState.CANCELLED and action in ("info", "ics", "show"):
        ctx.say(not_taking_place(ctx, call))
    elif action == "show":
        await show_call(ctx, call.id)
    elif action == "info":
        ctx.say(
            calls.call_text(call, "description", t.locale) + "\n\n📍 " + where(ctx, call) + "\n" + map_link(call),
            buttons(
                ctx, call, await calls.places_left(ctx.session, call), info=False, sign_up=await sign_up_of(ctx, call)
            ),
        )
    elif action == "ics":
        ctx.send(
            Document(
                f"kortrijk2030-{call.id}.ics",
                ics(
                    f"call-{call.id}@gangmaker.kortrijk.be",
                    calls.call_text(call, "title", t.locale),
                    calls.call_text(call, "description", t.locale),
                    full_address(call),
                    call.starts_at,
                    call.ends_at,
                    ctx.now,
                ),
                "text/calendar",
                caption=t(N_("Open dit bestand om het in je agenda te zetten.")),
            )
        )
    elif action in ("join", "no"):
        await _answer(ctx, call, action)
    elif action == "keep":
        ctx.say(t(N_("Fijn, tot dan!")))
    elif action in ("confirm", "release", "cancel!"):
        await _change_place(ctx, call, action)
    elif action == "cancel":
        await _ask_sign_out(ctx, call)
    else:
        raise Expired()


async def _answer(ctx: Context, call: Call, action: str) -> None:
    t, person = ctx.t, ctx.known_person
    if call.state == CallState.CANCELLED:
        ctx.say(not_taking_place(ctx, call))
    elif call.state != CallState.PUBLISHED or ctx.now > call.deadline:
        ctx.say(
            t(
                N_("Inschrijven kon tot {deadline}. Jammer, misschien een volgende keer!"),
                deadline=t.datetime(call.deadline),
            )
        )
    elif action == "no":
        existing = await calls.sign_up_of(ctx.session, call, person)
        if existing is not None and existing.state in (*HOLDING, SignUpState.WAITLISTED):
            await _ask_sign_out(ctx, call)  # "Niet nu" on the card after "Ik doe mee": they hold a place
            return
        await calls.decline(ctx.session, call, person, ctx.now)
        ctx.say(t(N_("Oké, misschien een volgende keer.")))
    else:
        existing = await calls.sign_up_of(ctx.session, call, person)
        if (
            existing is not None and existing.state == SignUpState.OFFERED
        ):  # a freed place waits for them: this confirms it
            await _change_place(ctx, call, "confirm")
            return
        if existing is not None and existing.state == SignUpState.WAITLISTED:
            ctx.notice(
                t(
                    N_("Je staat al op de wachtlijst, op plaats {position}."),
                    position=await calls.waitlist_position(ctx.session, existing),
                )
            )
            return
        if existing is not None and existing.state in HOLDING:
            ctx.notice(t(N_("Je bent al ingeschreven.")))
            return
        sign_up = await calls.join(ctx.session, call, person, ctx.now)
        if sign_up.state == SignUpState.JOINED:
            ctx.say(
                t(
                    N_(
                        "Fijn, je doet mee aan “{title}”! Ik stuur je een herinnering vooraf. "
                        "Kun je toch niet? Schrijf je uit via /mijnoproepen."
                    ),
                    title=calls.call_text(call, "title", t.locale),
                )
            )
        else:
            position = await calls.waitlist_position(ctx.session, sign_up)
            ctx.say(
                t(
                    N_(
                        "Het is volzet. Je staat op de wachtlijst, op plaats {position}. "
                        "Komt er een plaats vrij, dan laat ik het je meteen weten."
                    ),
                    position=position,
                )
            )


async def _ask_sign_out(ctx: Context, call: Call) -> None:
    """Signing out frees the place for someone else at once: ask first."""
    t = ctx.t
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person)
    if sign_up is None or sign_up.state not in (*HOLDING, SignUpState.WAITLISTED):
        ctx.notice(t(N_("Je bent niet ingeschreven voor deze oproep.")))
        return
    ctx.say(
        t(
            N_("Je plaats gaat dan naar iemand anders. Wil je je uitschrijven voor {title} ({start})?"),
            title=calls.call_text(call, "title", t.locale),
            start=t.datetime(call.starts_at),
        ),
        [call_button(t(N_("Ja, uitschrijven")), "cancel!", call), call_button(t(N_("Nee, ik kom")), "keep", call)],
    )


async def _change_place(ctx: Context, call: Call, action: str) -> None:
    t = ctx.t
    sign_up = await calls.sign_up_of(ctx.session, call, ctx.known_person)
    if action == "confirm":
        if sign_up is not None and await calls.confirm_place(ctx.session, sign_up, ctx.now):
            ctx.say(t(N_("Super, de plaats is voor jou! Tot dan.")))
        else:
            ctx.say(t(N_("Sorry, deze plaats is niet meer vrij. Je hoort het als er weer een plaats is.")))
    elif sign_up is None or sign_up.state not in (*HOLDING, SignUpState.WAITLISTED):
        ctx.notice(t(N_("Je bent niet ingeschreven voor deze oproep.")))
    else:
        await calls.cancel_sign_up(ctx.session, ctx.settings, sign_up, ctx.now)
        ctx.say(
            t(
                N_("Je bent uitgeschreven voor {title}. Bedankt om het te laten weten!"),
                title=calls.call_text(call, "title", t.locale),
            ),
            [
                Button(t(N_("📣 Wat loopt er?")), command_action("agenda")),
                Button(t(N_("Menu")), command_action("menu")),
            ],
        )


async def open_calls(ctx: Context) -> None:
    """/agenda ("Wat loopt er?"): the calls open for sign-up, those that fit the person first, then
    what the other features have running for them (question rounds)."""
    t = ctx.t
    fitting, others = await _open_by_fit(ctx)
    besides = [reply for listing in ctx.running for reply in await listing(ctx)]
    if not fitting and not others and not besides:
        ctx.say(t(N_("Er loopt nu geen oproep. Komt er een die bij je past, dan laat ik het je weten.")))
        return
    found = fitting + others
    shown = found[:MAX_LISTED]
    ctx.say(
        t(N_("Dit loopt er nu. Wat bij je past, staat eerst.")) if fitting and others else t(N_("Dit loopt er nu."))
    )
    for call in shown:
        ctx.send(await card(ctx, call))
    if len(found) > len(shown):
        ctx.say(t(N_("Er zijn er nog {n}. Ik toonde de eerste {shown}."), n=len(found) - len(shown), shown=len(shown)))
    for reply in besides:
        ctx.send(reply)


async def _open_by_fit(ctx: Context) -> tuple[list[Call], list[Call]]:
    """The calls open for sign-up: those that fit the person, and the others."""
    found = await ctx.calls.open_for_sign_up(ctx.now)
    fitting = [call for call in found if calls.fits(call, ctx.known_person)]
    return fitting, [call for call in found if call not in fitting]


async def show_fitting(ctx: Context, limit: int = 3) -> bool:
    """Right after onboarding: the open calls that fit, if there are any."""
    fitting, _ = await _open_by_fit(ctx)
    if not fitting:
        return False
    ctx.say(ctx.t(N_("Dit loopt er nu en past bij jou:")))
    for call in fitting[:limit]:
        ctx.send(await card(ctx, call))
    return True


async def my_calls(ctx: Context) -> None:
    """/mijnoproepen: the calls you joined or wait for, with a button to sign out."""
    t = ctx.t
    rows = await ctx.calls.joined_by(ctx.known_person, (*HOLDING, SignUpState.WAITLISTED), OPEN, ending_after=ctx.now)
    if not rows:
        ctx.say(t(N_("Je bent nu nergens voor ingeschreven.")))
        return
    lines, buttons = [t(N_("Hier doe je aan mee:"))], []
    for number, (sign_up, call) in enumerate(rows, start=1):
        line = f"{number}. {calls.call_text(call, 'title', t.locale)}, {t.datetime(call.starts_at)}"
        if sign_up.state == SignUpState.WAITLISTED:
            line += " – " + t(
                N_("wachtlijst, plaats {position}"), position=await calls.waitlist_position(ctx.session, sign_up)
            )
        elif sign_up.state == SignUpState.OFFERED:
            assert sign_up.offer_expires_at is not None, "an offered place waits until a set time"
            line += " – " + t(
                N_("er is een plaats voor jou: bevestig vóór {until}"), until=t.datetime(sign_up.offer_expires_at)
            )
            buttons.append(call_button(t(N_("Bevestigen {number}"), number=number), "confirm", call))
        lines.append(line)
        buttons.append(call_button(t(N_("Uitschrijven {number}"), number=number), "cancel", call))
    ctx.say("\n".join(lines), buttons)


PAUSES = {"week": 7, "month": 30, "open": None}  # /pauze: for how many days (None: until they say)


def pause_state(ctx: Scope) -> str:
    """The person's pause in words: until when, until they say, or none."""
    person, t = ctx.known_person, ctx.t
    if not person.paused:
        return t(N_("geen"))
    if person.paused_until is None:
        return t(N_("tot je ze zelf stopt"))
    return t(N_("tot {date}"), date=t.date(person.paused_until.astimezone(ZoneInfo(ctx.settings.timezone)).date()))


async def pause(ctx: Context) -> None:
    """/pauze: stop calls, overviews and nudges for a week, a month or until they say; when
    paused already, say until when and offer to end it."""
    t = ctx.t
    if ctx.known_person.paused:
        ctx.say(
            t(
                N_(
                    "Je pauze loopt {until}: geen oproepen, overzichten of vragen. Over iets waarvoor je "
                    "inschreef, hoor je wel nog. Wil je alles weer aan?"
                ),
                until=pause_state(ctx),
            ),
            [Button(t(N_("Ja, alles weer aan")), Action.of(PAUSE, "off"))],
        )
        return
    ctx.say(
        t(
            N_(
                "Ik stuur je dan geen oproepen, overzichten of vragen. Over iets waarvoor je inschreef, "
                "hoor je wel nog. Hoe lang wil je pauze?"
            )
        ),
        [
            Button(t(N_("Een week")), Action.of(PAUSE, "week")),
            Button(t(N_("Een maand")), Action.of(PAUSE, "month")),
            Button(t(N_("Tot ik het zeg")), Action.of(PAUSE, "open")),
        ],
    )


async def on_pause_button(ctx: Context, tapped: Action) -> None:
    t, person = ctx.t, ctx.known_person
    if tapped.verb in PAUSES:
        days = PAUSES[tapped.verb]
        person.paused, person.paused_until = True, ctx.now + timedelta(days=days) if days else None
        kept = t(N_("Over iets waarvoor je inschreef, hoor je wel nog."))
        ctx.say(
            (
                t(
                    N_("Oké. Tot {date} stuur ik je geen oproepen, overzichten of vragen."),
                    date=t.date(person.paused_until.astimezone(ZoneInfo(ctx.settings.timezone)).date()),
                )
                if person.paused_until
                else t(N_("Oké. Tot je /pauze typt, stuur ik je geen oproepen, overzichten of vragen."))
            )
            + " "
            + kept,
            [Button(t(N_("Toch weer alles aan")), Action.of(PAUSE, "off"))],
        )
    elif tapped.verb == "off" and person.paused:
        person.paused, person.paused_until = False, None
        ctx.say(t(N_("Welkom terug! Je krijgt weer oproepen en overzichten.")))
    else:
        ctx.notice(t(N_("Je berichten staan niet op pauze.")))


def rating_button(call: Call, rating: int) -> Button:
    return Button(str(rating), Action.of(FEEDBACK, rating, call.id))


async def on_feedback_button(ctx: Context, tapped: Action) -> None:
    """A rating after an event: stored at once, then an optional remark."""
    rating, person = tapped.verb, ctx.known_person
    call = await ctx.find(Call, tapped.id)
    if (  # only who took part in a call that took place rates it
        call is None
        or call.state not in OPEN
        or ctx.now < call.ends_at
        or (sign_up := await calls.sign_up_of(ctx.session, call, person)) is None
        or sign_up.state not in TOOK_PART
        or not rating.isdecimal()
        or not 1 <= int(rating) <= 5
    ):
        raise Expired()
    feedback = await ctx.calls.feedback(call.id, person)
    if feedback is None:
        feedback = Feedback(call_id=call.id, person_id=person.id, rating=int(rating), created_at=ctx.now)
        ctx.session.add(feedback)
    feedback.rating = int(rating)
    await ctx.session.flush()
    if ctx.conversation is None:
        await ctx.dialogue.start(ctx, FEEDBACK_FLOW, {"_call_id": call.id})
    else:
        ctx.say(ctx.t(N_("Dank je voor je score!")))


async def feedback_done(ctx: Context, answers: dict[str, Any]) -> None:
    feedback = await ctx.calls.feedback(answers["_call_id"], ctx.known_person)
    if feedback is not None:
        feedback.remark = answers.get("remark")
    ctx.say(ctx.t(N_("Dank je! Zo maken we het de volgende keer beter.")))


FEEDBACK_FLOW = Flow(
    name="feedback",
    confirm=False,
    on_done=feedback_done,
    cancelled=N_("Oké. Je score is bewaard, dank je!"),
    steps=[
        TextStep(
            name="remark",
            label=N_("Wat kan beter"),
            optional=True,
            max_length=1000,
            prompt=N_("Dank je voor je score! Niets te zeggen? Dat mag ook. Wat moet er de volgende keer anders?"),
        )
    ],
)
