"""Contact only with a yes: when a partner takes up an idea, or asks about an offer, the resident
is asked whether that organisation may write to them. After a yes, the bot carries messages
both ways (a thread in the partner's Slack conversation, labelled messages with an
"Antwoorden" button on the resident's side); neither sees the other's account, and either
side can close the conversation. It also ends when the partner no longer belongs to the
organisation, and before either side is erased; the other side is told."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import Purpose
from bot.replies import Action, Button, Message, Reply, short
from handlers import offers
from handlers.common import pushing
from handlers.common.domain import ProjectPhase
from storage.models import Follow, Idea, Offer, Organisation, OutboxMessage, Person, Project, Relay
from storage.repositories import referenced

RELAY = "relay"  # route: Action.of(RELAY, "allow" | "deny" | "answer" | "close", relay id)
HELP = "phelp"  # route: Action.of(HELP, "offer" | "yes" | "no", project id): a follower offers to help
FROM_PARTNER, FROM_AUTHOR = "partner", "author"


# A partner and an idea's author talking through the bot, after the author's yes.
CONTACT_ASK = Purpose("contact_ask", quiet=True)
RELAY_OPENED = Purpose("relay_opened")
RELAY_REFUSED = Purpose("relay_refused")
RELAY_MESSAGE = Purpose("relay_message", quiet=True)
RELAY_CLOSED = Purpose("relay_closed")


async def ask(
    ctx: Scope,
    *,
    person_id: int | None,
    organisation: Organisation,
    partner: Person,
    project: Project | None = None,
    offer: Offer | None = None,
) -> bool:
    """Ask the resident whether this organisation may write to them (about the project made of
    their idea, or about their offer); False when they were asked before or are gone."""
    if person_id is None:
        return False
    existing = await ctx.relays.about(person_id, organisation.id, project=project, offer=offer)
    if existing is not None:
        return False
    relay = Relay(
        person_id=person_id,
        organisation_id=organisation.id,
        partner_id=partner.id,
        project_id=project.id if project else None,
        offer_id=offer.id if offer else None,
        asked_at=ctx.now,
    )
    ctx.session.add(relay)
    await ctx.session.flush()
    await pushing.push(
        ctx,
        await referenced(ctx.session, Person, person_id),
        CONTACT_ASK,
        key=f"relay:{relay.id}:ask",
        payload={"relay_id": relay.id},
    )
    return True


async def _subject(ctx: Scope, relay: Relay) -> tuple[str, str]:
    """What the conversation is about ("idea" or "offer") and its short text, in the reader's words."""
    if relay.offer_id is not None:
        offer = await ctx.find(Offer, relay.offer_id)
        return "offer", short(offers.describe_offer(offer, ctx.t)) if offer else "–"
    project = await ctx.find(Project, relay.project_id)
    idea = await ctx.find(Idea, project.idea_id) if project else None
    return "idea", short(idea.idea) if idea else "–"


async def _authored(ctx: Scope, relay: Relay) -> bool:
    """Whether the resident of this conversation about a project shared its idea (else they follow it)."""
    project = await ctx.find(Project, relay.project_id)
    idea = await ctx.find(Idea, project.idea_id) if project and project.idea_id else None
    return idea is not None and idea.author_id == relay.person_id


async def _organisation(ctx: Scope, relay: Relay) -> str:
    organisation = await ctx.find(Organisation, relay.organisation_id)
    return organisation.name if organisation else "–"


# -- what each side reads -------------------------------------------------------------------


