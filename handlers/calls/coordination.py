"""Coordinators: create a call step by step (`/oproep`), see its reach first, and manage calls (`/oproepen`)."""

from __future__ import annotations

import uuid
from typing import Any

from bot.context import Context, Scope
from bot.dialogue import ChoiceStep, DateTimeStep, Flow, MultiStep, NumberStep, Option, TextStep
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, ButtonStyle, Message, short
from handlers import offers
from handlers.calls import purposes
from handlers.calls import service as calls
from handlers.common.domain import HOLDING, CallState, Role, SignUpState
from handlers.common.options import CONTRIBUTIONS, LANGUAGES, NEIGHBOURHOODS, ROLES, THEMES, optional_multi
from handlers.common.reach import lines as reach_lines
from storage.db import both
from storage.models import Call, SignUp
from storage.repositories import referenced

COORDINATE = "coord"  # route: Action.of(COORDINATE, verb, call id)
ATTENDANCE = "att"  # route: Action.of(ATTENDANCE, "toggle", sign-up id)
STATE_LABELS = {
    "draft": N_("nog niet verstuurd"),
    "awaiting": N_("wacht op goedkeuring"),
    "scheduled": N_("ingepland"),
    "published": N_("verstuurd"),
    "closed": N_("gesloten"),
    "cancelled": N_("geannuleerd"),
}


TRANSLATIONS = (Option("en", N_("Engels")), Option("fr", N_("Frans")))


def _translating(locale: str) -> Any:
    """Whether the call is written in `locale` too: chosen in the chat, or filled in on a form."""
    return lambda answers: (
        locale in (answers.get("translate") or ())
        or bool(answers.get(f"title_{locale}") or answers.get(f"description_{locale}"))
    )


def _translation(name: str, label: str, max_length: int, prompt: str, *, optional: bool = False) -> TextStep:
    """A title or description in English or French, asked right after the Dutch when the
    coordinator chose that language; the title then is needed, the description may stay Dutch."""
    return TextStep(
        name=name,
        label=label,
        max_length=max_length,
        optional=optional,
        skipped=N_("de Nederlandse"),
        prompt=prompt,
        when=_translating(name.rsplit("_", 1)[1]),
    )


