"""Moderation: every new idea reaches the coordinators' room as a card; a coordinator publishes it
(partners see it), rejects it with a reason, or blocks its author; the author hears the outcome."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from babel import Locale

from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import Purpose, enqueue_room
from bot.replies import Action, Button, Card, CardLine, Confirm, Message, Reply, Room, short
from handlers import projects
from handlers.common import pushing
from handlers.common.domain import PUBLIC_IDEAS, IdeaState, Role, SharedRoom, small_count
from handlers.common.options import IDEA_STATES, NEIGHBOURHOODS, THEMES, label
from handlers.ideas.contacts import holds_contact
from handlers.ideas.likeness import alike
from storage.models import Idea, OutboxMessage, Person

# What became of the person's own idea; the one notice someone blocked gets; the new idea's card
# for the coordinators.
IDEA_OUTCOME = Purpose("idea_outcome", quiet=True)
BLOCKED = Purpose("blocked", to_blocked=True)
MODERATION = Purpose("moderation")

WAITING = 100  # the most ideas the waiting list shows (and counts) at once
MODERATE = "mod"  # route: Action.of(MODERATE, "publish" | "reject" | "block", idea id), ("unblock", person id)


async def submitted(ctx: Scope, idea: Idea) -> None:
    """A new idea: queue its card for the coordinators' room."""
    await enqueue_room(
        ctx.session,
        key=f"idea:{idea.id}:moderate",
        room=SharedRoom.COORDINATORS,
        purpose=MODERATION,
        now=ctx.now,
        payload={"idea_id": idea.id},
    )


def idea_card(ctx: Scope, idea: Idea, buttons: tuple[Button, ...] = (), lead: str = "") -> Card:
    """The idea as the resident wrote it, without their name."""
    t = ctx.t
    lines = [
        CardLine(idea.problem, t(N_("Wat ze zien"))),
        CardLine(idea.idea, t(N_("Het idee"))),
        CardLine(idea.prototype or "–", t(N_("Klein uitproberen"))),
        CardLine(t(label(THEMES, idea.theme)), t(N_("Thema"))),
        CardLine(t(label(NEIGHBOURHOODS, idea.place)), t(N_("Plaats"))),
        CardLine(t(N_("Ja")) if idea.will_help else t(N_("Nee")), t(N_("Helpt zelf mee"))),
    ]
    if idea.photo:
        lines.append(CardLine(t(N_("Er is een foto bij.")), icon="📷"))
    backing = backing_line(ctx, idea)
    if backing is not None:
        lines.append(backing)
    return Card(t(N_("Idee #{id}"), id=idea.id), tuple(lines), buttons, icon="💡", lead=lead)


def backing_line(ctx: Scope, idea: Idea) -> CardLine | None:
    """How many support and follow a public idea (or its project): counts, never names, and a
    count under 5 as "< 5" (the small-group rule). Nothing before it is public."""
    if idea.state not in PUBLIC_IDEAS:
        return None

    return CardLine(
        ctx.t(
            N_("{supporters} steunen dit · {followers} volgen dit"),
            supporters=small_count(idea.supporters),
            followers=small_count(idea.followers),
        ),
        ctx.t(N_("Steun")),
        icon="👍",
    )


def moderation_buttons(ctx: Scope, idea: Idea) -> tuple[Button, ...]:
    t = ctx.t
    return (
        Button(t(N_("Publiceren")), Action.of(MODERATE, "publish", idea.id), style="primary"),
        Button(t(N_("Afwijzen")), Action.of(MODERATE, "reject", idea.id)),
        Button(
            t(N_("Indiener blokkeren")),
            Action.of(MODERATE, "block", idea.id),
            style="danger",
            confirm=Confirm(
                t(N_("Blokkeren?")),
                t(N_("Wat deze persoon nog stuurt, bewaren en tonen we niet meer. Je kunt dit ongedaan maken.")),
                t(N_("Blokkeren")),
                t(N_("Nee")),
            ),
        ),
    )


async def waiting(ctx: Context) -> list[Reply]:
    """The ideas that wait for a coordinator's judgement, the oldest first, each on its card."""
    lead = ctx.t(N_("Dit idee wacht op moderatie:"))
    return [
        idea_card(ctx, idea, moderation_buttons(ctx, idea), lead=lead)
        for idea in await ctx.ideas.in_state(IdeaState.SUBMITTED, WAITING)
    ]


