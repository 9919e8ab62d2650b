"""Partners pick things up in Slack: joining an organisation, adopting a published idea, moving
the project through its phases; the author hears each step on Telegram in their own language,
and no partner can moderate or touch another organisation's project."""

import asyncio
import itertools
import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage.models import AuditEvent, Call, Feedback, Idea, OutboxMessage, Project, ProjectUpdate, Relay, RoleGrant
from storage.repositories import Roles
from tests.auxil.builders import CALL
from tests.auxil.database import rows
from tests.auxil.slack_fixtures import COORDINATORS_ROOM, PARTNERS_ROOM
from tests.auxil.town import card_in, share_idea, shows, until


async def organisations(city, *names: str) -> None:
    async with city.bot.core.sessions() as session, session.begin():
        for name in names:
            await Roles(session).add_organisation(name, city.clock())


async def partner_of(city, user_id: str, *names: str) -> None:
    """Make the organisations and the Slack user a partner of each."""
    await organisations(city, *names)
    async with city.bot.core.sessions() as session, session.begin():
        for name in names:
            organisation = await Roles(session).organisation(name)
            await Roles(session).grant(
                "slack", user_id, "partner", by="test", now=city.clock(), organisation=organisation
            )


async def test_from_idea_to_project_with_every_step_told_to_the_author(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia", locale="fr-FR")
    slack.add_user("UBOB", "Bob")
    await organisations(city, "Budascoop", "Huis van de Mens")
    anna = await city.resident(1001, "Anna")
    await anna.send("/taal")
    await anna.tap("Français")

    # Pia asks to join Budascoop; a coordinator approves in the coordinators' room.
    await slack.command("UPIA", "koppel budascoop")
    await until(lambda: any("Budascoop" in m.text for m in slack.dm("UPIA")), slack)
    await city.tick()
    request = card_in(slack, COORDINATORS_ROOM, "Pia")
    await slack.tap("UCOCO", request, "Goedkeuren")
    await until(lambda: shows(request, "Goedgekeurd door Coco"), slack)
    await city.tick()
    await until(lambda: any("partenaire" in m.text for m in slack.dm("UPIA")), slack)  # in her Slack language
    async with city.bot.core.sessions() as session, session.begin():
        huis = await Roles(session).organisation("Huis van de Mens")
        await Roles(session).grant("slack", "UBOB", "partner", by="test", now=city.clock(), organisation=huis)

    # Anna (in French now) shares an idea; a partner cannot moderate it, the coordinator publishes it.
    await anna.send("/menu")
    await anna.send("/idee")
    for answer in ("Het Leieboord is grijs.", "Kleurrijke bankjes."):
        await anna.send(answer)
    for label in ("Passer", "Patrimoine", "Marke", "Oui", "Passer", "C’est correct"):
        await anna.tap(label)
    await city.tick()
    moderation = card_in(slack, COORDINATORS_ROOM, "Kleurrijke bankjes.")
    await slack.tap("UPIA", moderation, "Publiceren")
    await until(lambda: any(m.user == "UPIA" for m in slack.messages), slack)
    [idea] = await rows(engine, Idea)
    assert idea.state == "submitted"  # a partner's tap on a moderation button does nothing
    await slack.tap("UCOCO", moderation, "Publiceren")
    await until(lambda: shows(moderation, "Gepubliceerd"), slack)
    await city.tick(hours=24)  # past the night: the news waits for the end of quiet hours
    assert any("ouverte aux partenaires" in text for text in anna.unread_texts())

    # Pia adopts it for Budascoop: everyone in the partners' room sees it is taken.
    published = card_in(slack, PARTNERS_ROOM, "Kleurrijke bankjes.")
    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    assert not any(block["type"] == "actions" for block in published.blocks)
    project_card = await until_card(slack, "UPIA", "🛠")
    await city.tick()
    news, ask = anna.unread_texts()
    assert "Budascoop" in news and "explorer" in news  # the phase, in Anna's language
    assert "Budascoop" in ask and "Peuvent-ils" in ask  # and whether they may write to her

    # Bob (another organisation) cannot move Budascoop's project; Pia moves it on with an update.
    await slack.tap("UBOB", project_card, "Passer à prototype")
    await until(lambda: any(m.user == "UBOB" and "andere organisatie" in m.text for m in slack.messages), slack)
    await slack.tap("UPIA", project_card, "Passer à prototype")
    await until(lambda: slack.views, slack)
    [modal] = slack.views.values()
    status, body = await slack.submit("UPIA", modal["id"], {"text": {"type": "plain_text_input", "value": "Kort"}})
    assert "errors" in json.loads(body)
    await slack.submit(
        "UPIA", modal["id"], {"text": {"type": "plain_text_input", "value": "Vijf bankjes staan een week bij de brug."}}
    )
    await until(lambda: any("Bijgewerkt" in m.text or "Mis à jour" in m.text for m in slack.dm("UPIA")), slack)
    [project] = await rows(engine, Project)
    assert project.phase == "prototype"
    assert [u.phase for u in await rows(engine, ProjectUpdate)] == ["explore", "prototype"]
    await city.tick()
    [news] = anna.unread_texts()
    assert "Vijf bankjes staan een week bij de brug." in news and "prototype" in news
    [idea] = await rows(engine, Idea)
    assert idea.state == "prototyping"
    assert len([g for g in await rows(engine, RoleGrant) if g.role == "partner"]) == 2

    # Pia calls for helping hands for the project; a coordinator approves; Anna and Ben get the call.
    ben = await city.resident(1002, "Ben")
    latest = await until_card(slack, "UPIA", "🛠")
    await slack.tap("UPIA", latest, "Appel pour ce projet")
    await until(lambda: len(slack.views) == 2, slack)
    call_form = list(slack.views.values())[-1]
    await slack.submit("UPIA", call_form["id"], CALL)
    await until(lambda: any("coordinateur" in m.text for m in slack.dm("UPIA")), slack)
    await city.tick()
    approval = card_in(slack, COORDINATORS_ROOM, "Bankjes bouwen")
    assert shows(approval, "Budascoop")
    [call] = await rows(engine, Call)
    assert (call.state, call.project_id) == ("awaiting", project.id)
    await slack.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    await until(lambda: "UCOCO" in slack.homes, slack)
    assert "Oproepen van partners*\\n1" in json.dumps(slack.homes["UCOCO"]["blocks"], ensure_ascii=False)
    await slack.tap("UCOCO", approval, "Goedkeuren")
    await until(lambda: shows(approval, "Goedgekeurd door Coco"), slack)
    assert shows(approval, "Goedgekeurd door Coco. Ze gaat naar 2 mensen.")  # Anna and Ben, in words that fit
    await city.tick()
    assert any("Bankjes bouwen" in text for text in anna.unread_texts())  # the call itself, on Telegram
    assert any("approuvé" in m.text for m in slack.dm("UPIA"))
    await ben.tap("Ik doe mee", ben.message_with("Bankjes bouwen"))
    ben.unread()

    # Tested, then realised: Anna hears both; Ben, who took part, hears the first and then asks for quiet.
    async def step(label: str, text: str) -> None:
        slack.views.clear()
        await slack.tap("UPIA", await until_card(slack, "UPIA", "🛠"), label)
        await until(lambda: slack.views, slack)
        [view] = slack.views.values()
        await slack.submit("UPIA", view["id"], {"text": {"type": "plain_text_input", "value": text}})
        await until(lambda: any(shows(m, text) for m in slack.dm("UPIA")), slack)
        await city.tick()
        assert any(text in news for news in anna.unread_texts())

    await step("Passer à test", "Drie buren testten de bankjes.")
    [news] = ben.unread_texts()
    assert "waar je aan meedeed" in news and "Drie buren testten de bankjes." in news
    await ben.tap("Geen nieuws meer hierover", ben.message_with("Drie buren"))
    assert "geen nieuws meer over dit project" in ben.text
    await step("Passer à réalisation", "De bankjes staan er voor altijd.")
    assert ben.unread_texts() == []
    [idea] = await rows(engine, Idea)
    assert idea.state == "realised"

    # Her dashboard shows the project with its test results: what the people at its call thought.
    async with city.bot.core.sessions() as session, session.begin():
        session.add_all(
            [
                Feedback(
                    call_id=call.id, person_id=None, rating=5, remark="Gezellig, meer bankjes!", created_at=city.clock()
                ),
                Feedback(call_id=call.id, person_id=None, rating=4, created_at=city.clock()),
            ]
        )
    await slack.event({"type": "app_home_opened", "user": "UPIA", "tab": "home", "channel": "DUPIA"})
    home = json.dumps((await until_home(slack, "UPIA"))["blocks"], ensure_ascii=False)
    assert "Kleurrijke bankjes." in home
    assert "4,5 sur 5, sur 2 notes" in home and "“Gezellig, meer bankjes!”" in home


async def until_card(slack, user_id: str, fragment: str):
    await until(lambda: any(m.text.startswith(fragment) for m in slack.dm(user_id)), slack)
    return next(m for m in reversed(slack.dm(user_id)) if m.text.startswith(fragment))


async def until_home(slack, user_id: str):
    await until(lambda: user_id in slack.homes, slack)
    return slack.homes[user_id]


async def published_by_coco(city, slack):
    """Anna shares an idea and Coco publishes it; returns Anna and the card in the partners' room."""
    anna = await city.resident(1001, "Anna")
    await share_idea(anna)
    await city.tick()
    moderation = card_in(slack, COORDINATORS_ROOM, "Kleurrijke bankjes.")
    await slack.tap("UCOCO", moderation, "Publiceren")
    await until(lambda: shows(moderation, "Gepubliceerd"), slack)
    await city.tick()
    return anna, card_in(slack, PARTNERS_ROOM, "Kleurrijke bankjes.")


async def adopted_by_pia(city, slack):
    """Anna's idea, published by Coco and taken up by Pia for Budascoop; Anna's news is read."""
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    anna, published = await published_by_coco(city, slack)
    await slack.tap("UPIA", published, "Wij pakken dit op")
    await until(lambda: shows(published, "Budascoop"), slack)
    await city.tick()
    return anna


async def test_contact_only_after_a_yes_and_then_through_the_bot_both_ways(town, engine):
    city, slack = town
    anna = await adopted_by_pia(city, slack)
    ask = anna.message_with("Mogen ze je berichten sturen via mij?")
    assert "Budascoop" in ask["text"]
    assert [relay.opened_at for relay in await rows(engine, Relay)] == [None]  # nothing is shared before her yes
    await anna.tap("Ja, dat mag", ask)
    assert "Budascoop kan je nu berichten sturen via mij" in anna.text
    await city.tick()
    opened = next(m for m in slack.dm("UPIA") if "zegt ja" in m.text)
    assert "Anna" in opened.text

    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DUPIA",
            "user": "UPIA",
            "text": "Dag Anna! Kom je zaterdag langs?",
            "ts": "9.000001",
            "thread_ts": opened.ts,
        }
    )
    await until(lambda: any(m.user == "UPIA" and "Doorgestuurd" in m.text for m in slack.messages), slack)
    await city.tick()
    message = anna.message_with("Dag Anna! Kom je zaterdag langs?")
    assert message["text"].startswith("💬 Bericht van Pia (Budascoop):")
    await anna.tap("Antwoorden", message)
    await anna.send("Graag! Zaterdag past.")
    assert "Doorgestuurd." in anna.text
    await city.tick()
    [answer] = [m for m in slack.dm("UPIA") if m.thread_ts == opened.ts]
    assert answer.text == "💬 Anna: Graag! Zaterdag past."

    await anna.tap("Gesprek sluiten", message)
    await city.tick()
    assert any(m.thread_ts == opened.ts and "gesloten" in m.text for m in slack.dm("UPIA"))
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DUPIA",
            "user": "UPIA",
            "text": "Nog één ding?",
            "ts": "9.000002",
            "thread_ts": opened.ts,
        }
    )
    await until(lambda: any("niet doorgestuurd" in m.text for m in slack.dm("UPIA")), slack)
    await city.tick()
    assert not any("Nog één ding?" in text for text in anna.unread_texts())
    [relay] = await rows(engine, Relay)
    assert relay.closed_at is not None
    kinds = [event.kind for event in await rows(engine, AuditEvent)]
    assert "contact_shared" in kinds and "relay_closed" in kinds


