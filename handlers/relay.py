"""Contact only with a yes: when a partner takes up an idea, its author is asked whether that
partner may write to them. After a yes, the bot carries messages both ways (a thread in the
partner's Slack conversation, labelled messages with an "Antwoorden" button on the author's
side); neither sees the other's account, and either side can close the conversation."""
from __future__ import annotations

import secrets
from typing import Any

from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.i18n import N_
from bot.replies import Action, Button, Message, Reply
from handlers import purposes
from handlers.contributions import short
from storage.models import Idea, Organisation, OutboxMessage, Person, Project, Relay

RELAY = "relay"  # route: Action.of(RELAY, "allow" | "deny", project id), Action.of(RELAY, "answer" | "close", relay id)
FROM_PARTNER, FROM_AUTHOR = "partner", "author"


async def ask_author(ctx: Scope, project: Project, idea: Idea) -> None:
    """After an adoption: may this organisation write to the author?"""
    author = await ctx.session.get(Person, idea.author_id) if idea.author_id else None
    if author is not None:
        await purposes.queue(ctx.session, ctx.settings, key=f"project:{project.id}:contact", person=author,
                             purpose=purposes.CONTACT_ASK, now=ctx.now, payload={"project_id": project.id})


async def _about(ctx: Scope, project: Project | None) -> tuple[Idea | None, Organisation | None]:
    if project is None:
        return None, None
    idea = await ctx.session.get(Idea, project.idea_id) if project.idea_id else None
    return idea, await ctx.session.get(Organisation, project.organisation_id)


# -- what each side reads -------------------------------------------------------------------