CALL_STEPS = [
    TextStep(
        name="title", label=N_("Titel"), max_length=80, prompt=N_("Wat is de titel van de oproep? Kort en duidelijk.")
    ),
    TextStep(
        name="description",
        label=N_("Uitleg"),
        max_length=1000,
        prompt=N_("Wat gaan we doen, en wat vraag je van de mensen?"),
    ),
    optional_multi(
        "translate",
        N_("Ook in"),
        TRANSLATIONS,
        N_(
            "Franstalige en Engelstalige mensen lezen de oproep anders in het Nederlands. "
            "In welke talen schrijf je ze ook?"
        ),
        N_("alleen Nederlands"),
    ),
    _translation("title_en", N_("Titel in het Engels"), 80, N_("Wat is de titel in het Engels?")),
    _translation(
        "description_en",
        N_("Uitleg in het Engels"),
        1000,
        N_("Zonder antwoord lezen ze de Nederlandse uitleg. Wat is de uitleg in het Engels?"),
        optional=True,
    ),
    _translation("title_fr", N_("Titel in het Frans"), 80, N_("Wat is de titel in het Frans?")),
    _translation(
        "description_fr",
        N_("Uitleg in het Frans"),
        1000,
        N_("Zonder antwoord lezen ze de Nederlandse uitleg. Wat is de uitleg in het Frans?"),
        optional=True,
    ),
    MultiStep(name="needs", label=N_("Nodig"), options=CONTRIBUTIONS, prompt=N_("Wat is er nodig?")),
    optional_multi(
        "themes",
        N_("Thema's"),
        THEMES,
        N_(
            "Alleen wie een van deze thema's koos, krijgt de oproep. Kies je er geen, dan krijgt iedereen ze. "
            "Welke thema's?"
        ),
    ),
    ChoiceStep(
        name="neighbourhood", label=N_("Buurt"), options=NEIGHBOURHOODS, prompt=N_("In welke buurt gebeurt het?")
    ),
    TextStep(name="address", label=N_("Adres"), max_length=200, prompt=N_("Op welk adres? Met straat en nummer.")),
    DateTimeStep(name="starts_at", label=N_("Begin"), prompt=N_("Wanneer begint het?")),
    DateTimeStep(name="ends_at", label=N_("Einde"), after_step="starts_at", prompt=N_("Wanneer eindigt het?")),
    NumberStep(
        name="capacity",
        label=N_("Plaatsen"),
        minimum=0,
        maximum=10000,
        prompt=N_("0 betekent: geen grens. Hoeveel mensen kunnen meedoen?"),
    ),
    DateTimeStep(
        name="deadline",
        label=N_("Inschrijven tot"),
        optional=True,
        skipped=N_("tot het begin"),
        prompt=N_("Zonder antwoord kan inschrijven tot het begin. Tot wanneer kunnen mensen zich inschrijven?"),
    ),
    optional_multi(
        "target_neighbourhoods",
        N_("Voor buurten"),
        NEIGHBOURHOODS,
        N_("Kies je er geen, dan gaat ze naar alle buurten. Voor mensen uit welke buurten?"),
        N_("alle buurten"),
    ),
    # Asked only from the summary: most calls go to everyone and keep the usual reminders.
    optional_multi(
        "target_contributions",
        N_("Voor wie wil geven"),
        CONTRIBUTIONS,
        N_("Kies je er geen, dan gaat ze naar iedereen. Wat moeten mensen willen geven om deze oproep te krijgen?"),
        asked=False,
    ),
    optional_multi(
        "target_roles",
        N_("Voor wie"),
        ROLES,
        N_("Kies je er geen, dan gaat ze naar iedereen. Voor wie is het?"),
        asked=False,
    ),
    optional_multi(
        "target_languages",
        N_("Talen"),
        LANGUAGES,
        N_("Kies je er geen, dan gaat ze naar iedereen. Welke taal moeten de mensen lezen?"),
        asked=False,
    ),
    optional_multi(
        "reminders",
        N_("Herinneringen"),
        (Option("1440", N_("1 dag vooraf")), Option("120", N_("2 uur vooraf")), Option("60", N_("1 uur vooraf"))),
        N_("Wie meedoet, krijgt een herinnering. Kies je er geen, dan is dat 1 dag en 2 uur vooraf. Wanneer?"),
        N_("1 dag en 2 uur vooraf"),
        asked=False,
    ),
    ChoiceStep(
        name="publish",
        label=N_("Publiceren"),
        options=(Option("now", N_("Meteen")), Option("later", N_("Later"))),
        prompt=N_("Wanneer sturen we de oproep?"),
    ),
    DateTimeStep(
        name="publish_at",
        label=N_("Publiceren op"),
        when=lambda answers: answers.get("publish") == "later",
        prompt=N_("Op welke dag en welk uur sturen we de oproep?"),
    ),
]


async def reach(ctx: Context, answers: dict[str, Any]) -> str:
    """The audience and the best-fitting offers for the call as entered so far."""
    t = ctx.t
    call = calls.new_call(answers, ctx.known_person, ctx.now)
    (fitting, best), people = await both(
        ctx.session,
        lambda session: calls.matching_offers(session, call),
        lambda session: calls.audience_size(session, call),
    )
    lines = [
        t(
            N_("Mensen die de oproep krijgen: {people}. Mensen met een passend aanbod: {offers}."),
            people=people,
            offers=fitting,
        )
    ]
    lines += [f"– {offers.describe_offer(offer, t)}" for offer in best]
    return "\n".join(lines)


async def call_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    if answers.get("_call_id"):  # an edit: the call may have been cancelled since the form opened
        existing = await _open_call(ctx, answers)
        if existing is not None:
            told = await calls.update_call(ctx.session, ctx.settings, existing, answers, ctx.now)
            told_line = t.plural(told, N_("{n} persoon krijgt bericht."), N_("{n} mensen krijgen bericht."))
            ctx.say(t(N_("De oproep is aangepast.")) + (" " + told_line if told else ""))
        return
    call = calls.new_call(answers, ctx.known_person, ctx.now)
    ctx.session.add(call)
    await ctx.session.flush()
    if call.state == CallState.SCHEDULED:
        assert call.publish_at is not None, "a scheduled call has a moment to go out"
        ctx.say(
            t(
                N_("Je oproep is ingepland. Op {moment} gaat ze naar de mensen die passen."),
                moment=t.datetime(call.publish_at),
            )
        )
    else:
        await published(ctx, call)