async def test_no_means_no_contact(town, engine):
    city, slack = town
    anna = await adopted_by_pia(city, slack)
    await anna.tap("Liever niet", anna.message_with("Mogen ze je berichten sturen via mij?"))
    await city.tick()
    assert any("liever niet rechtstreeks gecontacteerd" in m.text for m in slack.dm("UPIA"))
    [relay] = await rows(engine, Relay)
    assert relay.opened_at is None and relay.closed_at is not None  # asked, refused, never opened
    assert not any("zegt ja" in m.text for m in slack.dm("UPIA"))


async def test_a_partner_of_two_organisations_chooses_which_one_takes_the_idea_up(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop", "Huis van de Mens")
    _, published = await published_by_coco(city, slack)
    await slack.tap("UPIA", published, "Wij pakken dit op")
    choice = await until_card(slack, "UPIA", "Je hoort bij meer dan één organisatie.")
    assert await rows(engine, Project) == []  # nothing is taken before she chooses
    await slack.tap("UPIA", choice, "Huis van de Mens")
    await until(lambda: shows(published, "Huis van de Mens"), slack)  # the partners' card, for everyone
    assert not any(block["type"] == "actions" for block in published.blocks)
    assert shows(choice, "Opgepikt door Huis van de Mens")
    [project] = await rows(engine, Project)
    async with city.bot.core.sessions() as session:
        assert project.organisation_id == (await Roles(session).organisation("Huis van de Mens")).id


async def test_a_partner_asks_about_an_offer_and_talks_to_the_resident_only_after_her_yes(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia")
    await partner_of(city, "UPIA", "Budascoop")
    anna = await city.resident(1001, "Anna")
    await anna.send("/tijd")
    await anna.send("10")
    await anna.tap("Weekend")
    await anna.tap("Klaar")
    await anna.send("11/3/2031")
    await anna.tap("Overslaan")
    await anna.tap("Klopt")
    await city.tick()
    card = card_in(slack, PARTNERS_ROOM, "10 uur per maand")
    assert "Anna" not in json.dumps(card.blocks)  # the board does not name her

    await slack.tap("UCOCO", card, "Contact opnemen")  # a coordinator is no partner of an organisation
    await until(lambda: any(m.user == "UCOCO" and "verlopen" in m.text for m in slack.messages), slack)
    await slack.tap("UPIA", card, "Contact opnemen")
    await until(lambda: any(m.user == "UPIA" and "Ik vraag de inwoner" in m.text for m in slack.messages), slack)
    await slack.tap("UPIA", card, "Contact opnemen")  # a second tap asks nobody twice
    await until(lambda: any(m.user == "UPIA" and "vroeg dit al" in m.text for m in slack.messages), slack)
    await city.tick()
    [relay] = await rows(engine, Relay)
    assert relay.opened_at is None  # nothing shared yet
    ask = anna.message_with("Mogen ze je berichten sturen via mij?")
    assert "Budascoop wil graag met je praten over je aanbod “10 uur per maand" in ask["text"]
    await anna.tap("Ja, dat mag", ask)
    await city.tick()
    opened = next(m for m in slack.dm("UPIA") if "zegt ja" in m.text)
    assert opened.text.startswith("Anna, die “10 uur per maand")
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DUPIA",
            "user": "UPIA",
            "text": "Help je mee op zaterdag?",
            "ts": "9.000001",
            "thread_ts": opened.ts,
        }
    )
    await until(lambda: any(m.user == "UPIA" and "Doorgestuurd" in m.text for m in slack.messages), slack)
    await city.tick()
    assert anna.message_with("Help je mee op zaterdag?")["text"].startswith("💬 Bericht van Pia (Budascoop):")


