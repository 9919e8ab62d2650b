"""Calls partners make for their projects: the same form and rules as a coordinator's call, but
it waits in the coordinators' room until one of them approves it (or declines, with the
partner told either way)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.outbox import Purpose, enqueue_room
from bot.replies import Action, Button, Card, CardLine, Message, Reply
from handlers import ideas, projects
from handlers.calls import service as calls
from handlers.calls.coordination import CALL_FLOW
from handlers.common import pushing
from handlers.common.domain import CallState, ProjectPhase, Role, SharedRoom
from storage.models import Call, Organisation, OutboxMessage, Person, Project

# A partner's call for the coordinators' approval, and the answer to the partner.
CALL_APPROVAL = Purpose("call_approval")
CALL_APPROVED = Purpose("call_approved")

APPROVE = "callok"  # route: Action.of(APPROVE, "approve" | "deny", call id)


async def partner_call_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    project = await ctx.find(Project, answers.get("_project_id"))
    if project is None or not await projects.member_of(ctx, project.organisation_id):
        ctx.say(t(N_("Dit project is van een andere organisatie.")))
        return
    if project.phase == ProjectPhase.STOPPED:  # stopped while the form was open
        ctx.say(t(N_("Dit project is intussen gestopt. Ik heb je oproep niet verstuurd.")))
        return
    call = calls.new_call(answers, ctx.known_person, ctx.now)
    call.project_id, call.state = project.id, CallState.AWAITING
    ctx.session.add(call)
    await ctx.session.flush()
    await enqueue_room(
        ctx.session,
        key=f"call:{call.id}:approval",
        room=SharedRoom.COORDINATORS,
        purpose=CALL_APPROVAL,
        now=ctx.now,
        payload={"call_id": call.id},
    )
    ctx.say(t(N_("Je oproep wacht nu op een coördinator. Ik laat je weten wanneer ze vertrekt.")))


PARTNER_CALL_FLOW = replace(CALL_FLOW, name="partner_call", role=Role.PARTNER, on_done=partner_call_done)


async def render_approval(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await ctx.session.get(Call, row.payload.get("call_id"))
    if call is None or call.state != CallState.AWAITING:
        return []
    return [await card(ctx, call, approval_buttons(ctx, call))]


def approval_buttons(ctx: Scope, call: Call) -> tuple[Button, ...]:
    return (
        Button(ctx.t(N_("Goedkeuren")), Action.of(APPROVE, "approve", call.id), style="primary"),
        Button(ctx.t(N_("Weigeren")), Action.of(APPROVE, "deny", call.id)),
    )


async def awaiting(ctx: Scope) -> list[Call]:
    """Partners' calls waiting for a coordinator, the soonest first."""
    return await ctx.calls.listed(only=(CallState.AWAITING,))


async def waiting(ctx: Context) -> list[Reply]:
    """Partners' calls that wait for a coordinator's yes, each on its card with its two buttons."""
    return [await card(ctx, call, approval_buttons(ctx, call)) for call in await awaiting(ctx)]


async def card(ctx: Scope, call: Call, buttons: tuple[Button, ...] = (), lead: str = "") -> Card:
    t = ctx.t
    project = await ctx.session.get(Project, call.project_id) if call.project_id else None
    organisation = await ctx.session.get(Organisation, project.organisation_id) if project else None
    lines = (
        CardLine(organisation.name if organisation else "–", t(N_("Organisatie"))),
        CardLine(t.datetime(call.starts_at), t(N_("Wanneer"))),
        CardLine(call.address, t(N_("Waar"))),
        CardLine(str(call.capacity or "–"), t(N_("Plaatsen"))),
        CardLine(calls.call_text(call, "description", t.locale), t(N_("Uitleg"))),
    )
    lead = lead or t(N_("Een partner wil deze oproep versturen. Keur je ze goed?"))
    return Card(calls.call_text(call, "title", t.locale), lines, buttons, icon="📣", lead=lead)


async def on_approval_button(ctx: Context, tapped: Action) -> None:
    t = ctx.t
    call = await ctx.find(Call, tapped.id)
    if call is None or tapped.verb not in ("approve", "deny"):
        raise Expired()
    if call.state != CallState.AWAITING:
        ctx.notice(t(N_("Deze oproep is al behandeld door {name}."), name=call.approved_by or "–"))
        return
    call.approved_by = ideas.moderator(ctx)
    approved = tapped.verb == "approve"
    if not approved:
        call.state = CallState.CANCELLED
        lead = t(N_("Geweigerd door {name}."), name=call.approved_by)
    elif call.publish_at and call.publish_at > ctx.now:
        call.state = CallState.SCHEDULED
        lead = t(
            N_("✅ Goedgekeurd door {name}; ze vertrekt op {moment}."),
            name=call.approved_by,
            moment=t.datetime(call.publish_at),
        )
    else:
        queued = await calls.publish(ctx.session, ctx.settings, call, ctx.now)
        lead = t.plural(
            queued,
            N_("✅ Goedgekeurd door {name}. Ze gaat naar {n} persoon."),
            N_("✅ Goedgekeurd door {name}. Ze gaat naar {n} mensen."),
            name=call.approved_by,
        )
    await ctx.audit.record("call_approved" if approved else "call_declined", ctx.now, call=call.id, by=call.approved_by)
    creator = await ctx.find(Person, call.created_by)
    if creator is not None:
        await pushing.push(
            ctx,
            creator,
            CALL_APPROVED,
            key=f"call:{call.id}:approval:{tapped.verb}",
            payload={"call_id": call.id, "approved": approved},
        )
    ctx.send(replace(await card(ctx, call, lead=lead), replace="message"))


async def render_approved(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    call = await ctx.session.get(Call, row.payload.get("call_id"))
    if call is None:
        return []
    t, title = ctx.t, calls.call_text(call, "title", ctx.t.locale)
    if row.payload.get("approved"):
        return [Message(t(N_("Je oproep “{title}” is goedgekeurd door {name}."), title=title, name=call.approved_by))]
    return [
        Message(
            t(
                N_("Je oproep “{title}” is niet goedgekeurd door {name}. Vragen? Spreek een coördinator aan."),
                title=title,
                name=call.approved_by,
            )
        )
    ]


async def start_project_call(ctx: Context, project: Project) -> None:
    """“Oproep voor dit project”: the call form, for this project."""
    await ctx.dialogue.start(ctx, PARTNER_CALL_FLOW, {"_project_id": project.id})
