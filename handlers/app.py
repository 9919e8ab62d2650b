"""Gangmaker as the core sees it: every command with its aliases, button routes, flows,
what a stranger gets, outbox purposes, scheduled checks and command-line groups, in one place."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import Application, Command, Page, Route, SharedRoom
from bot.config import Settings
from bot.i18n import N_
from handlers import (
    calls,
    contributions,
    coordination,
    ideas,
    impact_chat,
    impact_page,
    jobs,
    menu,
    moderation,
    offer_board,
    offers,
    onboarding,
    partner_calls,
    privacy,
    profile,
    projects,
    purposes,
    pushes,
    relay,
    workspace,
)
from handlers.coordination import COORDINATOR

COMMANDS = (
    Command(("start",), menu.start, for_strangers=onboarding.before_consent),
    Command(("menu",), menu.show_menu, N_("Alles wat je kunt doen")),
    Command(("idee", "idea"), ideas.start_idea, N_("Een idee delen"), starts_dialogue=True),
    Command(("tijd", "time", "temps"), offers.starter("offer_time"), N_("Tijd geven"), starts_dialogue=True),
    Command(
        ("kennis", "expertise", "competences"),
        offers.starter("offer_expertise"),
        N_("Kennis of talent delen"),
        starts_dialogue=True,
    ),
    Command(
        ("geven", "give", "donner"),
        offers.starter("offer_gift"),
        N_("Geld, materiaal of een ruimte geven"),
        starts_dialogue=True,
    ),
    Command(("profiel", "profile", "profil"), profile.show_profile, N_("Je profiel bekijken en aanpassen")),
    Command(("taal", "language", "langue"), profile.change_language, starts_dialogue=True),
    Command(("bijdragen", "mijnbijdragen", "contributions"), contributions.show_contributions, N_("Wat je al deelde")),
    Command(
        ("privacy", "confidentialite"),
        privacy.show_privacy,
        N_("Wat ik over je bewaar"),
        for_strangers=onboarding.privacy_first,
    ),
    Command(
        ("mijngegevens", "mydata", "mesdonnees"),
        privacy.export,
        N_("Al je gegevens downloaden"),
        for_strangers=privacy.nothing_stored,
    ),
    Command(
        ("vergeet", "forget", "oublier"),
        privacy.start_forget,
        N_("Alles over jou wissen"),
        starts_dialogue=True,
        for_strangers=privacy.nothing_stored,
    ),
    Command(("agenda", "whatson"), calls.open_calls, N_("Wat loopt er?")),
    Command(("mijnoproepen", "mycalls", "mesappels"), calls.my_calls, N_("Oproepen waaraan je meedoet")),
    Command(("pauze", "pause"), calls.pause, N_("Even geen berichten")),
    Command(("mijnimpact", "myimpact", "monimpact"), impact_chat.my_impact, N_("Wat je bijdroeg, in cijfers")),
    Command(("oproep", "newcall"), coordination.start_call, starts_dialogue=True, role=COORDINATOR),
    Command(("oproepen", "calls"), coordination.list_calls, role=COORDINATOR),
    Command(("help", "hulp", "aide"), menu.show_help, N_("Hulp")),
    Command(("koppel", "join", "rejoindre"), projects.request_membership),
    Command(("rapport", "report"), impact_chat.report),  # coordinators and partners; the handler checks which
)

ROUTES = {
    offers.OFFER: Route(offers.on_offer_button),
    privacy.PRIVACY: Route(privacy.on_privacy_button),
    menu.HELP_ROUTE: Route(menu.on_help_button),
    profile.PROFILE: Route(profile.on_profile_button),
    calls.CALL: Route(calls.on_call_button),
    calls.FEEDBACK: Route(calls.on_feedback_button),
    calls.PAUSE: Route(calls.on_pause_button),
    pushes.NUDGE: Route(pushes.on_nudge_button),
    onboarding.CONSENT: Route(onboarding.consent_again),
    onboarding.REST: Route(onboarding.on_rest_button),
    coordination.COORDINATE: Route(coordination.on_coordinate_button, role=COORDINATOR),
    coordination.ATTENDANCE: Route(coordination.on_attendance_button, role=COORDINATOR),
    moderation.MODERATE: Route(moderation.on_moderate_button, role=COORDINATOR),
    projects.MEMBER: Route(projects.on_member_button, role=COORDINATOR),
    projects.ADOPT: Route(projects.on_adopt_button, role=projects.PARTNER),
    offer_board.CONTACT: Route(offer_board.on_contact_button, role=projects.PARTNER),
    projects.PROJECT: Route(projects.on_project_button, role=projects.PARTNER),
    projects.QUIET: Route(projects.on_quiet_button),
    partner_calls.APPROVE: Route(partner_calls.on_approval_button, role=COORDINATOR),
    relay.RELAY: Route(relay.on_relay_button),  # the author and the partner; the handler checks which
}


def flows(max_text_length: int) -> list:
    return [
        onboarding.ONBOARDING,
        onboarding.JOIN_FROM_LINK,
        ideas.idea_flow(max_text_length),
        ideas.FROM_TEXT,
        *offers.offer_flows(max_text_length),
        *profile.PROFILE_FLOWS,
        privacy.FORGET_FLOW,
        calls.FEEDBACK_FLOW,
        coordination.CALL_FLOW,
        coordination.CANCEL_FLOW,
        coordination.MESSAGE_FLOW,
        moderation.REJECT_FLOW,
        projects.UPDATE_FLOW,
        partner_calls.PARTNER_CALL_FLOW,
        relay.REPLY_FLOW,
    ]


def coordinators_from_settings(settings: Settings) -> Sequence[tuple[str, str, str]]:
    """COORDINATOR_TELEGRAM_IDS, SLACK_COORDINATOR_IDS and COORDINATOR_CONSOLE_USERS grant the role at start."""
    return [
        *(("telegram", str(user_id), COORDINATOR) for user_id in settings.coordinator_telegram_ids),
        *(("slack", user, COORDINATOR) for user in settings.slack_coordinator_ids),
        *(("console", user, COORDINATOR) for user in settings.coordinator_console_users),
    ]


def application(settings: Settings) -> Application:
    """The application description the core runs (named by GANGMAKER_APPLICATION)."""
    from handlers.call_cli import call_group
    from handlers.export_cli import export_command
    from handlers.report_cli import report_command

    return Application(
        commands=COMMANDS,
        flows=flows(settings.max_text_length),
        routes=ROUTES,
        strangers={"*": onboarding.before_consent, "slack": workspace.admit},
        menu=menu.show_menu,
        home=workspace.home,
        on_reply=relay.on_reply,
        not_understood=ideas.not_understood,
        menu_items=menu.ITEMS,
        unknown_command=menu.unknown_command,
        purposes=purposes.ALL,
        render_push=pushes.render,
        checks=jobs.CHECKS,
        bootstrap_roles=coordinators_from_settings,
        cli=(call_group, report_command, export_command),
        pages=(Page(impact_page.PATH, impact_page.ImpactPage().render),),
        rooms=(
            SharedRoom(purposes.COORDINATORS, "slack_coordinators_channel"),
            SharedRoom(purposes.PARTNERS, "slack_partners_channel"),
        ),
    )