async def render_ask(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    project = await ctx.session.get(Project, row.payload.get("project_id"))
    idea, organisation = await _about(ctx, project)
    if idea is None or idea.author_id != ctx.person.id or await ctx.relays.of(project, ctx.person):
        return []
    t = ctx.t
    return [Message(t(N_("{organisation} pakt je idee “{idea}” op en wil je graag spreken. Ze zien dan je voornaam "
                         "en wat je hier antwoordt, niet je telefoonnummer of account. Mogen ze je berichten sturen "
                         "via mij?"), organisation=organisation.name, idea=short(idea.idea)),
                    (Button(t(N_("Ja, dat mag")), Action.of(RELAY, "allow", project.id), style="primary"),
                     Button(t(N_("Liever niet")), Action.of(RELAY, "deny", project.id))))]


async def render_opened(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """To the partner: the start of the conversation; they answer in its thread."""
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None or relay.closed_at is not None:
        return []
    project = await ctx.session.get(Project, relay.project_id)
    idea, _ = await _about(ctx, project)
    author = await ctx.session.get(Person, relay.person_id)
    t = ctx.t
    return [Message(t(N_("{name}, die het idee “{idea}” deelde, zegt ja: je kunt berichten sturen. Antwoord in "
                         "de draad onder dit bericht, dan stuur ik het door."),
                      name=author.display_name or "–", idea=short(idea.idea) if idea else "–"),
                    (Button(t(N_("Gesprek sluiten")), Action.of(RELAY, "close", relay.id)),))]


async def render_refused(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    project = await ctx.session.get(Project, row.payload.get("project_id"))
    idea, _ = await _about(ctx, project)
    return [Message(ctx.t(N_("De indiener van “{idea}” wil liever niet rechtstreeks gecontacteerd worden. Hou "
                             "hem of haar op de hoogte met de fases van het project."),
                          idea=short(idea.idea) if idea else "–"))]


async def render_message(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None or relay.closed_at is not None:
        return []
    t, text, sender = ctx.t, row.payload.get("text", ""), row.payload.get("name") or "–"
    if row.payload.get("from") == FROM_PARTNER:  # to the author, with their way to answer
        return [Message(t(N_("💬 Bericht van {name}:"), name=sender) + "\n\n" + text,
                        (Button(t(N_("Antwoorden")), Action.of(RELAY, "answer", relay.id), style="primary"),
                         Button(t(N_("Gesprek sluiten")), Action.of(RELAY, "close", relay.id))))]
    return [Message(f"💬 {sender}: {text}", reply_to=await _thread(ctx, relay))]


async def render_closed(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    relay = await ctx.session.get(Relay, row.payload.get("relay_id"))
    if relay is None:
        return []
    return [Message(ctx.t(N_("Het gesprek via Gangmaker is gesloten. Er gaan geen berichten meer heen en weer.")),
                    reply_to=await _thread(ctx, relay) if row.payload.get("to") == FROM_PARTNER else None)]


async def _thread(ctx: Scope, relay: Relay) -> str | None:
    """The partner's thread: the message that opened the conversation, once it was sent."""
    return await ctx.relays.sent_id(f"relay:{relay.id}:opened")


# -- what each side does -------------------------------------------------------------------------


async def on_relay_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    if tapped.verb in ("allow", "deny"):
        await _answer_ask(ctx, await ctx.find(Project, tapped.id), tapped.verb == "allow")
        return
    relay = await ctx.find(Relay, tapped.id)
    project = await ctx.find(Project, relay.project_id) if relay else None
    side = _side(ctx, relay, project)
    if relay is None or side is None or tapped.verb not in ("answer", "close"):
        ctx.notice(t(N_("Deze knop is verlopen.")))
    elif relay.closed_at is not None:
        ctx.say(t(N_("Dit gesprek is al gesloten.")))
    elif tapped.verb == "answer" and side == FROM_AUTHOR:
        await ctx.dialogue.start(ctx, REPLY_FLOW.name, {"_relay_id": relay.id})
    elif tapped.verb == "close":
        relay.closed_at = ctx.now
        await ctx.audit.record("relay_closed", ctx.now, ctx.person, relay=relay.id, by=side)
        other = await ctx.find(Person, project.adopted_by if side == FROM_AUTHOR else relay.person_id)
        if other is not None:
            await purposes.queue(ctx.session, ctx.settings, key=f"relay:{relay.id}:closed", person=other,
                                 purpose=purposes.RELAY_CLOSED, now=ctx.now,
                                 payload={"relay_id": relay.id, "to": FROM_PARTNER if side == FROM_AUTHOR
                                          else FROM_AUTHOR})
        ctx.say(t(N_("Het gesprek is gesloten. Er gaan geen berichten meer heen en weer.")))
    else:
        ctx.notice(t(N_("Deze knop is verlopen.")))


def _side(ctx: Context, relay: Relay | None, project: Project | None) -> str | None:
    """Whether the person tapping is the author or the partner of this conversation (else None)."""
    if relay is None or project is None:
        return None
    if ctx.person.id == relay.person_id:
        return FROM_AUTHOR
    return FROM_PARTNER if ctx.person.id == project.adopted_by else None


async def _answer_ask(ctx: Context, project: Project | None, allowed: bool) -> None:
    t = ctx.t
    idea, organisation = await _about(ctx, project)
    if idea is None or idea.author_id != ctx.person.id:
        ctx.notice(t(N_("Deze knop is verlopen.")))
        return
    if await ctx.relays.of(project, ctx.person) is not None:
        ctx.notice(t(N_("Dat heb je al gezegd.")))
        return
    partner = await ctx.find(Person, project.adopted_by)
    if not allowed:
        await ctx.audit.record("contact_refused", ctx.now, ctx.person, organisation=organisation.name)
        if partner is not None:
            await purposes.queue(ctx.session, ctx.settings, key=f"project:{project.id}:contact:no", person=partner,
                                 purpose=purposes.RELAY_REFUSED, now=ctx.now, payload={"project_id": project.id})
        ctx.say(t(N_("Oké, ik geef niets door. Je hoort via mij hoe het project verder gaat.")))
        return
    relay = Relay(project_id=project.id, person_id=ctx.person.id, opened_at=ctx.now)
    ctx.session.add(relay)
    await ctx.session.flush()
    await ctx.audit.record("contact_shared", ctx.now, ctx.person, organisation=organisation.name, relay=relay.id)
    if partner is not None:
        await purposes.queue(ctx.session, ctx.settings, key=f"relay:{relay.id}:opened", person=partner,
                             purpose=purposes.RELAY_OPENED, now=ctx.now, payload={"relay_id": relay.id})
    ctx.say(t(N_("Fijn. {organisation} kan je nu berichten sturen via mij. Antwoorden doe je met de knop onder "
                 "hun bericht; stoppen kan altijd met “Gesprek sluiten”."), organisation=organisation.name))


async def on_reply(ctx: Context) -> bool:
    """A partner writes in the thread of a conversation: carry it to the author."""
    thread = await ctx.relays.sent_as(ctx.event.reply_to, ctx.person, purposes.RELAY_OPENED.name)
    relay = await ctx.find(Relay, thread.payload.get("relay_id")) if thread else None
    if relay is None:
        return False
    if relay.closed_at is not None:
        ctx.say(ctx.t(N_("Dit gesprek is gesloten; je bericht is niet doorgestuurd.")), reply_to=ctx.event.reply_to)
        return True
    await _carry(ctx, relay, await ctx.find(Person, relay.person_id), FROM_PARTNER, ctx.event.text)
    ctx.notice(ctx.t(N_("Doorgestuurd.")))
    return True


async def _carry(ctx: Context, relay: Relay, to: Person | None, sender: str, text: str) -> None:
    if to is None:
        return
    name = ctx.person.display_name or ctx.t(N_("een partner"))
    if sender == FROM_PARTNER:
        project = await ctx.find(Project, relay.project_id)
        organisation = await ctx.find(Organisation, project.organisation_id)
        name = f"{name} ({organisation.name})"
    await purposes.queue(ctx.session, ctx.settings, key=f"relay:{relay.id}:{secrets.token_hex(6)}", person=to,
                         purpose=purposes.RELAY_MESSAGE, now=ctx.now,
                         payload={"relay_id": relay.id, "from": sender, "name": name, "text": text})


async def reply_done(ctx: Context, answers: dict[str, Any]) -> None:
    relay = await ctx.find(Relay, answers.get("_relay_id"))
    if relay is None or relay.person_id != ctx.person.id or relay.closed_at is not None:
        ctx.say(ctx.t(N_("Dit gesprek is gesloten; je bericht is niet doorgestuurd.")))
        return
    project = await ctx.find(Project, relay.project_id)
    await _carry(ctx, relay, await ctx.find(Person, project.adopted_by), FROM_AUTHOR, answers["text"])
    ctx.say(ctx.t(N_("Doorgestuurd.")))


REPLY_FLOW = Flow(
    name="relay_reply", confirm=False, on_done=reply_done, summary_title=N_("Je antwoord"),
    cancelled=N_("Oké, ik stuur niets door."),
    steps=[TextStep(name="text", label=N_("Je antwoord"), min_length=1, max_length=2000,
                    prompt=N_("Wat wil je antwoorden? Ik stuur het meteen door."))],
)

RENDERERS = {purposes.CONTACT_ASK.name: render_ask, purposes.RELAY_OPENED.name: render_opened,
             purposes.RELAY_REFUSED.name: render_refused, purposes.RELAY_MESSAGE.name: render_message,
             purposes.RELAY_CLOSED.name: render_closed}
