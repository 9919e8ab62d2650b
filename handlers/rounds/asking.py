"""Coordinators ask residents a round of questions (`/vraag`, the Slack modal `/gangmaker vraag`):
title, why, one to five questions, for whom, and from when until when; its reach is shown first."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dialogue import ChoiceStep, DateTimeStep, Flow, Option, TextStep
from bot.i18n import N_
from handlers.common.domain import Role, RoundState
from handlers.common.options import NEIGHBOURHOODS, ROLES, THEMES, optional_multi
from handlers.rounds import service
from handlers.rounds.questions import MAX_QUESTIONS, question_steps, questions_of, unused_questions

WHO = (
    Option("thinkers", N_("Wie koos voor meedenken")),
    Option("everyone", N_("Iedereen")),
)


ROUND_STEPS = [
    TextStep(
        name="title",
        label=N_("Titel"),
        max_length=80,
        prompt=N_("Waarover gaat je bevraging? Geef een korte titel."),
    ),
    TextStep(
        name="why",
        label=N_("Waarom we het vragen"),
        max_length=500,
        prompt=N_("Mensen antwoorden als ze weten waarom. Waarom vraag je dit, en wat gebeurt er met de antwoorden?"),
    ),
    *(step for number in range(1, MAX_QUESTIONS + 1) for step in question_steps(number)),
    optional_multi(
        "target_neighbourhoods",
        N_("Voor buurten"),
        NEIGHBOURHOODS,
        N_("Kies je er geen, dan gaat ze naar alle buurten. Voor mensen uit welke buurten?"),
        N_("alle buurten"),
    ),
    optional_multi(
        "themes",
        N_("Thema's"),
        THEMES,
        N_("Alleen wie een van deze thema's koos, krijgt de vragen. Kies je er geen, dan iedereen. Welke thema's?"),
        N_("iedereen"),
        asked=False,
    ),
    optional_multi(
        "target_roles",
        N_("Voor wie"),
        ROLES,
        N_("Kies je er geen, dan gaat ze naar iedereen. Voor wie is het?"),
        N_("iedereen"),
        asked=False,
    ),
    ChoiceStep(
        name="who",
        label=N_("Wie krijgt ze"),
        options=WHO,
        optional=True,
        asked=False,
        skipped=N_("wie koos voor meedenken"),
        prompt=N_("Gewoonlijk gaan vragen naar wie koos voor meedenken. Wil je ze naar iedereen sturen die past?"),
    ),
    DateTimeStep(name="closes_at", label=N_("Antwoorden tot"), prompt=N_("Tot wanneer kunnen mensen antwoorden?")),
    ChoiceStep(
        name="publish",
        label=N_("Versturen"),
        options=(Option("now", N_("Meteen")), Option("later", N_("Later"))),
        prompt=N_("Wanneer sturen we de vragen?"),
    ),
    DateTimeStep(
        name="publish_at",
        label=N_("Versturen op"),
        when=lambda answers: answers.get("publish") == "later",
        prompt=N_("Op welke dag en welk uur sturen we de vragen?"),
    ),
]


def check_moments(answers: dict[str, Any]) -> tuple[str, str] | None:
    """The round must close after it goes out."""
    closes, publish_at = answers.get("closes_at"), answers.get("publish_at")
    if closes and answers.get("publish") == "later" and publish_at and publish_at >= closes:
        return N_("De bevraging moet sluiten nadat ze vertrekt."), "closes_at"
    return None


async def reach(ctx: Context, answers: dict[str, Any]) -> str:
    """How many people get the round as entered so far."""
    round_ = service.new_round(answers, questions_of(answers), ctx.known_person, ctx.now)
    return ctx.t(N_("Mensen die de vragen krijgen: {people}."), people=await service.audience_size(ctx.session, round_))


async def round_done(ctx: Context, answers: dict[str, Any]) -> None:
    t = ctx.t
    round_ = service.new_round(answers, questions_of(answers), ctx.known_person, ctx.now)
    ctx.session.add(round_)
    await ctx.session.flush()
    if round_.state == RoundState.SCHEDULED:
        assert round_.publish_at is not None, "a scheduled round has a moment to go out"
        ctx.say(t(N_("Je bevraging is ingepland. Ze vertrekt op {moment}."), moment=t.datetime(round_.publish_at)))
        return
    reached = await service.publish(ctx.session, ctx.settings, round_, ctx.now)
    ctx.say(t(N_("Je bevraging is verstuurd. Aantal mensen: {n}."), n=reached))


ROUND_FLOW = Flow(
    name="round",
    steps=ROUND_STEPS,
    on_done=round_done,
    describe=reach,
    check=check_moments,
    check_fields=unused_questions,
    form=True,
    role=Role.COORDINATOR,
    summary_title=N_("Dit is je bevraging:"),
    cancelled=N_("Oké, ik stop met de nieuwe bevraging. Er is niets bewaard."),
)


async def start_round(ctx: Context) -> None:
    await ctx.dialogue.start(ctx, ROUND_FLOW)