async def render_ask(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None or relay.person_id != ctx.known_person.id or relay.opened_at or relay.closed_at:
        return []
    if not await partner_belongs(ctx, relay):  # the partner who asked left the organisation meanwhile
        return []
    t = ctx.t
    kind, about = await _subject(ctx, relay)
    question = (
        N_("{organisation} pakt je idee “{idea}” op en wil je graag spreken.")
        if kind == "idea"
        else N_("{organisation} wil graag met je praten over je aanbod “{offer}”.")
    )
    return [
        Message(
            t(question, organisation=await _organisation(ctx, relay), idea=about, offer=about)
            + " "
            + t(
                N_(
                    "Ze zien dan je voornaam en wat je hier antwoordt, niet je telefoonnummer of account. "
                    "Mogen ze je berichten sturen via mij?"
                )
            ),
            (
                Button(t(N_("Ja, dat mag")), Action.of(RELAY, "allow", relay.id), style="primary"),
                Button(t(N_("Liever niet")), Action.of(RELAY, "deny", relay.id)),
            ),
        )
    ]


async def render_opened(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """To the partner: the start of the conversation; they answer in its thread."""
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None or relay.closed_at is not None:
        return []
    resident = await referenced(ctx.session, Person, relay.person_id)
    kind, about = await _subject(ctx, relay)
    t = ctx.t
    if kind == "offer":
        who = N_("{name}, die “{offer}” aanbiedt, zegt ja: je kunt berichten sturen.")
    elif await _authored(ctx, relay):
        who = N_("{name}, die het idee “{idea}” deelde, zegt ja: je kunt berichten sturen.")
    else:
        who = N_("{name}, die het project “{idea}” volgt, wil graag meehelpen: je kunt berichten sturen.")
    return [
        Message(
            t(who, name=resident.display_name or "–", idea=about, offer=about)
            + " "
            + t(
                N_(
                    "Antwoord met de knop hieronder (op Slack ook in de draad onder dit bericht), dan stuur ik het door."
                )
            ),
            _answer_buttons(ctx, relay),
        )
    ]


def _answer_buttons(ctx: Scope, relay: Relay) -> tuple[Button, ...]:
    """Answer (a typed reply, on every channel) or close the conversation."""
    t = ctx.t
    return (
        Button(t(N_("Antwoorden")), Action.of(RELAY, "answer", relay.id), style="primary"),
        Button(t(N_("Gesprek sluiten")), Action.of(RELAY, "close", relay.id)),
    )


async def render_refused(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None:
        return []
    kind, about = await _subject(ctx, relay)
    if kind == "idea":
        return [
            Message(
                ctx.t(
                    N_(
                        "De indiener van “{idea}” wil liever niet rechtstreeks gecontacteerd worden. Hou "
                        "hem of haar op de hoogte met de fases van het project."
                    ),
                    idea=about,
                )
            )
        ]
    return [
        Message(ctx.t(N_("Wie “{offer}” aanbiedt, wil liever niet rechtstreeks gecontacteerd worden."), offer=about))
    ]


async def render_message(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None or relay.closed_at is not None:
        return []
    t, text, sender = ctx.t, row.payload.get("text", ""), row.payload.get("name") or "–"
    if row.payload.get("from") == FROM_PARTNER:  # to the resident, with their way to answer
        return [Message(t(N_("💬 Bericht van {name}:"), name=sender) + "\n\n" + text, _answer_buttons(ctx, relay))]
    return [Message(f"💬 {sender}: {text}", _answer_buttons(ctx, relay), reply_to=await _thread(ctx, relay.id))]


async def render_closed(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """To either side: the conversation ended. Read from the row alone: when the resident was
    erased, the conversation went with them, and the partner is still told (in its thread)."""
    relay_id = row.payload.get("relay_id")
    return [
        Message(
            ctx.t(N_("Het gesprek via Gangmaker is gesloten. Er gaan geen berichten meer heen en weer.")),
            reply_to=await _thread(ctx, relay_id) if row.payload.get("to") == FROM_PARTNER else None,
        )
    ]


async def _thread(ctx: Scope, relay_id: int | None) -> str | None:
    """The partner's thread: the message that opened the conversation, once it was sent."""
    return await ctx.sent.sent_id(f"relay:{relay_id}:opened")


# -- when a conversation ends ----------------------------------------------------------------------


async def partner_belongs(ctx: Scope, relay: Relay) -> bool:
    """Whether the partner of this conversation still belongs to its organisation (through any of
    their accounts); one who left it, lost the role or was erased no longer speaks for it."""
    partner = await ctx.find(Person, relay.partner_id)
    if partner is None:
        return False
    for identity in await ctx.people.identities_of(partner):
        organisations = await ctx.roles.organisations_of(identity.channel, identity.external_id)
        if relay.organisation_id in {organisation.id for organisation in organisations}:
            return True
    return False


async def _close(ctx: Scope, relay: Relay, *, tell: tuple[str, ...], by: str, person: Person | None = None) -> None:
    """Close the conversation and tell the sides in `tell` (FROM_AUTHOR, FROM_PARTNER) that it ended."""
    relay.closed_at = ctx.now
    await ctx.audit.record("relay_closed", ctx.now, person, relay=relay.id, by=by)
    for side in tell:
        reader = await ctx.find(Person, relay.person_id if side == FROM_AUTHOR else relay.partner_id)
        if reader is not None:
            await pushing.push(
                ctx,
                reader,
                RELAY_CLOSED,
                key=f"relay:{relay.id}:closed:{side}",
                payload={"relay_id": relay.id, "to": side},
            )


async def _still_open(ctx: Context, relay: Relay, side: str) -> bool:
    """Whether the conversation is open for this turn. One whose partner no longer belongs to
    the organisation is closed now, and the other side is told."""
    if relay.closed_at is not None or relay.opened_at is None:
        return False
    if await partner_belongs(ctx, relay):
        return True
    other = FROM_PARTNER if side == FROM_AUTHOR else FROM_AUTHOR
    await _close(ctx, relay, tell=(other,), by="left_organisation")
    return False


async def end_conversations(ctx: Scope, person: Person) -> int:
    """Before a person is erased: close every open conversation they are in, and tell the other side."""
    relays = await ctx.relays.open_with(person)
    for relay in relays:
        other = FROM_PARTNER if relay.person_id == person.id else FROM_AUTHOR
        await _close(ctx, relay, tell=(other,), by="erased")
    return len(relays)


async def end_former_partners_conversations(ctx: Scope, person: Person) -> int:
    """After a partner left an organisation or lost the role: close the conversations they carried
    for it, and tell both sides."""
    closed = 0
    for relay in await ctx.relays.open_with(person):
        if relay.partner_id == person.id and not await partner_belongs(ctx, relay):
            await _close(ctx, relay, tell=(FROM_AUTHOR, FROM_PARTNER), by="left_organisation")
            closed += 1
    return closed


# -- a follower offers to help -------------------------------------------------------------------


def help_button(ctx: Scope, project: Project) -> Button:
    """Under a project's news for its followers: offer to help, which asks for their yes first."""
    return Button(ctx.t(N_("Ik wil meehelpen")), Action.of(HELP, "offer", project.id))


async def on_help_button(ctx: Context, tapped: Action) -> None:
    """A follower offers to help: told what the partner will see, and only their yes opens a
    conversation with the partner who took the idea up. Someone who does not follow the project,
    or a stopped project, changes nothing."""
    t, person = ctx.t, ctx.known_person
    project = await ctx.find(Project, tapped.id)
    idea = await ctx.find(Idea, project.idea_id) if project and project.idea_id else None
    follows = idea is not None and await ctx.session.scalar(
        select(Follow.id).where(Follow.idea_id == idea.id, Follow.person_id == person.id)
    )
    if (
        project is None
        or not follows
        or project.phase == ProjectPhase.STOPPED
        or tapped.verb not in ("offer", "yes", "no")
    ):
        raise Expired()
    assert idea is not None
    organisation = await ctx.find(Organisation, project.organisation_id)
    name = organisation.name if organisation else "–"
    existing = await ctx.relays.about(person.id, project.organisation_id, project=project)
    if existing is not None:
        ctx.say(
            t(N_("Je kunt al met {organisation} praten: antwoord onder hun bericht."), organisation=name)
            if existing.opened_at and not existing.closed_at
            else t(N_("Dat heb je al gezegd."))
        )
    elif tapped.verb == "offer":
        ctx.say(
            t(
                N_("Wil je meehelpen aan “{idea}”? Dan laat ik {organisation} weten dat je dat wil."),
                idea=short(idea.idea),
                organisation=name,
            )
            + " "
            + t(
                N_(
                    "{organisation} ziet dan je voornaam en wat je hier antwoordt, niet je telefoonnummer of account. Mag dat?"
                ),
                organisation=name,
            ),
            [
                Button(t(N_("Ja, dat mag")), Action.of(HELP, "yes", project.id), style="primary"),
                Button(t(N_("Liever niet")), Action.of(HELP, "no", project.id)),
            ],
        )
    elif tapped.verb == "no":
        ctx.say(t(N_("Oké, ik geef niets door.")))
    else:
        await _open_for_follower(ctx, project, name)


async def _open_for_follower(ctx: Context, project: Project, organisation: str) -> None:
    """After the follower's yes: the conversation opens with the partner who took the idea up, while
    that partner still speaks for the organisation."""
    t, person = ctx.t, ctx.known_person
    relay = Relay(
        person_id=person.id,
        organisation_id=project.organisation_id,
        partner_id=project.adopted_by,
        project_id=project.id,
        asked_at=ctx.now,
        opened_at=ctx.now,
    )
    partner = await ctx.find(Person, project.adopted_by) if project.adopted_by else None
    if partner is None or not await partner_belongs(ctx, relay):
        ctx.say(
            t(
                N_("{organisation} is nu niet te bereiken via mij. Je blijft hun nieuws wel krijgen."),
                organisation=organisation,
            )
        )
        return
    ctx.session.add(relay)
    await ctx.session.flush()
    await _opened(ctx, relay, partner, organisation)


# -- what each side does -------------------------------------------------------------------------


async def on_relay_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    relay = await ctx.find(Relay, tapped.id)
    side = _side(ctx, relay)
    if relay is None or side is None or tapped.verb not in ("allow", "deny", "answer", "close"):
        raise Expired()
    elif tapped.verb in ("allow", "deny"):
        await _answer_ask(ctx, relay, side, tapped.verb == "allow")
    elif not await _still_open(ctx, relay, side):
        ctx.say(t(N_("Dit gesprek is al gesloten.")))
    elif tapped.verb == "answer":
        await ctx.dialogue.start(ctx, REPLY_FLOW, {"_relay_id": relay.id})
    elif tapped.verb == "close":
        other = FROM_PARTNER if side == FROM_AUTHOR else FROM_AUTHOR
        await _close(ctx, relay, tell=(other,), by=side, person=ctx.known_person)
        ctx.say(t(N_("Het gesprek is gesloten. Er gaan geen berichten meer heen en weer.")))
    else:
        raise Expired()


def _side(ctx: Context, relay: Relay | None) -> str | None:
    """Whether the person tapping is the resident or the partner of this conversation (else None)."""
    if relay is None:
        return None
    person = ctx.known_person
    if person.id == relay.person_id:
        return FROM_AUTHOR
    return FROM_PARTNER if person.id == relay.partner_id else None


async def _answer_ask(ctx: Context, relay: Relay, side: str, allowed: bool) -> None:
    t = ctx.t
    if side != FROM_AUTHOR:
        raise Expired()
    if relay.opened_at is not None or relay.closed_at is not None:
        ctx.notice(t(N_("Dat heb je al gezegd.")))
        return
    organisation = await _organisation(ctx, relay)
    partner = await ctx.find(Person, relay.partner_id)
    if allowed and not await partner_belongs(ctx, relay):
        await _close(ctx, relay, tell=(), by="left_organisation")
        ctx.say(t(N_("Deze vraag is intussen ingetrokken. Ik geef niets door.")))
        return
    if not allowed:
        relay.closed_at = ctx.now
        await ctx.audit.record("contact_refused", ctx.now, ctx.known_person, organisation=organisation)
        if partner is not None:
            await pushing.push(ctx, partner, RELAY_REFUSED, key=f"relay:{relay.id}:no", payload={"relay_id": relay.id})
        kind, _ = await _subject(ctx, relay)
        ctx.say(
            t(
                N_("Oké, ik geef niets door. Je hoort via mij hoe het project verder gaat.")
                if kind == "idea"
                else N_("Oké, ik geef niets door.")
            )
        )
        return
    relay.opened_at = ctx.now
    await _opened(ctx, relay, partner, organisation)


async def _opened(ctx: Context, relay: Relay, partner: Person | None, organisation: str) -> None:
    """The resident said yes and the conversation is open: audited, the partner told, the resident too."""
    await ctx.audit.record("contact_shared", ctx.now, ctx.known_person, organisation=organisation, relay=relay.id)
    if partner is not None:
        await pushing.push(ctx, partner, RELAY_OPENED, key=f"relay:{relay.id}:opened", payload={"relay_id": relay.id})
    ctx.say(
        ctx.t(
            N_(
                "Fijn. {organisation} kan je nu berichten sturen via mij. Antwoorden doe je met de knop onder "
                "hun bericht; stoppen kan altijd met “Gesprek sluiten”."
            ),
            organisation=organisation,
        )
    )


async def on_reply(ctx: Context) -> bool:
    """A partner writes in the thread of a conversation: carry it to the author, while it is open."""
    if ctx.event.reply_to is None:
        return False  # the core asks only about an answer in a thread
    thread = await ctx.sent.sent_as(ctx.event.reply_to, ctx.known_person, RELAY_OPENED.name)
    if thread is None:
        return False
    # Gone with the resident's erasure, closed by either side, or its partner left the organisation.
    relay = await ctx.find(Relay, thread.payload.get("relay_id"))
    if relay is None or not await _still_open(ctx, relay, FROM_PARTNER):
        ctx.say(ctx.t(N_("Dit gesprek is gesloten; je bericht is niet doorgestuurd.")), reply_to=ctx.event.reply_to)
        return True
    await _carry(ctx, relay, await ctx.find(Person, relay.person_id), FROM_PARTNER, ctx.event.text)
    ctx.notice(ctx.t(N_("Doorgestuurd.")))
    return True


async def _carry(ctx: Context, relay: Relay, to: Person | None, sender: str, text: str) -> None:
    if to is None:
        return
    name = ctx.known_person.display_name or ctx.t(N_("een partner"))
    if sender == FROM_PARTNER:
        name = f"{name} ({await _organisation(ctx, relay)})"
    await pushing.push(
        ctx,
        to,
        RELAY_MESSAGE,
        key=f"relay:{relay.id}:{secrets.token_hex(6)}",
        payload={"relay_id": relay.id, "from": sender, "name": name, "text": text},
    )


async def reply_done(ctx: Context, answers: dict[str, Any]) -> None:
    """A typed answer, from either side: carried to the other while the conversation is open."""
    relay = await ctx.find(Relay, answers.get("_relay_id"))
    side = _side(ctx, relay)
    if relay is None or side is None or not await _still_open(ctx, relay, side):
        ctx.say(ctx.t(N_("Dit gesprek is gesloten; je bericht is niet doorgestuurd.")))
        return
    other = relay.partner_id if side == FROM_AUTHOR else relay.person_id
    await _carry(ctx, relay, await ctx.find(Person, other), side, answers["text"])
    ctx.say(ctx.t(N_("Doorgestuurd.")))


REPLY_FLOW = Flow(
    name="relay_reply",
    confirm=False,
    on_done=reply_done,
    summary_title=N_("Je antwoord"),
    cancelled=N_("Oké, ik stuur niets door."),
    steps=[
        TextStep(
            name="text",
            label=N_("Je antwoord"),
            min_length=1,
            max_length=2000,
            prompt=N_("Wat wil je antwoorden? Ik stuur het meteen door."),
        )
    ],
)
