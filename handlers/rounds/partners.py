"""Rounds partners ask for their projects: the same form and rules as a coordinator's round, starting
from the project's neighbourhood; it waits in the coordinators' room until one of them approves it
(it goes out, or at its time) or refuses it, and the partner hears which."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import enqueue_room
from bot.replies import Action, Button, Card, CardLine, Message, Reply, short
from handlers import ideas, projects
from handlers.common import pushing
from handlers.common.domain import ProjectPhase, Role, RoundState, SharedRoom
from handlers.common.options import NEIGHBOURHOODS
from handlers.rounds import purposes, service
from handlers.rounds.asking import ROUND_FLOW
from handlers.rounds.questions import KINDS, questions_of
from storage.models import Idea, Organisation, OutboxMessage, Person, Project, Round

APPROVE = "roundok"  # route: Action.of(APPROVE, "approve" | "deny", round id)
KIND_LABELS = {option.value: option.label for option in KINDS}


async def partner_round_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    project = await ctx.find(Project, answers.get("_project_id"))
    if project is None or not await projects.member_of(ctx, project.organisation_id):
        ctx.say(t(N_("Dit project is van een andere organisatie.")))
        return
    if project.phase == ProjectPhase.STOPPED:
        ctx.say(t(N_("Dit project is al afgerond.")))
        return
    round_ = service.new_round(answers, questions_of(answers), ctx.known_person, ctx.now)
    round_.project_id, round_.state = project.id, RoundState.AWAITING
    ctx.session.add(round_)
    await ctx.session.flush()
    await enqueue_room(
        ctx.session,
        key=f"round:{round_.id}:approval",
        room=SharedRoom.COORDINATORS,
        purpose=purposes.ROUND_APPROVAL,
        now=ctx.now,
        payload={"round_id": round_.id},
    )
    ctx.say(t(N_("Je bevraging wacht nu op een coördinator. Ik laat je weten wanneer ze vertrekt.")))


PARTNER_ROUND_FLOW = replace(ROUND_FLOW, name="partner_round", role=Role.PARTNER, on_done=partner_round_done)


async def start_project_round(ctx: Context, project: Project) -> None:
    """“Vragen stellen” on a project's card: the round's form, for this project, to the people who
    think along in the neighbourhood of its idea (the partner may widen it)."""
    idea = await ctx.find(Idea, project.idea_id)
    near = [idea.place] if idea is not None and idea.place in {option.value for option in NEIGHBOURHOODS} else []
    await ctx.dialogue.start(ctx, PARTNER_ROUND_FLOW, {"_project_id": project.id, "target_neighbourhoods": near})


def approval_buttons(ctx: Scope, round_: Round) -> tuple[Button, ...]:
    return (
        Button(ctx.t(N_("Goedkeuren")), Action.of(APPROVE, "approve", round_.id), style="primary"),
        Button(ctx.t(N_("Weigeren")), Action.of(APPROVE, "deny", round_.id)),
    )


async def card(ctx: Scope, round_: Round, buttons: tuple[Button, ...] = (), lead: str = "") -> Card:
    """A partner's round for the coordinators: who asks, why, the questions, until when, and its reach."""
    t = ctx.t
    project = await ctx.session.get(Project, round_.project_id) if round_.project_id else None
    organisation = await ctx.session.get(Organisation, project.organisation_id) if project else None
    idea = await ctx.session.get(Idea, project.idea_id) if project and project.idea_id else None
    questions = "\n".join(
        f"{number}. {question['text']} ({t(KIND_LABELS[question['kind']])})"
        for number, question in enumerate(round_.questions, start=1)
    )
    lines = (
        CardLine(organisation.name if organisation else "–", t(N_("Organisatie"))),
        CardLine(short(idea.idea) if idea else "–", t(N_("Project"))),
        CardLine(round_.why, t(N_("Waarom we het vragen"))),
        CardLine(questions, t(N_("Vragen"))),
        CardLine(t.datetime(round_.closes_at), t(N_("Antwoorden tot"))),
        CardLine(
            t(N_("Mensen die de vragen krijgen: {people}."), people=await service.audience_size(ctx.session, round_))
        ),
    )
    lead = lead or t(N_("Een partner wil deze vragen stellen. Keur je ze goed?"))
    return Card(round_.title, lines, buttons, icon="💭", lead=lead)


async def waiting(ctx: Context) -> list[Reply]:
    """Partners' rounds that wait for a coordinator's yes, the oldest first, each on its card."""
    found = await ctx.session.scalars(select(Round).where(Round.state == RoundState.AWAITING).order_by(Round.id))
    return [await card(ctx, round_, approval_buttons(ctx, round_)) for round_ in found]


async def render_approval(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """The card in the coordinators' room, while the round still waits."""
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None or round_.state != RoundState.AWAITING:
        return []
    return [await card(ctx, round_, approval_buttons(ctx, round_))]


async def on_approval_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    round_ = await ctx.find(Round, tapped.id)
    if round_ is None or tapped.verb not in ("approve", "deny"):
        raise Expired()
    if round_.state != RoundState.AWAITING:
        ctx.notice(t(N_("Deze bevraging is al behandeld door {name}."), name=round_.approved_by or "–"))
        return
    round_.approved_by = ideas.moderator(ctx)
    approved = tapped.verb == "approve"
    if not approved:
        service.cancel(round_, ctx.now)
        lead = t(N_("Geweigerd door {name}."), name=round_.approved_by)
    elif round_.publish_at and round_.publish_at > ctx.now:
        round_.state = RoundState.SCHEDULED
        lead = t(
            N_("✅ Goedgekeurd door {name}; ze vertrekt op {moment}."),
            name=round_.approved_by,
            moment=t.datetime(round_.publish_at),
        )
    else:
        reached = await service.publish(ctx.session, ctx.settings, round_, ctx.now)
        lead = t(N_("✅ Goedgekeurd door {name} en verstuurd naar {n} mensen."), name=round_.approved_by, n=reached)
    await ctx.audit.record(
        "round_approved" if approved else "round_declined", ctx.now, round=round_.id, by=round_.approved_by
    )
    creator = await ctx.find(Person, round_.created_by)
    if creator is not None:
        await pushing.push(
            ctx,
            creator,
            purposes.ROUND_APPROVED,
            key=f"round:{round_.id}:approval:{tapped.verb}",
            payload={"round_id": round_.id, "approved": approved},
        )
    ctx.send(replace(await card(ctx, round_, lead=lead), replace="message"))


async def render_approved(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """What the partner hears: approved, or not, and by whom."""
    round_ = await ctx.session.get(Round, row.payload.get("round_id"))
    if round_ is None:
        return []
    t = ctx.t
    if row.payload.get("approved"):
        text = t(N_("Je bevraging “{title}” is goedgekeurd door {name}."), title=round_.title, name=round_.approved_by)
    else:
        text = t(
            N_("Je bevraging “{title}” is niet goedgekeurd door {name}. Vragen? Spreek een coördinator aan."),
            title=round_.title,
            name=round_.approved_by,
        )
    return [Message(text)]
