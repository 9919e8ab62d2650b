"""Sharing an idea: what you see and who lives it, the idea, a first small try-out, theme, place."""

from __future__ import annotations

import re
from typing import Any

from bot.context import Context
from bot.dialogue import PREFILLED, ChoiceStep, Flow, PhotoStep, TextStep, YesNoStep
from bot.i18n import N_
from bot.typed import plain
from handlers import offers, people
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
GREETING = r"(?:(?:hallo|hoi|dag|hey|hi|hello|bonjour|salut|coucou)\s+)?"
# "ik heb een idee!", "I've got an idea", "j'ai une idée": an idea announced, not told yet (plain text).
ANNOUNCING = re.compile(
    GREETING + r"(?:ik heb (?:nog |ook )?(?:een |n )?(?:idee|voorstel|suggestie)|ik wil (?:graag )?(?:een )?idee "
    r"(?:delen|geven|voorstellen|indienen)|(?:een )?idee|(?:i have|ive got|i got|i have got) an? "
    r"(?:idea|suggestion)|(?:an )?idea|jai une (?:idee|suggestion|proposition)|(?:une )?idee)"
    r"(?: (?:voor jullie|for you|pour vous))?"
)
# "ik kan wel helpen op zaterdagen", "I could help out", "je peux aider": time offered, not an idea.
OFFERING_TIME = re.compile(
    r"\b(?:ik (?:kan|wil|zou)(?: \w+){0,3} (?:helpen|meehelpen|een handje toesteken)|ik heb (?:wat |nog |veel )?"
    r"(?:vrije )?tijd|i (?:can|could|would like to|d like to|want to|will)(?: \w+){0,2} help|i have (?:some )?"
    r"(?:spare |free )?time|je (?:peux|pourrais|voudrais|veux)(?: \w+){0,2} aider|jai du temps)\b"
)


async def not_understood(ctx: Context) -> None:
    """Free text outside any dialogue: an idea announced starts one; what reads like an idea, or
    like time offered, is offered to share as such (keeping what was typed); anything else gets
    the menu's answer."""
    text = (ctx.event.text or "").strip() if ctx.event.kind == "text" else ""
    said = plain(text)
    if said and ANNOUNCING.fullmatch(said):  # nothing to keep: the questions begin, "Wat is je idee?" among them
        ctx.say(ctx.t(N_("Leuk! Ik stel je een paar korte vragen over je idee.")))
        await start_idea(ctx)
    elif len(text.split()) >= IDEA_WORDS and not text.startswith("/") and len(text) <= ctx.settings.max_text_length:
        kind = "time" if OFFERING_TIME.search(said) else "idea"
        await ctx.dialogue.start(ctx, FROM_TEXT, {"_text": text, "_kind": kind})
    else:
        await people.not_understood(ctx)


async def from_text_done(ctx: Context, answers: dict[str, Any]) -> None:
    """Share the text as an idea, shown as its answer so it can still be changed; or offer time."""
    if answers.get("_kind") == "time" and answers.get("offer"):
        await offers.offer_starter("time")(ctx)
    elif answers.get("share"):
        text = answers["_text"]
        ctx.say(
            ctx.t(
                N_("Ik noteer dit als je idee: “{idea}”. In het overzicht op het einde kun je het nog aanpassen."),
                idea=text,
            )
        )
        await ctx.dialogue.start(ctx, idea_flow(ctx.settings.max_text_length), {"idea": text, PREFILLED: ["idea"]})
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
            when=lambda answers: answers.get("_kind") != "time",
            prompt=N_(
                "Dat klinkt als een idee! Ik stel er dan nog een paar korte vragen over. Wil je het als idee delen?"
            ),
        ),
        YesNoStep(
            name="offer",
            label=N_("Tijd aanbieden"),
            when=lambda answers: answers.get("_kind") == "time",
            prompt=N_(
                "Fijn dat je wilt helpen! Ik kan je tijd aanbieden aan projecten in de stad. Ik stel er dan nog een "
                "paar korte vragen over. Wil je dat?"
            ),
        ),
    ],
)