async def published(ctx: Context, call: Call) -> None:
    """Publish the call and tell the coordinator how many it reaches, and when."""
    people = await calls.publish(ctx.session, ctx.settings, call, ctx.now)
    t = ctx.t
    reached = await calls.reach(ctx.session, call, ctx.now)
    later = reach_lines(t, reached)
    if not people:
        head = t(N_("Je oproep staat open, maar ze past nu bij niemand. Wie /agenda opent, ziet ze wel."))
    elif later:  # some wait for their quiet hours or the Monday overview: it is not sent yet
        head = t.plural(people, N_("Je oproep gaat naar {n} persoon."), N_("Je oproep gaat naar {n} mensen."))
    else:
        head = t.plural(
            people, N_("Je oproep is verstuurd naar {n} persoon."), N_("Je oproep is verstuurd naar {n} mensen.")
        )
    ctx.say("\n".join([head, *later]))


def check_moments(answers: dict[str, Any]) -> tuple[str, str] | None:
    """The moments must fit together, also after one of them was changed."""
    start, end = answers.get("starts_at"), answers.get("ends_at")
    if start and end and end <= start:
        return N_("Het einde moet na het begin komen."), "ends_at"
    if start and answers.get("deadline") and answers["deadline"] > start:
        return N_("Inschrijven moet stoppen voor het begin."), "deadline"
    if start and answers.get("publish") == "later" and answers.get("publish_at") and answers["publish_at"] >= start:
        return N_("De oproep moet verstuurd worden voor het begin."), "publish_at"
    return None


CALL_FLOW = Flow(
    name="call",
    steps=CALL_STEPS,
    on_done=call_done,
    describe=reach,
    check=check_moments,
    form=True,
    role=Role.COORDINATOR,
    summary_title=N_("Dit is je oproep:"),
    cancelled=N_("Oké, ik stop met de nieuwe oproep. Er is niets bewaard."),
)


async def start_call(ctx: Context) -> None:
    await ctx.dialogue.start(ctx, CALL_FLOW)


async def list_calls(ctx: Context) -> None:
    """/oproepen: every call that has not ended long ago in one message; a tap opens one."""
    t = ctx.t
    found = await ctx.calls.listed()  # cancelled ones too, marked so: they do not vanish
    if not found:
        ctx.say(t(N_("Er zijn nog geen oproepen. Maak er een met /oproep.")))
        return
    lines = [t(N_("Dit zijn de oproepen. Tik op een oproep om ze te beheren."))]
    for call in found:
        joined = await calls.count(ctx.session, call, *HOLDING, SignUpState.ATTENDED, SignUpState.NO_SHOW)
        lines.append(
            t(
                N_("#{id} {title} – {start} – {state} – ingeschreven: {joined}"),
                id=call.id,
                title=calls.call_text(call, "title", t.locale),
                start=t.datetime(call.starts_at),
                state=t(STATE_LABELS[call.state]),
                joined=joined,
            )
        )
    ctx.say(
        "\n".join(lines),
        [_button(f"#{call.id} {short(calls.call_text(call, 'title', t.locale), 30)}", "show", call) for call in found],
    )


async def show_call(ctx: Context, call: Call) -> None:
    """One call for its coordinator: when, its state, who joined and waits, how far it reached."""
    t = ctx.t
    joined = await calls.count(ctx.session, call, *HOLDING, SignUpState.ATTENDED, SignUpState.NO_SHOW)
    waiting = await calls.count(ctx.session, call, SignUpState.WAITLISTED)
    text = t(
        N_("#{id} {title}\n{start} – {state}\nIngeschreven: {joined}, wachtlijst: {waiting}"),
        id=call.id,
        title=calls.call_text(call, "title", t.locale),
        start=t.datetime(call.starts_at),
        state=t(STATE_LABELS[call.state]),
        joined=joined,
        waiting=waiting,
    )
    reason = [t(N_("Reden: {reason}"), reason=call.cancel_reason)] if call.cancel_reason else []
    reached = reach_lines(t, await calls.reach(ctx.session, call, ctx.now)) if call.published_at else []
    ctx.say("\n".join([text, *reason, *reached]), coordinate_buttons(ctx, call, people=joined + waiting > 0))


