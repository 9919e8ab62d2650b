"""Partners pick things up: joining an organisation (a coordinator approves), adopting a published
idea as a project, and moving it through the phases (explore, prototype, test, realised or
stopped) with a short update that the idea's author reads in their own language."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import func, select

from bot.context import Context, Scope
from bot.dialogue import Flow, TextStep
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import Purpose, enqueue_room
from bot.replies import Action, Button, Card, CardLine, Message, Reply, Room, Section, short
from handlers import calls, ideas, rounds, support
from handlers.common import pushing
from handlers.common.domain import PHASES, SMALL, TOOK_PART, UNDER, IdeaState, ProjectPhase, Role, SharedRoom
from handlers.common.options import PHASE_LABELS
from handlers.projects import relay
from storage.models import Idea, Identity, Organisation, OutboxMessage, Person, Project, ProjectUpdate
from storage.repositories import referenced

# A step of the project made of the person's idea; the answer to a request to join an organisation,
# and that request's card for the coordinators; a published idea's card for the partners.
PROJECT_NEWS = Purpose("project_news", quiet=True)
MEMBERSHIP = Purpose("membership")
MEMBERSHIP_REQUEST = Purpose("membership_request")
IDEA_PUBLISHED = Purpose("idea_published")

ADOPT = "adopt"  # route: Action.of(ADOPT, "idea", idea id[, organisation id])
PROJECT = "proj"  # route: Action.of(PROJECT, "show" | "next" | "stop" | "call" | "ask", project id)
QUIET = "pquiet"  # route: Action.of(QUIET, "mute", project id), for anyone who gets a project's news
MEMBER = "member"  # route: Action.of(MEMBER, "approve" | "deny", organisation id, identity id)
IDEA_STATE: dict[str, IdeaState] = {  # by the stored phase
    ProjectPhase.EXPLORE: IdeaState.ADOPTED,
    ProjectPhase.PROTOTYPE: IdeaState.PROTOTYPING,
    ProjectPhase.TEST: IdeaState.TESTED,
    ProjectPhase.REALISED: IdeaState.REALISED,
    ProjectPhase.STOPPED: IdeaState.ARCHIVED,
}


def _next(phase: str) -> str | None:
    index = PHASES.index(phase) if phase in PHASES else len(PHASES)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


async def organisations_of(ctx: Context) -> list[Organisation]:
    """The organisations the person writing is a partner of."""
    return await ctx.roles.organisations_of(ctx.known_identity.channel, ctx.known_identity.external_id)


async def member_of(ctx: Context, organisation_id: int) -> bool:
    """Whether the person writing is a partner of this organisation."""
    return organisation_id in {organisation.id for organisation in await organisations_of(ctx)}


async def choose_organisation(
    ctx: Context, organisations: list[Organisation], tapped: Action, question: str
) -> Organisation | None:
    """The organisation a partner acts for: their only one, or the one the tapped button names
    (its second argument); None after asking which, with one button each."""
    chosen = [o for o in organisations if str(o.id) == tapped.arg(1)] if tapped.arg(1) else organisations
    if not chosen:
        raise Expired()
    if len(chosen) > 1:
        ctx.say(ctx.t(question), [Button(o.name, replace(tapped, args=(tapped.arg(0), str(o.id)))) for o in chosen])
        return None
    return chosen[0]


def _name(ctx: Context) -> str:
    return ctx.known_person.display_name or ctx.t(N_("een partner"))


# -- joining an organisation ------------------------------------------------------------------


async def request_membership(ctx: Context) -> None:
    """/koppel NAME: ask to be a partner of an organisation; a coordinator approves."""
    t = ctx.t
    organisation = await ctx.roles.organisation_named(ctx.event.argument) if ctx.event.argument else None
    if organisation is None:
        known = ", ".join(o.name for o in await ctx.roles.organisations()) or "–"
        ctx.say(
            t(
                N_("Bij welke organisatie hoor je? Zet de naam achter koppel, zoals die hier staat: {known}"),
                known=known,
            )
        )
        return
    if organisation in await organisations_of(ctx):
        ctx.say(t(N_("Je hoort al bij {organisation}."), organisation=organisation.name))
        return
    await enqueue_room(
        ctx.session,
        key=f"member:{organisation.id}:{ctx.known_identity.id}:{ctx.now.isoformat()}",
        room=SharedRoom.COORDINATORS,
        purpose=MEMBERSHIP_REQUEST,
        now=ctx.now,
        payload={"organisation_id": organisation.id, "identity_id": ctx.known_identity.id},
    )
    ctx.say(
        t(
            N_(
                "Je vraag om bij {organisation} te horen is verstuurd. Een coördinator kijkt ze na; "
                "ik laat je weten wat die beslist."
            ),
            organisation=organisation.name,
        )
    )


async def render_membership_request(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    organisation = await ctx.session.get(Organisation, row.payload.get("organisation_id"))
    identity = await ctx.session.get(Identity, row.payload.get("identity_id"))
    if organisation is None or identity is None:
        return []
    t, args = ctx.t, (organisation.id, identity.id)
    who = await _who(ctx, identity)
    return [
        Message(
            t(
                N_("{name} wil partner worden voor {organisation}. Keur je dat goed?"),
                name=who,
                organisation=organisation.name,
            ),
            (
                Button(t(N_("Goedkeuren")), Action.of(MEMBER, "approve", *args), style="primary"),
                Button(t(N_("Weigeren")), Action.of(MEMBER, "deny", *args)),
            ),
        )
    ]


async def waiting_members(ctx: Context) -> list[Reply]:
    """The requests to be a partner that no coordinator decided yet, the oldest first."""
    requests = await ctx.session.scalars(
        select(OutboxMessage).where(OutboxMessage.purpose == MEMBERSHIP_REQUEST.name).order_by(OutboxMessage.id)
    )
    cards: list[Reply] = []
    for row in requests:
        organisation_id, identity_id = row.payload.get("organisation_id"), row.payload.get("identity_id")
        decided = await ctx.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.purpose == MEMBERSHIP.name,
                OutboxMessage.key.startswith(f"member:{organisation_id}:{identity_id}:", autoescape=True),
                OutboxMessage.created_at >= row.created_at,
            )
        )
        identity = await ctx.session.get(Identity, identity_id)
        if decided or identity is None:
            continue
        if any(
            o.id == organisation_id for o in await ctx.roles.organisations_of(identity.channel, identity.external_id)
        ):
            continue  # a partner there already (granted at the command line)
        cards += await render_membership_request(ctx, row)
    return cards


async def on_member_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    organisation = await ctx.find(Organisation, tapped.id)
    identity_id = tapped.arg(1)
    identity = await ctx.find(Identity, int(identity_id)) if identity_id.isdecimal() and len(identity_id) < 10 else None
    if organisation is None or identity is None or tapped.verb not in ("approve", "deny"):
        raise Expired()
    person = await referenced(ctx.session, Person, identity.person_id)
    who = await _who(ctx, identity)
    approved = tapped.verb == "approve"
    if approved:
        await ctx.roles.grant(
            identity.channel, identity.external_id, Role.PARTNER, by=_name(ctx), now=ctx.now, organisation=organisation
        )
        await ctx.audit.record(
            "role_granted", ctx.now, person, role=Role.PARTNER, organisation=organisation.name, by=_name(ctx)
        )
        text = t(
            N_("✅ {name} is partner voor {organisation}. Goedgekeurd door {by}."),
            name=who,
            organisation=organisation.name,
            by=_name(ctx),
        )
    else:
        text = t(
            N_("{name} is geen partner voor {organisation} geworden. Geweigerd door {by}."),
            name=who,
            organisation=organisation.name,
            by=_name(ctx),
        )
    await pushing.push(
        ctx,
        person,
        MEMBERSHIP,
        key=f"member:{organisation.id}:{identity.id}:{tapped.verb}:{ctx.now.isoformat()}",
        payload={"organisation_id": organisation.id, "approved": approved},
    )
    ctx.send(Message(text, replace="message"))


async def _who(ctx: Scope, identity: Identity) -> str:
    person = await ctx.session.get(Person, identity.person_id)
    return (person.display_name if person else None) or identity.external_id


async def render_membership(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    organisation = await ctx.session.get(Organisation, row.payload.get("organisation_id"))
    if organisation is None:
        return []
    t = ctx.t
    if row.payload.get("approved"):
        return [
            Message(
                t(
                    N_(
                        "Welkom! Je bent nu partner voor {organisation}. In het kanaal van de partners kun je "
                        "ideeën van inwoners oppakken."
                    ),
                    organisation=organisation.name,
                )
            )
        ]
    return [
        Message(
            t(
                N_(
                    "Je vraag om partner te worden voor {organisation} is niet goedgekeurd. Vragen? "
                    "Spreek een coördinator aan."
                ),
                organisation=organisation.name,
            )
        )
    ]


# -- adopting an idea ----------------------------------------------------------------------


async def offer_to_partners(ctx: Scope, idea: Idea) -> None:
    """A published idea goes to the partners' room, as a card with the button to take it up."""
    await enqueue_room(
        ctx.session,
        key=f"idea:{idea.id}:published",
        room=SharedRoom.PARTNERS,
        purpose=IDEA_PUBLISHED,
        now=ctx.now,
        payload={"idea_id": idea.id},
    )


