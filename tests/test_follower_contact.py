"""A partner reaches a follower of its project only after that follower's yes: the follower offers
to help from the project's news, is told what the partner will see, and only their yes opens the
relay that authors already use; a tap from someone who does not follow changes nothing."""

from storage.models import Relay
from tests.auxil.database import rows
from tests.auxil.town import shows, until
from tests.test_projects import partner_of, published_by_coco


async def adopted_with_follower(city, slack):
    """Anna's idea, published and followed by Léa, then taken up by Pia for Budascoop; Léa's news is in."""
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    anna, published = await published_by_coco(city, slack)
    lea = await city.resident(1004, "Léa")
    await lea.send("/ideeen")
    await lea.tap("Volgen", lea.message_with("Kleurrijke bankjes."))
    city.clock.advance(hours=3)
    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    await through_the_day(city)
    return anna, lea


async def through_the_day(city) -> None:
    """Let a day pass in steps, past anyone's quiet hours."""
    for _ in range(6):
        await city.tick(hours=4)


async def test_a_follower_offers_to_help_and_only_their_yes_opens_the_conversation(town, engine):
    city, slack = town
    anna, lea = await adopted_with_follower(city, slack)
    news = lea.message_with("Budascoop pakt het idee op dat je volgt")
    await lea.tap("Ik wil meehelpen", news)
    assert "ziet dan je voornaam" in lea.text and "Budascoop" in lea.text
    assert [r for r in await rows(engine, Relay) if r.opened_at] == []  # nothing is shared before her yes
    await lea.tap("Ja, dat mag")
    assert "Budascoop kan je nu berichten sturen via mij" in lea.text
    await city.tick()
    opened = next(m for m in slack.dm("UPIA") if "volgt" in m.text and "Léa" in m.text)
    assert "wil graag meehelpen" in opened.text

    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DUPIA",
            "user": "UPIA",
            "text": "Dag Léa! Help je zaterdag mee schilderen?",
            "ts": "9.000001",
            "thread_ts": opened.ts,
        }
    )
    await until(lambda: any(m.user == "UPIA" and "Doorgestuurd" in m.text for m in slack.messages), slack)
    await through_the_day(city)
    assert lea.message_with("Help je zaterdag mee schilderen?")["text"].startswith("💬 Bericht van Pia (Budascoop):")

    await lea.tap("Ik wil meehelpen", news)  # a second offer opens nothing new
    assert "al" in lea.text
    assert len([r for r in await rows(engine, Relay) if r.opened_at]) == 1


async def test_an_offer_to_help_is_refused_to_who_does_not_follow_and_a_no_shares_nothing(town, engine):
    city, slack = town
    anna, lea = await adopted_with_follower(city, slack)
    news = lea.message_with("Budascoop pakt het idee op dat je volgt")
    mia = await city.resident(1005, "Mia")
    await mia.tap("Ik wil meehelpen", news)  # a forged tap: Mia does not follow the project
    assert "Budascoop" not in mia.text
    await lea.tap("Ik wil meehelpen", news)
    await lea.tap("Liever niet")
    await city.tick()
    assert [r for r in await rows(engine, Relay) if r.opened_at] == []
    assert not any("Léa" in m.text for m in slack.dm("UPIA"))