def coordinate_buttons(ctx: Scope, call: Call, people: bool = False) -> tuple[Button, ...]:
    """What a coordinator can do with a call now: see who joined (and write to them), attendance,
    publish, edit, close, cancel."""
    t = ctx.t
    if call.state == CallState.CANCELLED:
        return ()
    buttons = [_button(t(N_("Deelnemers")), "people", call)] if people else []
    if call.starts_at <= ctx.now:
        buttons.append(_button(t(N_("Aanwezigheid")), "attendance", call))
    if call.state in (CallState.DRAFT, CallState.SCHEDULED):
        buttons.append(_button(t(N_("Nu publiceren")), "publish", call))
    if call.ends_at > ctx.now:
        buttons.append(_button(t(N_("Aanpassen")), "edit", call))
    if call.state in (CallState.PUBLISHED, CallState.SCHEDULED):
        buttons.append(_button(t(N_("Sluiten")), "close", call))
    if call.ends_at > ctx.now:
        buttons.append(_button(t(N_("Annuleren")), "cancel", call, style="danger"))
    return tuple(buttons)


def _button(label: str, verb: str, call: Call, style: ButtonStyle | None = None) -> Button:
    return Button(label, Action.of(COORDINATE, verb, call.id), style=style)


async def on_coordinate_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    action = tapped.verb
    call = await ctx.find(Call, tapped.id)
    if call is not None and action == "show":
        await show_call(ctx, call)
    elif call is None or call.state == CallState.CANCELLED:
        raise Expired()
    elif action == "people":
        ctx.send(await participants(ctx, call))
    elif action == "message":
        await ctx.dialogue.start(ctx, MESSAGE_FLOW, {"_call_id": call.id})
    elif action == "cancel":
        ctx.say(
            t(
                N_("Iedereen die ingeschreven is, krijgt bericht. Wil je “{title}” echt annuleren?"),
                title=calls.call_text(call, "title", t.locale),
            ),
            [_button(t(N_("Ja, annuleren")), "cancel!", call, style="danger"), _button(t(N_("Nee")), "keep", call)],
        )
    elif action == "cancel!":
        await ctx.dialogue.start(ctx, CANCEL_FLOW, {"_call_id": call.id})
    elif action == "keep":
        ctx.say(t(N_("Oké, de oproep blijft staan.")))
    elif action == "close":
        await calls.close(ctx.session, ctx.settings, call, ctx.now)
        ctx.say(t(N_("De oproep is gesloten. Wie al ingeschreven is, blijft ingeschreven.")))
    elif action == "publish" and call.state in (CallState.DRAFT, CallState.SCHEDULED):
        await published(ctx, call)
    elif action == "attendance":
        ctx.send(await attendance(ctx, call))
    elif action == "edit":
        await ctx.dialogue.start(ctx, CALL_FLOW, {**calls.answers_of(call), "_call_id": call.id}, at_summary=True)
    else:
        raise Expired()


async def participants(ctx: Context, call: Call) -> Message:
    """Who has a place and who waits, with a way to write to them all."""
    t = ctx.t
    holding = await ctx.calls.attendees(call, (*HOLDING, SignUpState.ATTENDED, SignUpState.NO_SHOW))
    waiting = await ctx.calls.attendees(call, (SignUpState.WAITLISTED,))
    lines = [t(N_("Ingeschreven voor “{title}”: {n}"), title=calls.call_text(call, "title", t.locale), n=len(holding))]
    lines += [f"• {person.display_name or f'#{person.id}'}" for _, person in holding]
    if waiting:
        lines.append(t(N_("Op de wachtlijst: {n}"), n=len(waiting)))
    return Message("\n".join(lines), (_button(t(N_("✉️ Bericht aan iedereen")), "message", call),))


