"""“Mijn bijdragen”: the ideas and offers a person shared, with a button to withdraw an offer, and
the ideas they support and follow, with a button to stop."""

from __future__ import annotations

from bot.context import Context
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, short
from handlers import offers
from handlers.common.options import IDEA_STATES
from storage import backing
from storage.models import Follow, Idea, Support

BACKING = "backing"  # route of the stop buttons: Action.of(BACKING, "support" | "follow", idea id)
KINDS: dict[str, backing.Backing] = {"support": Support, "follow": Follow}


async def show_contributions(ctx: Context) -> None:
    t, person = ctx.t, ctx.known_person
    ideas = await ctx.ideas.by_author(person)
    open_offers = await ctx.offers.of(person, open_only=True)
    supported = await backing.backed_by(ctx.session, Support, person)
    followed = await backing.backed_by(ctx.session, Follow, person)
    if not (ideas or open_offers or supported or followed):
        ctx.say(t(N_("Je hebt nog niets gedeeld. Typ /idee of /tijd om te beginnen.")))
        return
    lines: list[str] = []
    if ideas or open_offers:
        lines.append(t(N_("Dit heb je gedeeld:")))
    for idea in ideas:
        lines.append("💡 " + _titled(ctx, idea))
    buttons = []
    for number, offer in enumerate(open_offers, start=1):
        lines.append(f"{number}. {offers.describe_offer(offer, t)}")
        buttons.append(Button(t(N_("Trek {number} in"), number=number), Action.of(offers.OFFER, "withdraw", offer.id)))
    if buttons:
        lines += ["", t(N_("Wil je een aanbod intrekken? Kies hieronder zijn nummer."))]
    # Numbered apart from the offers, as the buttons name the list they stop.
    for heading, found, verb, stop in (
        (N_("Je steunt:"), supported, "support", N_("Steun intrekken ({number})")),
        (N_("Je volgt:"), followed, "follow", N_("Niet meer volgen ({number})")),
    ):
        if not found:
            continue
        lines += ["", t(heading)] if lines else [t(heading)]
        for number, idea in enumerate(found, start=1):
            lines.append(f"{number}. {_titled(ctx, idea)}")
            buttons.append(Button(t(stop, number=number), Action.of(BACKING, verb, idea.id)))
    ctx.say("\n".join(lines), buttons)


def _titled(ctx: Context, idea: Idea) -> str:
    return ctx.t(N_("{idea} – {state}"), idea=short(idea.idea), state=ctx.t(IDEA_STATES[idea.state]))


async def on_backing_button(ctx: Context, tapped: Action) -> None:
    """Stop supporting or following an idea: only the person's own row goes, once."""
    t = ctx.t
    model = KINDS.get(tapped.verb)
    idea = await ctx.find(Idea, tapped.id) if model is not None else None
    if model is None or idea is None:
        raise Expired()
    await backing.withdraw(ctx.session, model, idea.id, ctx.known_person.id)
    if model is Support:
        ctx.say(t(N_("Je steunt “{idea}” niet meer."), idea=short(idea.idea)))
    else:
        ctx.say(t(N_("Je volgt “{idea}” niet meer. Je krijgt er geen nieuws meer over."), idea=short(idea.idea)))
