"""Privacy: the privacy text, `/mijngegevens` (a JSON export) and `/vergeet` (erasure)."""

from __future__ import annotations

import json
from typing import Any

from bot.context import Context, Scope
from bot.dialogue import Flow, Option, YesNoStep
from bot.dialogue.steps import ROUTE as DIALOGUE
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Document
from handlers import calls, projects, rounds
from handlers.common.domain import HOLDING, SignUpState
from handlers.common.options import NEIGHBOURHOODS, label
from storage import backing
from storage.models import (
    Call,
    Feedback,
    Follow,
    OutboxMessage,
    Person,
    Project,
    ProjectMute,
    Relay,
    Round,
    SignUp,
    Support,
)
from storage.repositories import Calls

PRIVACY = "privacy"  # route of the privacy buttons
EXPORT, FORGET, MORE = "export", "forget", "more"
# The commands of the privacy text, the export and erasure, in every language.
PRIVACY_NAMES = ("privacy", "confidentialite")
EXPORT_NAMES = ("mijngegevens", "mydata", "mesdonnees")
FORGET_NAMES = ("vergeet", "forget", "oublier")


def privacy_text(ctx: Context) -> str:
    return ctx.t(
        N_(
            "Stad Kortrijk is verantwoordelijk voor wat je hier deelt. "
            "Ik bewaar je antwoorden en je chatnummer. Zo kan ik je uitnodigen voor wat je koos "
            "en je ideeën en aanbod opvolgen.\n\n"
            "Met /mijngegevens krijg je alles wat ik over je weet. Met /vergeet wis ik alles."
        )
    )


def privacy_more(ctx: Context) -> str:
    """Who sees what, how long it is kept, what stays after erasure, and whom to ask."""
    return ctx.t(
        N_(
            "Medewerkers van de stad zien je antwoorden. Partners zien een idee of aanbod pas als het "
            "gepubliceerd is, en je contact pas als jij ja zegt.\n\n"
            "Hoor ik {months} maanden niets van je, dan wis ik alles. Een maand vooraf zeg ik het je. "
            "Ideeën, oproepen en keuzes in gesloten bevragingen blijven, zonder je naam. Vragen? Mail naar {contact}."
        ),
        months=ctx.settings.retention_months,
        contact=ctx.settings.privacy_contact,
    )


async def show_privacy(ctx: Context) -> None:
    t = ctx.t
    ctx.say(
        privacy_text(ctx),
        [
            Button(t(N_("Meer uitleg")), Action.of(PRIVACY, MORE)),
            Button(t(N_("Mijn gegevens")), Action.of(PRIVACY, EXPORT)),
            Button(t(N_("Alles wissen")), Action.of(PRIVACY, FORGET), style="danger"),
        ],
    )


async def on_privacy_button(ctx: Context, tapped: Action) -> None:
    if tapped.verb == MORE:
        ctx.say(privacy_more(ctx))
    elif tapped.verb == EXPORT:
        await export(ctx)
    elif tapped.verb == FORGET:
        await start_forget(ctx)
    else:
        raise Expired()


