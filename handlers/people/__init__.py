"""People: onboarding and consent, the menu and help, the profile, privacy (export and erasure),
what a person shared, workspace members and their dashboard, and keeping in touch (nudges,
erasure after long silence)."""

from __future__ import annotations

from bot.app import Command, Part, Push, RoomSetting, Route
from bot.i18n import N_
from handlers.common.domain import Role, SharedRoom
from handlers.people import contributions, menu, nudges, onboarding, privacy, profile, roles, workspace
from handlers.people.admin_cli import admin
from handlers.people.menu import not_understood, unknown_command
from handlers.people.menu import show as show_menu
from handlers.people.onboarding import look_before_consent

__all__ = ["PART", "look_before_consent", "not_understood", "show_menu", "unknown_command"]

PART = Part(
    name="people",
    commands=(
        Command(("start",), menu.start, for_strangers=onboarding.before_consent),
        Command(("menu",), menu.show_menu, N_("Alles wat je kunt doen")),
        Command(("profiel", "profile", "profil"), profile.show_profile, N_("Je profiel bekijken en aanpassen")),
        Command(("taal", "language", "langue"), profile.change_language, starts_dialogue=True),
        Command(
            ("bijdragen", "mijnbijdragen", "contributions"), contributions.show_contributions, N_("Wat je al deelde")
        ),
        Command(
            privacy.PRIVACY_NAMES,
            privacy.show_privacy,
            N_("Wat ik over je bewaar"),
            for_strangers=onboarding.privacy_first,
        ),
        Command(
            privacy.EXPORT_NAMES,
            privacy.export,
            N_("Al je gegevens downloaden"),
            for_strangers=privacy.nothing_stored,
        ),
        Command(
            privacy.FORGET_NAMES,
            privacy.start_forget,
            N_("Alles over jou wissen"),
            starts_dialogue=True,
            for_strangers=privacy.nothing_stored,
        ),
        Command(("help", "hulp", "aide"), menu.show_help, N_("Hulp")),
        Command((menu.WAITING, "waiting", "enattente"), menu.show_waiting, role=Role.COORDINATOR),
    ),
    routes={
        privacy.PRIVACY: Route(privacy.on_privacy_button),
        contributions.BACKING: Route(contributions.on_backing_button),
        menu.HELP_ROUTE: Route(menu.on_help_button),
        profile.PROFILE: Route(profile.on_profile_button),
        nudges.ANSWER: Route(nudges.on_nudge_button),
        onboarding.CONSENT: Route(onboarding.consent_again),
        onboarding.REST: Route(onboarding.on_rest_button),
    },
    flows=(onboarding.ONBOARDING, onboarding.JOIN_FROM_LINK, *profile.PROFILE_FLOWS.values(), privacy.FORGET_FLOW),
    pushes=(
        Push(nudges.NUDGE, nudges.nudge),
        Push(nudges.RETENTION_WARNING, nudges.retention_warning),
    ),
    checks=(nudges.nudge_onboarding, nudges.warn_before_erasure, nudges.retention),
    menu_items=menu.ITEMS,
    strangers={"*": onboarding.before_consent, workspace.CHANNEL: workspace.admit},
    consented=onboarding.consent_holds,
    menu=menu.show_menu,
    unknown_command=menu.unknown_command,
    home=workspace.home,
    bootstrap_roles=roles.coordinators_from_settings,
    cli=(admin,),
    # The coordinators' and the partners' rooms, where the features' cards go; Slack places each in
    # the channel its setting names.
    rooms=(
        RoomSetting(SharedRoom.COORDINATORS, "slack_coordinators_channel", readers=Role.COORDINATOR),
        RoomSetting(SharedRoom.PARTNERS, "slack_partners_channel", readers=Role.PARTNER),
    ),
)