async def test_a_call_form_opened_before_the_project_stopped_makes_no_call(town, engine):
    city, slack = town
    await adopted_by_pia(city, slack)
    card = await until_card(slack, "UPIA", "🛠")
    await slack.tap("UPIA", card, "Oproep voor dit project")
    await until(lambda: slack.views, slack)
    [call_form] = slack.views.values()
    await slack.tap("UPIA", card, "Stoppen")
    await until(lambda: len(slack.views) == 2, slack)
    stop_form = list(slack.views.values())[-1]
    await slack.submit("UPIA", stop_form["id"], {"text": {"type": "plain_text_input", "value": "Er is geen plek."}})
    await until(lambda: any("Bijgewerkt" in m.text for m in slack.dm("UPIA")), slack)
    [project] = await rows(engine, Project)
    assert project.phase == "stopped"

    await slack.submit("UPIA", call_form["id"], CALL)
    await until(lambda: any("intussen gestopt" in m.text for m in slack.dm("UPIA")), slack)
    assert await rows(engine, Call) == []
    await city.tick()
    assert not any("Bankjes bouwen" in json.dumps(m.blocks) for m in slack.in_channel(COORDINATORS_ROOM))


TIMESTAMPS = (f"9.{n:06d}" for n in itertools.count(100))


async def pia_writes(slack, opened, text: str) -> None:
    """Pia writes in the thread of her conversation with a resident."""
    await slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DUPIA",
            "user": "UPIA",
            "text": text,
            "ts": next(TIMESTAMPS),
            "thread_ts": opened.ts,
        }
    )