async def _open_call(ctx: Context, answers: dict[str, Any]) -> Call | None:
    """The call a coordinator's follow-up dialogue is about, while it can still be changed."""
    call = await ctx.session.get(Call, answers["_call_id"])
    if call is None or call.state == CallState.CANCELLED:
        ctx.say(ctx.t(N_("Deze oproep is intussen geannuleerd.")))
        return None
    return call


async def cancel_done(ctx: Context, answers: dict[str, Any]) -> None:
    call = await _open_call(ctx, answers)
    if call is not None:
        call.cancel_reason = answers.get("reason")
        told = await calls.cancel_call(ctx.session, ctx.settings, call, ctx.now)
        t = ctx.t
        told_line = t.plural(told, N_("{n} persoon krijgt bericht."), N_("{n} mensen krijgen bericht."))
        ctx.say(t(N_("De oproep is geannuleerd.")) + (" " + told_line if told else ""))


async def message_done(ctx: Context, answers: dict[str, Any]) -> None:
    call = await _open_call(ctx, answers)
    if call is not None:
        told = await calls.tell_signed_up(
            ctx.session,
            ctx.settings,
            call,
            ctx.now,
            purposes.CALL_MESSAGE,
            f"message:{uuid.uuid4().hex}",
            text=answers["text"],
            sender=ctx.known_person.display_name,
        )
        ctx.say(ctx.t.plural(told, N_("Je bericht gaat naar {n} persoon."), N_("Je bericht gaat naar {n} mensen.")))


CANCEL_FLOW = Flow(
    name="call_cancel",
    confirm=False,
    on_done=cancel_done,
    role=Role.COORDINATOR,
    cancelled=N_("Oké, de oproep blijft staan."),
    steps=[
        TextStep(
            name="reason",
            label=N_("Reden"),
            optional=True,
            max_length=500,
            prompt=N_(
                "Wie ingeschreven is, leest je reden. Liever niets zeggen? Dat mag ook. Waarom gaat het niet door?"
            ),
        )
    ],
)
MESSAGE_FLOW = Flow(
    name="call_message",
    on_done=message_done,
    role=Role.COORDINATOR,
    summary_title=N_("Dit stuur ik:"),
    cancelled=N_("Oké, ik stuur niets."),
    steps=[
        TextStep(
            name="text",
            label=N_("Bericht"),
            max_length=1000,
            prompt=N_("Ik stuur het naar iedereen met een plaats of op de wachtlijst. Wat wil je hen laten weten?"),
        )
    ],
)


async def attendance(ctx: Context, call: Call, edit: bool = False) -> Message:
    """Who was there: one button per person, ✅ came, ❌ did not come."""
    t = ctx.t
    rows = await ctx.calls.attendees(call, (SignUpState.JOINED, SignUpState.ATTENDED, SignUpState.NO_SHOW))
    marks: dict[str, str] = {SignUpState.ATTENDED: "✅ ", SignUpState.NO_SHOW: "❌ ", SignUpState.JOINED: ""}
    buttons = tuple(
        Button(
            marks[sign_up.state] + (person.display_name or f"#{person.id}"), Action.of(ATTENDANCE, "toggle", sign_up.id)
        )
        for sign_up, person in rows
    )
    text = t(
        N_("Kies een naam één keer als die persoon er was, en nog eens als die niet kwam. Wie was er bij “{title}”?"),
        title=calls.call_text(call, "title", t.locale),
    )
    if not rows:
        text = t(N_("Niemand was ingeschreven voor deze oproep."))
    return Message(text, buttons, replace="buttons" if edit else None)


async def on_attendance_button(ctx: Context, tapped: Action) -> None:
    sign_up = await ctx.find(SignUp, tapped.id)
    if sign_up is None or sign_up.state not in (SignUpState.JOINED, SignUpState.ATTENDED, SignUpState.NO_SHOW):
        raise Expired()
    sign_up.state = SignUpState.NO_SHOW if sign_up.state == SignUpState.ATTENDED else SignUpState.ATTENDED
    await ctx.session.flush()
    ctx.send(await attendance(ctx, await referenced(ctx.session, Call, sign_up.call_id), edit=True))
