"""“Mijn bijdragen”: the ideas and offers a person shared, with a button to withdraw an offer."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.replies import Action, Button, short
from handlers import offers
from handlers.common.options import IDEA_STATES


async def show_contributions(ctx: Context) -> None:
    t, person = ctx.t, ctx.known_person
    ideas = await ctx.ideas.by_author(person)
    open_offers = await ctx.offers.of(person, open_only=True)
    if not ideas and not open_offers:
        ctx.say(t(N_("Je hebt nog niets gedeeld. Typ /idee of /tijd om te beginnen.")))
        return
    lines = [t(N_("Dit heb je gedeeld:"))]
    for idea in ideas:
        lines.append("💡 " + t(N_("{idea} – {state}"), idea=short(idea.idea), state=t(IDEA_STATES[idea.state])))
    buttons = []
    for number, offer in enumerate(open_offers, start=1):
        lines.append(f"{number}. {offers.describe_offer(offer, t)}")
        buttons.append(Button(t(N_("Trek {number} in"), number=number), Action.of(offers.OFFER, "withdraw", offer.id)))
    if buttons:
        lines += ["", t(N_("Wil je een aanbod intrekken? Kies hieronder zijn nummer."))]
    ctx.say("\n".join(lines), buttons)
