"""Projects: partner organisations and their members, ideas they take up and move through the
Design Thinking phases with an update each step, and the relay through which a partner and a
resident talk after the resident's yes."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from handlers.common.domain import Role
from handlers.projects import projects, relay
from handlers.projects.projects import (
    QUIET,
    choose_organisation,
    member_of,
    offer_to_partners,
    organisations_of,
    partner_section,
    untaken_section,
)
from handlers.projects.relay import ask as ask_contact
from handlers.projects.relay import end_conversations, end_former_partners_conversations, help_button

__all__ = [
    "PART",
    "QUIET",
    "ask_contact",
    "choose_organisation",
    "end_conversations",
    "end_former_partners_conversations",
    "help_button",
    "member_of",
    "offer_to_partners",
    "organisations_of",
    "partner_section",
    "untaken_section",
]

PART = Part(
    name="projects",
    commands=(
        Command(("koppel", "join", "rejoindre"), projects.request_membership),
        Command(("projecten", "projects", "projets"), projects.list_projects),  # residents browse (support)
    ),
    routes={
        projects.MEMBER: Route(projects.on_member_button, role=Role.COORDINATOR),
        projects.ADOPT: Route(projects.on_adopt_button),  # partners; a coordinator is told why not (the handler)
        projects.PROJECT: Route(projects.on_project_button, role=Role.PARTNER),
        projects.QUIET: Route(projects.on_quiet_button),
        relay.RELAY: Route(relay.on_relay_button),  # the author and the partner; the handler checks which
        relay.HELP: Route(relay.on_help_button),  # a follower offers to help; the handler checks they follow
    },
    flows=(projects.UPDATE_FLOW, relay.REPLY_FLOW),
    waiting=(projects.waiting_members,),
    pushes=(
        Push(projects.IDEA_PUBLISHED, projects.render_published),
        Push(projects.PROJECT_NEWS, projects.render_news),
        Push(projects.MEMBERSHIP_REQUEST, projects.render_membership_request),
        Push(projects.MEMBERSHIP, projects.render_membership),
        Push(relay.CONTACT_ASK, relay.render_ask),
        Push(relay.RELAY_OPENED, relay.render_opened),
        Push(relay.RELAY_REFUSED, relay.render_refused),
        Push(relay.RELAY_MESSAGE, relay.render_message),
        Push(relay.RELAY_CLOSED, relay.render_closed),
    ),
    on_reply=relay.on_reply,
)
