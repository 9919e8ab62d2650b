"""“Mijn profiel”: see every onboarding answer and change any of them, language included."""
from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dialogue import Flow
from bot.i18n import N_
from bot.replies import Button
from handlers.onboarding import PROFILE_STEPS, save_profile

PROFILE = "profile"  # token of the "change ..." buttons; value is the field name


def _value(ctx: Context, name: str) -> Any:
    return ctx.person.locale if name == "language" else getattr(ctx.person, name)


async def show_profile(ctx: Context) -> None:
    t = ctx.t
    lines = [t(N_("Dit is je profiel:")), ""]
    for step in PROFILE_STEPS:
        value = _value(ctx, step.name)
        shown = step.show(value, t) if value not in (None, [], "") else t(N_("(nog niet ingevuld)"))
        lines.append(f"• {t(step.label)}: {shown}")
    lines += ["", t(N_("Wat wil je aanpassen?"))]
    ctx.say("\n".join(lines), [Button(step.name, t(step.label)) for step in PROFILE_STEPS], token=PROFILE)


async def profile_field_done(ctx: Context, answers: dict[str, Any]) -> None:
    save_profile(ctx, answers)
    ctx.say(ctx.t(N_("Opgeslagen.")))
    await show_profile(ctx)


PROFILE_FLOWS = [
    Flow(name=f"profile_{step.name}", steps=[step], confirm=False, on_done=profile_field_done,
         cancelled=N_("Oké, je profiel blijft zoals het was."))
    for step in PROFILE_STEPS
]


async def on_profile_button(ctx: Context, value: str) -> None:
    if any(step.name == value for step in PROFILE_STEPS):
        # Start from the current answer, so a multi-select shows what is already chosen.
        await ctx.dialogue.start(ctx, f"profile_{value}", {value: _value(ctx, value)})
    else:
        ctx.notice(ctx.t(N_("Deze knop is verlopen.")))


async def change_language(ctx: Context) -> None:
    await ctx.dialogue.start(ctx, "profile_language", {"language": ctx.person.locale})
