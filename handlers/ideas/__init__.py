"""Ideas: a resident shares an idea (also from free text that reads like one), coordinators
judge it on a card (publish, reject with a reason, block the sender), and the author hears what
became of it."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from bot.i18n import N_
from handlers.common.domain import Role
from handlers.ideas import moderation, sharing
from handlers.ideas.moderation import backing_line, idea_card, moderation_buttons, moderator

__all__ = ["PART", "backing_line", "idea_card", "moderation_buttons", "moderator"]

PART = Part(
    name="ideas",
    commands=(Command(("idee", "idea"), sharing.start_idea, N_("Een idee delen"), starts_dialogue=True),),
    routes={moderation.MODERATE: Route(moderation.on_moderate_button, role=Role.COORDINATOR)},
    flows=(lambda settings: sharing.idea_flow(settings.max_text_length), sharing.FROM_TEXT, moderation.REJECT_FLOW),
    pushes=(
        Push(moderation.MODERATION, moderation.render_moderation),
        Push(moderation.IDEA_OUTCOME, moderation.render_outcome),
        Push(moderation.BLOCKED, moderation.render_blocked),
    ),
    not_understood=sharing.not_understood,
    waiting=(moderation.waiting,),
)