def answers_to_pia(slack, fragment: str) -> list:
    """What the bot told Pia (in her conversation or as a notice) that holds `fragment`."""
    return [m for m in slack.messages if m.user == "UPIA" and fragment in m.text] + [
        m for m in slack.dm("UPIA") if fragment in m.text
    ]


async def talking(city, slack):
    """Anna said yes to Budascoop and Pia's first message reached her; returns Anna, the message
    that opened Pia's thread, and Pia's message as Anna got it."""
    anna = await adopted_by_pia(city, slack)
    await anna.tap("Ja, dat mag", anna.message_with("Mogen ze je berichten sturen via mij?"))
    await city.tick()
    opened = next(m for m in slack.dm("UPIA") if "zegt ja" in m.text)
    await pia_writes(slack, opened, "Dag Anna! Kom je zaterdag langs?")
    await until(lambda: answers_to_pia(slack, "Doorgestuurd"), slack)
    await city.tick()
    return anna, opened, anna.message_with("Dag Anna! Kom je zaterdag langs?")


def closed_in_thread(slack, opened) -> bool:
    return any(m.thread_ts == opened.ts and "Het gesprek via Gangmaker is gesloten" in m.text for m in slack.dm("UPIA"))


async def test_a_partner_taken_out_of_the_organisation_no_longer_talks_to_the_resident(
    town, engine, monkeypatch, tmp_path
):
    city, slack = town
    anna, opened, message = await talking(city, slack)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    removed = await asyncio.to_thread(
        CliRunner().invoke, main, ["admin", "org", "remove", "Budascoop", "slack", "UPIA"], catch_exceptions=False
    )
    assert removed.exit_code == 0 and "conversations with residents (1) are closed" in removed.output
    [relay] = await rows(engine, Relay)
    assert relay.closed_at is not None
    # The command line writes at the wall clock's moment; the town's clock catches up, so its notices are due.
    closing = await rows(engine, OutboxMessage, OutboxMessage.purpose == "relay_closed")
    city.clock.now = max([city.clock.now, *(row.not_before.replace(tzinfo=city.clock.now.tzinfo) for row in closing)])
    await city.tick()
    assert closed_in_thread(slack, opened)  # both sides hear it ended
    assert any("Het gesprek via Gangmaker is gesloten" in text for text in anna.unread_texts())

    await pia_writes(slack, opened, "Ben je er nog?")
    await until(lambda: answers_to_pia(slack, "niet doorgestuurd"), slack)
    await anna.tap("Antwoorden", message)
    assert "Dit gesprek is al gesloten." in anna.text
    await city.tick()
    assert not any("Ben je er nog?" in text for text in anna.unread_texts())


