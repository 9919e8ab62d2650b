"""Taking up an idea, as a first walk found it: a coordinator of no organisation is told why the
button does nothing (not that it expired), the author hears that their idea is taken up before
they hear its phase, and giving money is asked as money."""

from storage.models import Offer
from storage.repositories import Roles
from tests.auxil.chat import onboard
from tests.auxil.database import rows
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.town import card_in, share_idea, shows, until


async def published_idea(city, slack):
    """Anna shares an idea on Telegram; Coco publishes it; its card reaches the partners' room."""
    anna = await city.resident(1001, "Anna")
    await share_idea(anna, "Kleurrijke bankjes.")
    await city.tick()
    card = card_in(slack, COORDINATORS_ROOM, "Kleurrijke bankjes.")
    await slack.tap("UCOCO", card, "Publiceren")
    await until(lambda: shows(card, "Gepubliceerd door Coco"), slack)
    await city.tick(hours=24)
    anna.unread()
    return anna, card_in(slack, PARTNERS_ROOM, "Kleurrijke bankjes.")


async def test_a_coordinator_of_no_organisation_is_told_why_and_what_to_do(town):
    city, slack = town
    _, published = await published_idea(city, slack)
    await slack.tap("UCOCO", published, "Wij pakken dit op")
    await until(lambda: any(m.user == "UCOCO" for m in slack.messages), slack)
    [told] = [m.text for m in slack.messages if m.user == "UCOCO"]
    assert "verlopen" not in told
    assert "geen enkele" in told and "koppel en de naam van je organisatie" in told
    assert shows(published, "Wij pakken dit op")  # still there for the partners


async def test_the_author_hears_it_is_taken_up_before_its_phase(town):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    async with city.bot.core.sessions() as session, session.begin():
        budascoop = await Roles(session).add_organisation("Budascoop", city.clock())
        await Roles(session).grant("slack", "UPIA", "partner", by="test", now=city.clock(), organisation=budascoop)
    anna, published = await published_idea(city, slack)
    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    await city.tick(hours=24)
    news, ask = anna.unread_texts()
    assert news.index("Budascoop pakt je idee") < news.index("fase")
    assert news.count("pakt") == 1  # the update that only says who took it up is not told twice
    assert "Mogen ze je berichten sturen" in ask


async def test_giving_money_asks_how_much_and_what_for_not_what_it_is(chat, engine):
    await onboard(chat)
    await chat.send("/geven")
    await chat.tap("Geld")
    assert "Om ongeveer hoeveel geld gaat het?" in chat.text
    assert "pallets" not in chat.text
    await chat.send("€ 250")
    assert "Waarvoor mag het geld dienen?" in chat.text and "pallets" not in chat.text
    await chat.send("Voor de jeugdbeweging.")
    await chat.tap("Overslaan")
    assert "• Waarvoor: Voor de jeugdbeweging." in chat.text
    await chat.tap("Klopt")
    [offer] = await rows(engine, Offer)
    assert offer.details == {"kind": "money", "amount": "100-500", "for_what": "Voor de jeugdbeweging."}
