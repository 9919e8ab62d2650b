"""The command, flow and button registry: which handler answers which command or tap."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.context import Context
from bot.dialogue import Flow
from bot.i18n import N_
from handlers import calls, contributions, coordination, ideas, menu, offers, onboarding, privacy, profile, pushes


@dataclass(frozen=True)
class Command:
    """A slash command (with its aliases in other languages)."""

    names: tuple[str, ...]
    run: Callable[[Context], Awaitable[None]]
    starts_dialogue: bool = False  # asks before it replaces a dialogue in progress
    coordinators_only: bool = False  # anyone else gets the ordinary unknown-command answer


def flows(max_text_length: int) -> list[Flow]:
    return [onboarding.ONBOARDING, ideas.idea_flow(max_text_length), *offers.offer_flows(max_text_length),
            *profile.PROFILE_FLOWS, privacy.FORGET_FLOW, calls.FEEDBACK_FLOW, coordination.CALL_FLOW]


def commands() -> list[Command]:
    return [
        Command(("menu",), menu.show_menu),
        Command(("help", "hulp", "aide"), menu.show_help),
        Command(("idee", "idea"), ideas.start_idea, starts_dialogue=True),
        Command(("tijd", "time", "temps"), offers.starter("offer_time"), starts_dialogue=True),
        Command(("kennis", "expertise"), offers.starter("offer_expertise"), starts_dialogue=True),
        Command(("geven", "give", "donner"), offers.starter("offer_gift"), starts_dialogue=True),
        Command(("profiel", "profile", "profil"), profile.show_profile),
        Command(("taal", "language", "langue"), profile.change_language, starts_dialogue=True),
        Command(("bijdragen", "mijnbijdragen", "contributions"), contributions.show_contributions),
        Command(("privacy", "confidentialite"), privacy.show_privacy),
        Command(("mijngegevens", "mydata", "mesdonnees"), privacy.export),
        Command(("vergeet", "forget", "oublier"), privacy.start_forget, starts_dialogue=True),
        Command(("mijnoproepen", "mycalls", "mesappels"), calls.my_calls),
        Command(("pauze", "pause"), calls.pause),
        Command(("oproep", "newcall"), coordination.start_call, starts_dialogue=True, coordinators_only=True),
        Command(("oproepen", "calls"), coordination.list_calls, coordinators_only=True),
    ]


def button_actions() -> dict[str, Callable[[Context, str], Awaitable[None]]]:
    """Handlers for buttons that live outside a dialogue, by their token."""
    return {
        offers.OFFER: offers.on_offer_button,
        privacy.PRIVACY: privacy.on_privacy_button,
        profile.PROFILE: profile.on_profile_button,
        calls.CALL: calls.on_call_button,
        calls.FEEDBACK: calls.on_feedback_button,
        calls.PAUSE: calls.on_pause_button,
        pushes.NUDGE: pushes.on_nudge_button,
    }


def coordinator_button_actions() -> dict[str, Callable[[Context, str], Awaitable[None]]]:
    """Buttons only coordinators may use; for anyone else they are expired."""
    return {
        coordination.COORDINATE: coordination.on_coordinate_button,
        coordination.ATTENDANCE: coordination.on_attendance_button,
    }


def command_list() -> list[tuple[str, str]]:
    """The commands a chat app may list in its menu: name and a description msgid."""
    return [
        ("menu", N_("Alles wat je kunt doen")),
        ("idee", N_("Een idee delen")),
        ("tijd", N_("Tijd geven")),
        ("kennis", N_("Kennis of talent delen")),
        ("geven", N_("Geld, materiaal of een ruimte geven")),
        ("profiel", N_("Je profiel bekijken en aanpassen")),
        ("bijdragen", N_("Wat je al deelde")),
        ("privacy", N_("Wat ik over je bewaar")),
        ("mijngegevens", N_("Al je gegevens downloaden")),
        ("vergeet", N_("Alles over jou wissen")),
        ("mijnoproepen", N_("Oproepen waaraan je meedoet")),
        ("pauze", N_("Even geen berichten")),
        ("annuleer", N_("Stoppen met de vraag van nu")),
        ("help", N_("Hulp")),
    ]
