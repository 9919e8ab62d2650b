"""“Mijn bijdragen”: the ideas and offers a person shared, with a button to withdraw an offer."""
from __future__ import annotations

from datetime import date

from bot.context import Context
from bot.i18n import N_, Translator
from bot.replies import Action, Button
from handlers.offers import OFFER
from handlers.options import AMOUNTS, GIFT_KINDS, IDEA_STATES, MOMENTS, SKILLS, label
from storage.models import Offer


def describe_offer(offer: Offer, t: Translator) -> str:
    details = offer.details
    if offer.kind == "time":
        moments = ", ".join(t(label(MOMENTS, m)) for m in details.get("moments", []))
        text = t(N_("{hours} uur per maand ({moments}), vanaf {start}"), hours=details.get("hours"),
                 moments=moments, start=t.date(date.fromisoformat(details["start"])))
    elif offer.kind == "expertise":
        tags = ", ".join(t(label(SKILLS, tag)) for tag in details.get("tags", []))
        text = t(N_("Kennis: {skills}"), skills=details.get("skills", "")) + (f" ({tags})" if tags else "")
    else:
        text = f"{t(label(GIFT_KINDS, details.get('kind')))}: {details.get('what', '')}"
        if details.get("amount"):
            text += f" ({t(label(AMOUNTS, details['amount']))})"
    if offer.valid_until:
        text += " – " + t(N_("tot {date}"), date=t.date(offer.valid_until.date()))
    return text


async def show_contributions(ctx: Context) -> None:
    t, person = ctx.t, ctx.person
    ideas = await ctx.ideas.by_author(person)
    offers = await ctx.offers.of(person, open_only=True)
    if not ideas and not offers:
        ctx.say(t(N_("Je hebt nog niets gedeeld. Typ /idee of /tijd om te beginnen.")))
        return
    lines = [t(N_("Dit heb je gedeeld:"))]
    for idea in ideas:
        lines.append("💡 " + t(N_("{idea} – {state}"), idea=short(idea.idea), state=t(IDEA_STATES[idea.state])))
    buttons = []
    for number, offer in enumerate(offers, start=1):
        lines.append(f"{number}. {describe_offer(offer, t)}")
        buttons.append(Button(t(N_("Trek {number} in"), number=number), Action.of(OFFER, "withdraw", offer.id)))
    if buttons:
        lines += ["", t(N_("Wil je een aanbod intrekken? Kies hieronder zijn nummer."))]
    ctx.say("\n".join(lines), buttons)


def short(text: str, limit: int = 60) -> str:
    """The start of a long text, to name it in a list or a message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