async def render_published(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """A published idea in the partners' room, with the button to take it up."""
    idea = await ctx.session.get(Idea, row.payload.get("idea_id"))
    if idea is None or idea.state != IdeaState.PUBLISHED:
        return []
    t = ctx.t
    lead = t(N_("Een inwoner deelde dit idee. Wie pakt het op?"))
    return [ideas.idea_card(ctx, idea, (_adopt_button(ctx, idea),), lead=lead)]


def _adopt_button(ctx: Scope, idea: Idea) -> Button:
    return Button(ctx.t(N_("Wij pakken dit op")), Action.of(ADOPT, "idea", idea.id), style="primary")


async def untaken_section(ctx: Context, shown: int) -> Section:
    """For a partner's dashboard: the published ideas nobody took up yet, the most supported first,
    each with the button to take it up."""
    t = ctx.t
    found = await ctx.ideas.most_backed(IdeaState.PUBLISHED, shown)
    cards = tuple(ideas.idea_card(ctx, idea, (_adopt_button(ctx, idea),)) for idea in found)
    more = t(
        N_(
            "{shown} van {total} ideeën getoond, de meest gesteunde eerst. Elk idee staat ook in het kanaal van de partners."
        )
    )
    total = await ctx.ideas.count(state=IdeaState.PUBLISHED)
    return Section(t(N_("Ideeën om op te pakken")), cards=cards, total=total, more=more)


async def on_adopt_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    idea = await ctx.find(Idea, tapped.id)
    if idea is None:
        raise Expired()
    organisations = await organisations_of(ctx)
    if not organisations and not await ctx.has_role(Role.COORDINATOR):
        raise Expired()  # only a partner ever sees this button
    if not organisations:  # a coordinator sees the partners' room too, but a project belongs to an organisation
        ctx.notice(
            t(
                N_(
                    "Een idee pak je op voor een organisatie, en je hoort bij geen enkele. "
                    "Vraag het aan met /koppel en de naam van je organisatie."
                )
            )
        )
        return
    if idea.state != IdeaState.PUBLISHED:
        ctx.notice(t(N_("Iemand anders pakte dit idee al op.")))
        return
    organisation = await choose_organisation(
        ctx, organisations, tapped, N_("Je hoort bij meer dan één organisatie. Voor welke pak je dit idee op?")
    )
    if organisation is None:
        return
    project = Project(
        idea_id=idea.id,
        organisation_id=organisation.id,
        phase=PHASES[0],
        adopted_by=ctx.known_person.id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(project)
    await ctx.session.flush()
    await _step(
        ctx, project, idea, PHASES[0], t(N_("{organisation} pakt het idee op."), organisation=organisation.name)
    )
    await relay.ask(ctx, person_id=idea.author_id, organisation=organisation, partner=ctx.known_person, project=project)
    taken = ideas.idea_card(
        ctx,
        idea,
        lead=t(N_("🤝 Opgepikt door {organisation} ({name})."), organisation=organisation.name, name=_name(ctx)),
    )
    ctx.send(replace(taken, replace="message"))
    if ctx.event.room is None:  # chosen in a direct message: the partners' card shows it is taken too
        card = await ctx.sent.sent_id(f"idea:{idea.id}:published")
        if card:
            ctx.send(replace(taken, to=Room(SharedRoom.PARTNERS, message_id=card)))
    ctx.send(await project_card(ctx, project, idea, organisation))


async def _step(ctx: Context, project: Project, idea: Idea | None, phase: str, text: str) -> None:
    """Record a phase with its update, and tell the idea's author and who took part in its calls."""
    project.phase, project.updated_at = phase, ctx.now
    ctx.session.add(ProjectUpdate(project_id=project.id, phase=phase, text=text, by=_name(ctx), at=ctx.now))
    await ctx.audit.record("project_step", ctx.now, project=project.id, phase=phase, by=_name(ctx))
    readers = await ctx.projects.participants(project, TOOK_PART)
    if idea is not None:
        idea.state = IDEA_STATE[phase]
        author = await ctx.find(Person, idea.author_id)
        readers = ([author] if author is not None else []) + [person for person in readers if person != author]
    for reader in readers:
        await pushing.push(
            ctx,
            reader,
            PROJECT_NEWS,
            key=f"project:{project.id}:{phase}:{reader.id}",
            payload={"project_id": project.id, "phase": phase},
        )


async def project_card(
    ctx: Scope, project: Project, idea: Idea | None, organisation: Organisation, last: str = ""
) -> Card:
    t = ctx.t
    lines = [CardLine(organisation.name, t(N_("Organisatie"))), CardLine(t(PHASE_LABELS[project.phase]), t(N_("Fase")))]
    if last:
        lines.append(CardLine(last, t(N_("Laatste stap"))))
    backing = ideas.backing_line(ctx, idea) if idea is not None else None
    if backing is not None:
        lines.append(backing)
    asked, answered = await rounds.project_reach(ctx.session, project.id)
    if asked:
        people = answered if answered >= SMALL else UNDER  # the small-group rule, as everywhere
        lines.append(
            CardLine(t(N_("{rounds} ({people} mensen antwoordden)"), rounds=asked, people=people), t(N_("Bevragingen")))
        )
    following = _next(project.phase)
    buttons: tuple[Button, ...] = ()
    if project.phase != ProjectPhase.STOPPED and following is not None:
        buttons = (
            Button(
                t(N_("Naar {phase}"), phase=t(PHASE_LABELS[following])),
                Action.of(PROJECT, "next", project.id),
                style="primary",
            ),
            Button(t(N_("Oproep voor dit project")), Action.of(PROJECT, "call", project.id)),
            Button(t(N_("Vragen stellen")), Action.of(PROJECT, "ask", project.id)),
            Button(t(N_("Stoppen")), Action.of(PROJECT, "stop", project.id), style="danger"),
        )
    title = short(idea.idea) if idea else t(N_("Project #{id}"), id=project.id)
    return Card(title, tuple(lines), buttons, icon="🛠")


# -- moving a project on ------------------------------------------------------------------------


async def on_project_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    project = await ctx.find(Project, tapped.id)
    if project is None or tapped.verb not in ("show", "next", "stop", "call", "ask"):
        raise Expired()
    if not await member_of(ctx, project.organisation_id):
        ctx.notice(t(N_("Dit project is van een andere organisatie.")))
        return
    if tapped.verb == "show":
        ctx.send(await _full_card(ctx, project, await referenced(ctx.session, Organisation, project.organisation_id)))
        return
    if tapped.verb == "call" and project.phase != ProjectPhase.STOPPED:
        await calls.start_project_call(ctx, project)
        return
    if tapped.verb == "ask" and project.phase != ProjectPhase.STOPPED:
        await rounds.start_project_round(ctx, project)
        return
    phase = _next(project.phase) if tapped.verb == "next" else ProjectPhase.STOPPED
    if project.phase == ProjectPhase.STOPPED or phase is None:
        ctx.notice(t(N_("Dit project is al afgerond.")))
        return
    await ctx.dialogue.start(ctx, UPDATE_FLOW, {"_project_id": project.id, "_phase": phase})


async def update_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    project = await ctx.find(Project, answers.get("_project_id"))
    phase: str = answers["_phase"]  # set with the project's id when the flow starts
    if (
        project is None
        or not await member_of(ctx, project.organisation_id)
        or project.phase == ProjectPhase.STOPPED
        or phase not in (_next(project.phase), ProjectPhase.STOPPED)
    ):
        ctx.say(t(N_("Dit project is intussen veranderd. Kijk op je overzicht wat de fase nu is.")))
        return
    idea = await ctx.find(Idea, project.idea_id)
    await _step(ctx, project, idea, phase, answers["text"])
    organisation = await referenced(ctx.session, Organisation, project.organisation_id)
    ctx.say(t(N_("Bijgewerkt. Wie het idee indiende of volgt, krijgt je update.")))
    ctx.send(await project_card(ctx, project, idea, organisation, last=answers["text"]))


UPDATE_FLOW = Flow(
    name="project_update",
    confirm=False,
    form=True,
    role=Role.PARTNER,
    on_done=update_done,
    summary_title=N_("Project bijwerken"),
    cancelled=N_("Oké, het project blijft in dezelfde fase."),
    steps=[
        TextStep(
            name="text",
            label=N_("Wat is er gebeurd?"),
            min_length=10,
            max_length=600,
            prompt=N_("Vertel kort wat jullie deden en wat er nu komt. Wie het idee indiende of volgt, leest dit."),
        )
    ],
)


async def render_news(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """A step of the project, in the reader's language: to the idea's author, or to someone who
    took part in its calls (with a way to hear no more)."""
    project = await ctx.session.get(Project, row.payload.get("project_id"))
    idea = await ctx.session.get(Idea, project.idea_id) if project and project.idea_id else None
    if project is None or idea is None:
        return []
    phase: str = row.payload["phase"]  # queued with the project's id by `_step`
    update = next((u for u in reversed(await ctx.projects.updates(project)) if u.phase == phase), None)
    organisation = await referenced(ctx.session, Organisation, project.organisation_id)
    t = ctx.t
    author = idea.author_id == ctx.known_person.id
    adopted = phase == PHASES[0]  # the first step is the taking up itself: say that first, then the phase
    if adopted and author:
        news = N_("Goed nieuws: {organisation} pakt je idee “{idea}” op. Ze beginnen met de fase “{phase}”.")
    elif author:
        news = N_("Nieuws over je idee “{idea}”: {organisation} is nu in de fase “{phase}”.")
    else:
        news = N_("Nieuws over “{idea}”, waar je aan meedeed: {organisation} is nu in de fase “{phase}”.")
    text = t(news, idea=short(idea.idea), organisation=organisation.name, phase=t(PHASE_LABELS[phase]))
    if update is not None and not adopted:  # the first step's update only says who took it up
        text += "\n\n" + update.text
    _, answered = await rounds.project_reach(ctx.session, project.id)
    if answered >= SMALL:  # fewer people could be told apart: then no number at all
        text += "\n\n" + t(N_("We vroegen {n} mensen om mee te denken."), n=answered)
    buttons = () if author else (Button(t(N_("Geen nieuws meer hierover")), Action.of(QUIET, "mute", project.id)),)
    return [Message(text, buttons)]


async def on_quiet_button(ctx: Context, tapped: Action) -> None:
    """Someone who took part asks to hear no more about this project."""
    project = await ctx.find(Project, tapped.id)
    if project is None:
        raise Expired()
    await ctx.projects.mute(project, ctx.known_person, ctx.now)
    ctx.say(ctx.t(N_("Oké, je krijgt geen nieuws meer over dit project.")))


async def partner_section(ctx: Context, shown: int) -> Section:
    """The projects of the partner's organisations for their dashboard: the `shown` ones still
    running and most recently moved first, and how many there are in all."""
    organisations = {o.id: o for o in await organisations_of(ctx)}
    found = await _of_partner(ctx, organisations)
    cards = [await _full_card(ctx, project, organisations[project.organisation_id]) for project in found[:shown]]
    t = ctx.t
    more = t(N_("{shown} van {total} projecten getoond. Ze staan allemaal in /projecten."))
    return Section(t(N_("Projecten")), cards=tuple(cards), total=len(found), more=more)


async def _of_partner(ctx: Context, organisations: dict[int, Organisation]) -> list[Project]:
    """The organisations' projects: those still running first, the most recently moved first."""
    done = (ProjectPhase.REALISED, ProjectPhase.STOPPED)
    return sorted(
        await ctx.projects.of_organisations(list(organisations)),
        key=lambda project: (project.phase in done, -project.updated_at.timestamp(), -project.id),
    )


async def _full_card(ctx: Context, project: Project, organisation: Organisation) -> Card:
    """A project's card with its latest step and what the people at its calls thought."""
    updates = await ctx.projects.updates(project)
    idea = await ctx.find(Idea, project.idea_id)
    card = await project_card(ctx, project, idea, organisation, last=updates[-1].text if updates else "")
    return replace(card, lines=card.lines + test_results(ctx, await ctx.projects.feedback(project)))


async def list_projects(ctx: Context) -> None:
    """/projecten: for a partner, every project of their organisations in one message (a tap opens
    one); anyone else browses the running projects (support)."""
    t = ctx.t
    organisations = {o.id: o for o in await organisations_of(ctx)}
    if not organisations:
        await support.browse_projects(ctx)
        return
    found = await _of_partner(ctx, organisations)
    if not found:
        ctx.say(t(N_("Je organisatie heeft nog geen projecten. Pak een idee op in het kanaal van de partners.")))
        return
    lines = [t(N_("Dit zijn de projecten van je organisatie. Kies er een om het te openen."))]
    titles = {}
    for project in found:
        idea = await ctx.find(Idea, project.idea_id)
        titles[project.id] = short(idea.idea) if idea else t(N_("Project #{id}"), id=project.id)
        lines.append(
            t(
                N_("#{id} {title} – {organisation} – {phase}"),
                id=project.id,
                title=titles[project.id],
                organisation=organisations[project.organisation_id].name,
                phase=t(PHASE_LABELS[project.phase]),
            )
        )
    buttons = [
        Button(f"#{project.id} {short(titles[project.id], 30)}", Action.of(PROJECT, "show", project.id))
        for project in found
    ]
    ctx.say("\n".join(lines), buttons)


def test_results(ctx: Scope, feedback: list[Any], remarks: int = 3) -> tuple[CardLine, ...]:
    """The scores and newest remarks of the people at the project's calls."""
    if not feedback:
        return ()
    t = ctx.t
    average = format_decimal(sum(f.rating for f in feedback) / len(feedback), "0.0", locale=t.babel_locale)
    lines = [
        CardLine(
            t(N_("{average} op 5, uit {n} scores"), average=average, n=len(feedback)),
            t(N_("Wat deelnemers ervan vonden")),
        )
    ]
    lines += [CardLine("“" + f.remark + "”", icon="💬") for f in feedback if f.remark][:remarks]
    return tuple(lines)