async def nothing_stored(ctx: Context) -> None:
    """/mijngegevens or /vergeet from someone who never said yes: there is nothing to show or erase."""
    ctx.say(ctx.t(N_("Ik heb niets over jou bewaard. Er is dus ook niets om te tonen of te wissen.")))


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    """A model row as plain JSON-ready values."""
    data = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        data[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


async def export(ctx: Context) -> None:
    """Send everything stored about the person as one JSON document."""
    person = ctx.known_person
    identities = await ctx.people.identities_of(person)
    conversation = await ctx.conversations.of(person)
    document = {
        "person": _row(person),
        "identities": [_row(identity, "person_id") for identity in identities],
        "ideas": [_row(idea, "author_id") for idea in await ctx.ideas.by_author(person)],
        "offers": [_row(offer, "person_id") for offer in await ctx.offers.of(person)],
        "conversation": _row(conversation, "person_id") if conversation else None,
        "sign_ups": [_row(row, "person_id") for row in await ctx.people.rows_of(SignUp, person)],
        "feedback": [_row(row, "person_id") for row in await ctx.people.rows_of(Feedback, person)],
        "conversations_with_partners": [_row(row, "person_id") for row in await ctx.people.rows_of(Relay, person)],
        "round_answers": await rounds.answers_of_person(ctx.session, person, ctx.t),
        "project_news_stopped": [_row(row, "person_id") for row in await ctx.people.rows_of(ProjectMute, person)],
        "ideas_you_support": [_row(row, "person_id") for row in await ctx.people.rows_of(Support, person)],
        "ideas_you_follow": [_row(row, "person_id") for row in await ctx.people.rows_of(Follow, person)],
        "messages_to_you": [_row(row, "person_id") for row in await ctx.people.rows_of(OutboxMessage, person)],
        "calls_you_created": [_row(row, "created_by") for row in await ctx.people.rows_of(Call, person, "created_by")],
        "rounds_you_created": [
            _row(row, "created_by") for row in await ctx.people.rows_of(Round, person, "created_by")
        ],
        "projects_you_took_up": [
            _row(row, "adopted_by") for row in await ctx.people.rows_of(Project, person, "adopted_by")
        ],
        "conversations_you_asked_for": [
            _row(row, "partner_id") for row in await ctx.people.rows_of(Relay, person, "partner_id")
        ],
        "audit": [_row(event, "person_id") for event in await ctx.audit.of(person)],
        "roles": [
            _row(grant)
            for identity in identities
            for grant in await ctx.roles.grants_of(identity.channel, identity.external_id)
        ],
    }
    await ctx.audit.record("data_exported", ctx.now, person)
    told = summary(ctx, document)
    ctx.say(told)
    readable = {"in_words": in_words(ctx, told)}
    content = json.dumps(readable | document, ensure_ascii=False, indent=2).encode()
    ctx.send(
        Document(
            "gangmaker-mijn-gegevens.json",
            content,
            "application/json",
            caption=ctx.t(N_("Dit is alles wat ik over je bewaar.")),
        )
    )


SUMMARY_LINES = (  # what the export holds, in words, one line per part that is not empty
    ("ideas", N_("Ideeën die je deelde: {n}")),
    ("offers", N_("Aanbiedingen van tijd, kennis of geld: {n}")),
    ("sign_ups", N_("Inschrijvingen voor oproepen: {n}")),
    ("feedback", N_("Scores en opmerkingen na een activiteit: {n}")),
    ("conversations_with_partners", N_("Gesprekken met partners via mij: {n}")),
    ("round_answers", N_("Bevragingen die je beantwoordde: {n}")),
    ("ideas_you_support", N_("Ideeën die je steunt: {n}")),
    ("ideas_you_follow", N_("Ideeën en projecten die je volgt: {n}")),
    ("messages_to_you", N_("Berichten die ik je uit mezelf stuurde: {n}")),
    ("calls_you_created", N_("Oproepen die je maakte: {n}")),
    ("rounds_you_created", N_("Bevragingen die je maakte: {n}")),
    ("projects_you_took_up", N_("Projecten die je opnam voor je organisatie: {n}")),
    ("conversations_you_asked_for", N_("Gesprekken die je als partner vroeg: {n}")),
    ("audit", N_("Wat er met je toestemming en gegevens gebeurde (logboek): {n}")),
)


def summary(ctx: Context, document: dict[str, Any]) -> str:
    """The export in a few readable lines, in the person's language."""
    t, person = ctx.t, ctx.known_person
    lines = [
        t(N_("Dit bewaar ik over jou:")),
        "• "
        + t(
            N_("Je profiel: {name}, {neighbourhood}, je keuzes en je taal"),
            name=person.display_name or "–",
            neighbourhood=t(label(NEIGHBOURHOODS, person.neighbourhood)) if person.neighbourhood else "–",
        ),
        "• "
        + t(
            N_("Je ja van {date} (privacyversie {version})"),
            date=t.date(person.consent_at.date()) if person.consent_at else "–",
            version=person.consent_version or "–",
        ),
    ]
    counts = {key: len(document[key]) for key, _ in SUMMARY_LINES}
    counts["messages_to_you"] = sum(row["state"] == "sent" for row in document["messages_to_you"])  # not those held
    lines += ["• " + t(text, n=counts[key]) for key, text in SUMMARY_LINES if counts[key]]
    lines += ["", t(N_("In het bestand staat alles in detail."))]
    return "\n".join(lines)


def in_words(ctx: Context, told: str) -> dict[str, Any]:
    """The file's first part, for a person rather than a computer: what it is, the profile with its
    labels and values in the person's language, and the summary they got in the chat."""
    from handlers.people import profile as profiles  # it imports onboarding, which imports this module

    t = ctx.t
    profile = {}
    for step in profiles.STEPS:
        value = profiles._value(ctx, step.name)
        profile[t(step.label)] = step.show(value, t) if value not in (None, [], "") else t(N_("(nog niet ingevuld)"))
    return {
        "about": t(
            N_(
                "Dit is alles wat ik over je bewaar. Eerst in woorden; daarna alles in detail, zoals de computer "
                "het bewaart (tijden in UTC, stille uren in minuten na middernacht)."
            )
        ),
        "profile": profile,
        "summary": told.splitlines()[1:-2],
    }


async def before_erasure(scope: Scope, person: Person) -> None:
    """Before someone is erased: their places go to the next on each waitlist, their
    conversations with partners (or residents) end, the other side told, their answers to rounds
    still open go, and those to closed rounds stay in the counts without them or their words; their
    supports and follows go, and the ideas' counts drop."""
    held = await Calls(scope.session).sign_ups_of(person, (*HOLDING, SignUpState.WAITLISTED))
    for sign_up in held:
        await calls.cancel_sign_up(scope.session, scope.settings, sign_up, scope.now)
    await projects.end_conversations(scope, person)
    await rounds.forget_person(scope.session, person, scope.now)
    await backing.withdraw_all(scope.session, person)


async def forget_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    if not answers["sure"]:
        ctx.say(t(N_("Oké, ik wis niets. Alles blijft zoals het was.")))
        return
    farewell = t(N_("Alles is gewist. Bedankt om mee te doen! Je bent altijd welkom terug: typ /start."))
    person = ctx.known_person
    await before_erasure(ctx, person)
    await ctx.people.erase(person)
    await ctx.audit.record("person_erased", ctx.now, version=ctx.settings.privacy_version)
    ctx.person = ctx.identity = None
    ctx.say(farewell)


FORGET_FLOW = Flow(
    name="forget",
    confirm=False,
    on_done=forget_done,
    cancelled=N_("Oké, ik wis niets."),
    steps=[
        YesNoStep(
            name="sure",
            label=N_("Alles wissen"),
            options=(Option("yes", N_("Ja, wis mijn gegevens")), Option("no", N_("Nee, toch niet"))),
            prompt=N_(
                "Je profiel, je aanbod, je inschrijvingen, je antwoorden op lopende bevragingen en je gesprek "
                "met mij verdwijnen dan. Je ideeën en scores blijven bestaan, maar zonder je naam. Van afgesloten "
                "bevragingen tellen je keuzes nog mee, zonder je naam en zonder wat je zelf schreef. "
                "Dit kan ik niet terugdraaien.\n\n"
                "Wil je je gegevens wissen?"
            ),
        )
    ],
)


async def start_forget(ctx: Context) -> None:
    """Ask for a clear yes; first say what stays of someone's work for the city (calls, rounds, projects)."""
    person = ctx.known_person
    made = [
        *await ctx.people.rows_of(Call, person, "created_by"),
        *await ctx.people.rows_of(Round, person, "created_by"),
        *await ctx.people.rows_of(Project, person, "adopted_by"),
    ]
    if made:
        ctx.say(
            ctx.t(
                N_(
                    "Oproepen, bevragingen en projecten die je voor de stad maakte, blijven staan voor wie "
                    "meedoet, maar zonder je naam."
                )
            )
        )
    await ctx.dialogue.start(ctx, FORGET_FLOW)


def exercises_a_right(ctx: Context) -> bool:
    """Whether this turn asks for the privacy text, the export or erasure (their commands and
    buttons, or an answer in the erasure dialogue): rights that hold with or without consent."""
    event, tapped = ctx.event, ctx.event.action if ctx.event.kind == "tap" else None
    if event.command is not None:
        return event.command in (*PRIVACY_NAMES, *EXPORT_NAMES, *FORGET_NAMES)
    if tapped is not None and tapped.route == PRIVACY:
        return True
    erasing = ctx.conversation is not None and ctx.conversation.flow == FORGET_FLOW.name
    return erasing and (tapped is None or tapped.route == DIALOGUE)