@pytest.mark.parametrize("first", ["partner", "resident"])
async def test_every_turn_of_a_conversation_checks_the_partner_still_belongs_to_the_organisation(town, engine, first):
    city, slack = town
    anna, opened, message = await talking(city, slack)
    await anna.tap("Antwoorden", message)  # she starts her answer while Pia still belongs
    async with city.bot.core.sessions() as session, session.begin():  # the grant goes, nothing else
        budascoop = await Roles(session).organisation("Budascoop")
        assert await Roles(session).revoke("slack", "UPIA", "partner", budascoop)
    if first == "partner":
        await pia_writes(slack, opened, "Ben je er nog?")
        await until(lambda: answers_to_pia(slack, "niet doorgestuurd"), slack)
        await city.tick()
        assert any("Het gesprek via Gangmaker is gesloten" in text for text in anna.unread_texts())
    else:
        await anna.send("Ja, zaterdag om tien uur.")
        assert "niet doorgestuurd" in anna.text
        await city.tick()
        assert closed_in_thread(slack, opened)
    assert not any("Ben je er nog?" in text for text in anna.unread_texts())
    assert not any("zaterdag om tien uur" in m.text for m in slack.dm("UPIA"))
    [relay] = await rows(engine, Relay)
    assert relay.closed_at is not None