# -- pushes -----------------------------------------------------------------------------------


async def _idea(ctx: Scope, row: OutboxMessage) -> Idea | None:
    return await ctx.session.get(Idea, row.payload.get("idea_id"))


async def render_moderation(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    idea = await _idea(ctx, row)
    if idea is None or idea.state != IdeaState.SUBMITTED:
        return []
    t = ctx.t
    card = idea_card(ctx, idea, moderation_buttons(ctx, idea), lead=t(N_("Een nieuw idee van een inwoner:")))
    return [replace(card, lines=card.lines + await _for_moderators(ctx, idea))]


SIMILAR_SHOWN, SIMILAR_LOOKED_AT = 3, 20  # the earlier ideas a card shows, of those sharing a word


async def _for_moderators(ctx: Scope, idea: Idea) -> tuple[CardLine, ...]:
    """What only the coordinators' card adds: the language the author reads (they read the reason
    of a rejection), a warning when the text holds a phone number or e-mail address (partners would
    read it as it is), and earlier ideas that are really alike (`likeness.ALIKE`)."""
    t = ctx.t
    lines = []
    author = await ctx.session.get(Person, idea.author_id) if idea.author_id else None
    if author is not None:
        language = Locale.parse(author.locale).get_display_name(t.babel_locale) or author.locale
        lines.append(CardLine(language, t(N_("Taal van de indiener"))))
    if any(holds_contact(text) for text in (idea.problem, idea.idea, idea.prototype or "")):
        warning = N_(
            "Er staat een telefoonnummer of e-mailadres in. Publiceer je, dan lezen de partners het ook. "
            "Liever niet? Wijs het idee af en vraag de indiener het zonder te delen."
        )
        lines.append(CardLine(t(warning), icon="⚠️"))
    words = f"{idea.problem} {idea.idea}"
    found = [o for o in await ctx.ideas.similar(idea, SIMILAR_LOOKED_AT) if alike(words, f"{o.problem} {o.idea}")]
    lines += [
        CardLine(f"#{other.id} {short(other.idea)} ({t(IDEA_STATES.get(other.state, other.state))})", t(N_("Lijkt op")))
        for other in found[:SIMILAR_SHOWN]
    ]
    return tuple(lines)


async def render_outcome(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    idea = await _idea(ctx, row)
    if idea is None or idea.author_id != ctx.known_person.id:
        return []
    t = ctx.t
    about = short(idea.idea)
    if idea.state == IdeaState.PUBLISHED:
        return [
            Message(
                t(
                    N_(
                        "Goed nieuws: je idee “{idea}” staat nu open voor de partners van Kortrijk 2030. "
                        "Pakt iemand het op, dan laat ik het je weten."
                    ),
                    idea=about,
                )
            )
        ]
    if idea.state == IdeaState.REJECTED:
        return [
            Message(
                t(
                    N_(
                        "Je idee “{idea}” zetten we niet open voor de partners. Dit schreef de medewerker "
                        "van de stad erbij:\n\n“{reason}”\n\nEen nieuw idee is altijd welkom met /idee."
                    ),
                    idea=about,
                    reason=idea.moderation_note or "–",
                )
            )
        ]
    return []


async def render_blocked(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    if ctx.known_person.blocked_at is None:
        return []
    return [
        Message(
            ctx.t(
                N_(
                    "De stad heeft je berichten hier stilgelegd. Wat je nog stuurt, bewaren we niet. "
                    "Denk je dat dit een vergissing is? Mail naar {contact}."
                ),
                contact=ctx.settings.privacy_contact,
            )
        )
    ]


# -- the coordinators' buttons ------------------------------------------------------------------


def moderator(ctx: Context) -> str:
    """The coordinator's name as others read it on a decision."""
    return ctx.known_person.display_name or ctx.t(N_("een coördinator"))


async def on_moderate_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    if tapped.verb == "unblock":
        await _unblock(ctx, await ctx.find(Person, tapped.id))
        return
    idea = await ctx.find(Idea, tapped.id)
    if idea is None or tapped.verb not in ("publish", "reject", "block"):
        raise Expired()
    elif idea.state != IdeaState.SUBMITTED:
        ctx.notice(t(N_("Dit idee is al behandeld door {name}."), name=idea.moderated_by or "–"))
    elif tapped.verb == "publish":
        _judge(ctx, idea, IdeaState.PUBLISHED)
        await queue_for_author(ctx, idea)
        await projects.offer_to_partners(ctx, idea)
        ctx.send(_decided(ctx, idea, t(N_("✅ Gepubliceerd door {name}."), name=idea.moderated_by)))
    elif tapped.verb == "reject":
        await ctx.dialogue.start(ctx, REJECT_FLOW, {"_idea_id": idea.id})
    else:
        await _block(ctx, idea)


def _judge(ctx: Context, idea: Idea, state: str, note: str | None = None) -> None:
    idea.state, idea.moderation_note = state, note
    idea.moderated_by, idea.moderated_at = moderator(ctx), ctx.now


def _decided(ctx: Context, idea: Idea, lead: str, buttons: tuple[Button, ...] = ()) -> Card:
    """The card redrawn in place: what was decided and by whom, without the moderation buttons."""
    return replace(idea_card(ctx, idea, buttons, lead=lead), replace="message")


async def _block(ctx: Context, idea: Idea) -> None:
    t = ctx.t
    author = await ctx.find(Person, idea.author_id)
    _judge(ctx, idea, IdeaState.REJECTED, t(N_("De indiener is geblokkeerd.")))
    if author is None:  # the author left and was erased: only the idea is taken off
        ctx.send(_decided(ctx, idea, t(N_("Het idee is afgewezen; de indiener is niet meer bij ons."))))
        return
    author.blocked_at = ctx.now
    await ctx.audit.record("person_blocked", ctx.now, author, by=moderator(ctx), idea=idea.id)
    await pushing.push(ctx, author, BLOCKED, key=f"person:{author.id}:blocked:{ctx.now.isoformat()}")
    undo = Button(t(N_("Deblokkeren")), Action.of(MODERATE, "unblock", author.id))
    ctx.send(_decided(ctx, idea, t(N_("⛔ De indiener is geblokkeerd door {name}."), name=idea.moderated_by), (undo,)))


async def _unblock(ctx: Context, person: Person | None) -> None:
    t = ctx.t
    if person is None or person.blocked_at is None:
        ctx.notice(t(N_("Deze persoon is niet geblokkeerd.")))
        return
    person.blocked_at = None
    await ctx.audit.record("person_unblocked", ctx.now, person, by=moderator(ctx))
    ctx.say(t(N_("De persoon is niet meer geblokkeerd. Nieuwe berichten komen weer binnen.")))


async def reject_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    idea = await ctx.find(Idea, answers.get("_idea_id"))
    if idea is None or idea.state != IdeaState.SUBMITTED:
        ctx.say(t(N_("Dit idee is al behandeld door {name}."), name=idea.moderated_by if idea else "–"))
        return
    _judge(ctx, idea, IdeaState.REJECTED, answers["reason"])
    await queue_for_author(ctx, idea)
    ctx.say(t(N_("Het idee is niet gepubliceerd. De indiener krijgt je uitleg.")))
    ctx.say(
        t(
            N_("Idee #{id} is afgewezen door {name}: {reason}"),
            id=idea.id,
            name=idea.moderated_by,
            reason=answers["reason"],
        ),
        to=Room(SharedRoom.COORDINATORS),
    )


REJECT_FLOW = Flow(
    name="reject_idea",
    confirm=False,
    form=True,
    role=Role.COORDINATOR,
    on_done=reject_done,
    summary_title=N_("Idee afwijzen"),
    cancelled=N_("Oké, het idee blijft wachten."),
    steps=[
        TextStep(
            name="reason",
            label=N_("Reden"),
            min_length=5,
            max_length=500,
            prompt=N_("Waarom zetten we dit idee niet open? De indiener leest dit."),
        )
    ],
)


async def queue_for_author(ctx: Scope, idea: Idea) -> None:
    """Tell the author (when they are still with us) what became of their idea."""
    author = await ctx.session.get(Person, idea.author_id) if idea.author_id else None
    if author is not None:
        await pushing.push(ctx, author, IDEA_OUTCOME, key=f"idea:{idea.id}:outcome", payload={"idea_id": idea.id})
