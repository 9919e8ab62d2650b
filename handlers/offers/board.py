"""New offers on the partners' board: a card per offer of time, expertise, money, material or
space (without the person's name), and "Contact opnemen", which first asks the resident."""

from __future__ import annotations

from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Card, CardLine, Reply
from handlers import projects
from handlers.offers.offering import describe_offer
from storage.models import Offer, OutboxMessage

CONTACT = "ocontact"  # route: Action.of(CONTACT, "ask", offer id[, organisation id])
KINDS = {"time": N_("Tijd"), "expertise": N_("Kennis of talent"), "gift": N_("Geld, materiaal of een ruimte")}


def offer_card(ctx: Scope, offer: Offer, buttons: tuple[Button, ...] = (), lead: str = "") -> Card:
    t = ctx.t
    return Card(
        t(N_("Aanbod #{id}: {kind}"), id=offer.id, kind=t(KINDS.get(offer.kind, offer.kind))),
        (CardLine(describe_offer(offer, t)),),
        buttons,
        icon="🤲",
        lead=lead,
    )


async def render_offer_card(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    """A new offer in the partners' room, while it is still open."""
    offer = await ctx.session.get(Offer, row.payload.get("offer_id"))
    if offer is None or offer.state != "open" or (offer.valid_until and offer.valid_until < ctx.now):
        return []
    t = ctx.t
    contact = Button(t(N_("Contact opnemen")), Action.of(CONTACT, "ask", offer.id), style="primary")
    return [offer_card(ctx, offer, (contact,), lead=t(N_("Een inwoner biedt dit aan. Wie kan het gebruiken?")))]


async def on_contact_button(ctx: Context, tapped: Action) -> None:
    """A partner wants to talk about an offer: the resident is asked first."""
    t = ctx.t
    offer = await ctx.find(Offer, tapped.id)
    organisations = await projects.organisations_of(ctx)
    if offer is None or tapped.verb != "ask" or not organisations:
        raise Expired()
    if offer.state != "open":
        ctx.notice(t(N_("Dit aanbod loopt niet meer.")))
        return
    organisation = await projects.choose_organisation(
        ctx, organisations, tapped, N_("Je hoort bij meer dan één organisatie. Voor welke neem je contact op?")
    )
    if organisation is None:
        return
    if await projects.ask_contact(
        ctx, person_id=offer.person_id, organisation=organisation, partner=ctx.known_person, offer=offer
    ):
        ctx.notice(
            t(
                N_(
                    "Ik vraag de inwoner of {organisation} contact mag opnemen. Zegt die ja, dan krijg je "
                    "een bericht van mij."
                ),
                organisation=organisation.name,
            )
        )
    else:
        ctx.notice(t(N_("{organisation} vroeg dit al aan de inwoner."), organisation=organisation.name))