async def test_a_yes_after_the_partner_who_asked_left_the_organisation_opens_nothing(town, engine):
    city, slack = town
    anna = await adopted_by_pia(city, slack)
    async with city.bot.core.sessions() as session, session.begin():
        budascoop = await Roles(session).organisation("Budascoop")
        await Roles(session).revoke("slack", "UPIA", "partner", budascoop)
    await anna.tap("Ja, dat mag", anna.message_with("Mogen ze je berichten sturen via mij?"))
    assert "Deze vraag is intussen ingetrokken." in anna.text
    await city.tick()
    assert not any("zegt ja" in m.text for m in slack.dm("UPIA"))
    [relay] = await rows(engine, Relay)
    assert relay.opened_at is None and relay.closed_at is not None


async def test_after_the_residents_erasure_the_partner_hears_the_conversation_ended(town, engine):
    city, slack = town
    anna, opened, _ = await talking(city, slack)
    await anna.send("/vergeet")
    await anna.tap("Ja, wis mijn gegevens")
    assert await rows(engine, Relay) == []
    await city.tick()
    assert closed_in_thread(slack, opened)
    await pia_writes(slack, opened, "Hallo? Ben je er nog?")
    await until(lambda: answers_to_pia(slack, "niet doorgestuurd"), slack)
    assert not answers_to_pia(slack, "Dat klinkt als een idee")


async def test_after_the_partners_erasure_the_resident_hears_the_conversation_ended(town, engine):
    city, slack = town
    anna, opened, message = await talking(city, slack)
    await slack.command("UPIA", "vergeet")
    sure = await until_card(slack, "UPIA", "Je profiel")
    await slack.tap("UPIA", sure, "Ja, wis mijn gegevens")
    await until(lambda: answers_to_pia(slack, "Alles is gewist"), slack)
    await city.tick()
    assert any("Het gesprek via Gangmaker is gesloten" in text for text in anna.unread_texts())
    await anna.tap("Antwoorden", message)
    assert "Dit gesprek is al gesloten." in anna.text
