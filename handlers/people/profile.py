"""“Mijn profiel”: see every onboarding answer and change any of them, language included,
the quiet hours in which Gangmaker sends nothing on its own, and whether an author hears of
the supports for their ideas."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dialogue import ChoiceStep, Flow, Option
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button
from handlers import calls
from handlers.common import pushing
from handlers.people.onboarding import PROFILE_STEPS, save_profile

PROFILE = "profile"  # route of the "change ..." buttons; the verb is the field name

QUIET = ChoiceStep(
    name="quiet",
    label=N_("Stille uren"),
    options=(
        Option("21-9", N_("21.00 tot 9.00 uur")),
        Option("22-8", N_("22.00 tot 8.00 uur")),
        Option("20-10", N_("20.00 tot 10.00 uur")),
        Option("none", N_("Geen stille uren")),
    ),
    prompt=N_("Oproepen en overzichten wachten dan tot de ochtend. Wanneer wil je geen berichten van mij?"),
)
SUPPORT_NEWS = ChoiceStep(
    name="support_news",
    label=N_("Steun voor je ideeën"),
    options=(Option("yes", N_("Eén bericht per dag")), Option("no", N_("Geen berichten"))),
    prompt=N_("Steunen mensen je idee? Dan hoor je dat 's avonds, in één bericht per dag. Wil je dat?"),
)
STEPS = (*PROFILE_STEPS, QUIET, SUPPORT_NEWS)


def _value(ctx: Context, name: str) -> Any:
    person = ctx.known_person
    if name == "quiet":
        return (
            "none" if person.quiet_start == person.quiet_end else f"{person.quiet_start // 60}-{person.quiet_end // 60}"
        )
    if name == "support_news":
        return "yes" if person.support_news else "no"
    return person.locale if name == "language" else getattr(person, name)


async def show_profile(ctx: Context) -> None:
    t = ctx.t
    lines = [t(N_("Dit is je profiel:")), ""]
    for step in STEPS:
        value = _value(ctx, step.name)
        shown = step.show(value, t) if value not in (None, [], "") else t(N_("(nog niet ingevuld)"))
        lines.append("• " + t.labelled(t(step.label), shown))
    lines.append("• " + t.labelled(t(N_("Pauze")), calls.pause_state(ctx)))
    lines += ["", t(N_("Wat wil je aanpassen?"))]
    ctx.say("\n".join(lines), [Button(t(step.label), Action.of(PROFILE, step.name)) for step in STEPS])


async def profile_field_done(ctx: Context, answers: dict[str, Any]) -> None:
    save_profile(ctx, answers)
    if "quiet" in answers:
        start, _, end = answers["quiet"].partition("-")
        person = ctx.known_person
        person.quiet_start, person.quiet_end = (0, 0) if not end else (int(start) * 60, int(end) * 60)
        await pushing.quiet_hours_changed(ctx, person)
    if "support_news" in answers:
        ctx.known_person.support_news = answers["support_news"] == "yes"
    ctx.say(ctx.t(N_("Opgeslagen.")))
    await show_profile(ctx)


PROFILE_FLOWS: dict[str, Flow] = {  # one short flow per profile answer, by the answer's name
    step.name: Flow(
        name=f"profile_{step.name}",
        steps=[step],
        confirm=False,
        on_done=profile_field_done,
        cancelled=N_("Oké, je profiel blijft zoals het was."),
    )
    for step in STEPS
}


async def on_profile_button(ctx: Context, tapped: Action) -> None:
    value = tapped.verb
    if value not in PROFILE_FLOWS:
        raise Expired()
    # Start from the current answer, so a multi-select shows what is already chosen.
    await ctx.dialogue.start(ctx, PROFILE_FLOWS[value], {value: _value(ctx, value)})


async def change_language(ctx: Context) -> None:
    await ctx.dialogue.start(ctx, PROFILE_FLOWS["language"], {"language": ctx.known_person.locale})
