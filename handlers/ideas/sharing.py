"""Sharing an idea: what you see and who lives it, the idea, a first small try-out, theme, place."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dialogue import PREFILLED, ChoiceStep, Flow, PhotoStep, TextStep, YesNoStep
from bot.i18n import N_
from handlers import people
from handlers.common.domain import IdeaState
from handlers.common.options import NEIGHBOURHOODS, THEMES
from handlers.ideas import moderation
from storage.models import Idea


def idea_steps(max_length: int) -> list:
    return [
        TextStep(
            name="problem",
            label=N_("Wat je ziet"),
            max_length=max_length,
            prompt=N_("Wat kan beter in je buurt of in de stad, en voor wie?"),
            example=N_("Op het Leieboord staan geen bankjes, dus de buren blijven er nooit even zitten."),
        ),
        TextStep(
            name="idea",
            label=N_("Je idee"),
            max_length=max_length,
            prompt=N_("Wat is je idee? Vertel het gewoon in je eigen woorden."),
            example=N_("Buren maken samen kleurrijke bankjes voor het Leieboord."),
        ),
        TextStep(
            name="prototype",
            label=N_("Klein uitproberen"),
            max_length=max_length,
            optional=True,
            prompt=N_(
                "We proberen ideeën eerst klein uit, bijvoorbeeld één middag of in één straat. "
                "Hoe kunnen we jouw idee klein uitproberen?"
            ),
            example=N_("Eén zaterdag zetten we vijf bankjes bij de brug en kijken we wie er komt zitten."),
        ),
        ChoiceStep(name="theme", label=N_("Thema"), options=THEMES, prompt=N_("Bij welk thema past je idee het best?")),
        ChoiceStep(
            name="place", label=N_("Plaats"), options=NEIGHBOURHOODS, prompt=N_("Waar zou het moeten gebeuren?")
        ),
        YesNoStep(name="will_help", label=N_("Zelf meehelpen"), prompt=N_("Wil je zelf meehelpen om het te maken?")),
        YesNoStep(  # not asked in turn: the summary shows the default, no, and the author may change it there
            name="show_author",
            label=N_("Je naam bij je idee"),
            optional=True,
            asked=False,
            skipped=N_("Nee, alleen het idee"),
            prompt=N_("Andere inwoners zien je idee zonder je naam, tenzij je ja zegt. Mag je naam bij je idee staan?"),
        ),
        PhotoStep(name="photo", label=N_("Foto"), prompt=N_("Heb je een foto of schets van je idee?")),
    ]


async def idea_done(ctx: Context, answers: dict[str, Any]) -> None:
    """Store the idea as submitted and say what happens next."""
    idea = await ctx.ideas.add(
        Idea(
            author_id=ctx.known_person.id,
            problem=answers["problem"],
            idea=answers["idea"],
            prototype=answers.get("prototype"),
            theme=answers["theme"],
            place=answers["place"],
            will_help=answers["will_help"],
            show_author=bool(answers.get("show_author")),
            photo=answers.get("photo"),
            state=IdeaState.SUBMITTED,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    await moderation.submitted(ctx, idea)
    ctx.say(
        ctx.t(
            N_(
                "Dank je! Je idee is goed aangekomen. Een medewerker van de stad leest het eerst. "
                "Daarna kunnen partners het zien en oppikken. Ik laat je weten wat ermee gebeurt."
            )
        )
    )
    people.show_menu(ctx)


def idea_flow(max_length: int) -> Flow:
    return Flow(
        name="idea",
        steps=idea_steps(max_length),
        on_done=idea_done,
        summary_title=N_("Dit is je idee:"),
        cancelled=N_("Oké, ik stop met je idee. Er is niets bewaard."),
    )


async def start_idea(ctx: Context) -> None:
    await ctx.dialogue.start(ctx, idea_flow(ctx.settings.max_text_length))


IDEA_WORDS = 4  # free text of this many words, outside any dialogue, may well be an idea


async def not_understood(ctx: Context) -> None:
    """Free text outside any dialogue that reads like an idea: offer to share it (keeping what
    was typed); anything else gets the menu's answer."""
    text = (ctx.event.text or "").strip() if ctx.event.kind == "text" else ""
    if len(text.split()) >= IDEA_WORDS and not text.startswith("/") and len(text) <= ctx.settings.max_text_length:
        await ctx.dialogue.start(ctx, FROM_TEXT, {"_text": text})
    else:
        await people.not_understood(ctx)


async def from_text_done(ctx: Context, answers: dict[str, Any]) -> None:
    if answers["share"]:
        await ctx.dialogue.start(
            ctx, idea_flow(ctx.settings.max_text_length), {"idea": answers["_text"], PREFILLED: ["idea"]}
        )
    else:
        ctx.say(ctx.t(N_("Oké, ik bewaar het niet.")))
        people.show_menu(ctx)


FROM_TEXT = Flow(
    name="idea_from_text",
    confirm=False,
    on_done=from_text_done,
    cancelled=N_("Oké, ik bewaar het niet."),
    steps=[
        YesNoStep(
            name="share",
            label=N_("Als idee delen"),
            prompt=N_(
                "Dat klinkt als een idee! Ik stel er dan nog een paar korte vragen over. Wil je het als idee delen?"
            ),
        )
    ],
)
