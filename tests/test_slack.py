"""Partners and coordinators in Slack: signed requests in, Web API calls out (the real slack-bolt
against a fake Slack that refuses what Slack refuses)."""

import asyncio
import json
import logging
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from bot.outbox import RetryLater, Unreachable
from bot.replies import Action, Form, FormField, Message, Room
from storage.db import session_factory
from storage.models import Call, Idea, Identity, Offer, OutboxMessage, ProcessedEvent, Project
from storage.repositories import Roles
from tests.auxil.builders import CALL
from tests.auxil.database import rows
from tests.auxil.fake_slack import DROPPED, LATE
from tests.auxil.slack_fixtures import COORDINATORS_ROOM
from tests.auxil.town import until
from tests.test_rendering import REPLIES


async def create_call(slack) -> dict:
    """A coordinator creates the call CALL in the modal; returns the modal."""
    await slack.fake.command("UCOCO", "oproep")
    [view] = await slack.until(lambda: list(slack.fake.views.values()))
    await slack.fake.submit("UCOCO", view["id"], CALL)
    await slack.until(lambda: slack.fake.dm("UCOCO"))
    return view


async def test_forged_unsigned_and_stale_requests_are_refused_before_anything_runs(slack, engine):
    fake = slack.fake
    assert (await fake.command("UCOCO", "oproep", signed=False))[0] == 401
    assert (await fake.command("UCOCO", "oproep", age=6 * 60))[0] == 401
    fake.secret = "someone-elses-secret"
    assert (await fake.command("UCOCO", "oproep"))[0] == 401
    assert await rows(engine, Identity) == []
    assert fake.calls_to("views.open") == [] and fake.messages == []


BOTH_TRANSPORTS = pytest.mark.parametrize("slack", ["http", "socket"], indirect=True)


@BOTH_TRANSPORTS
async def test_a_coordinator_creates_a_call_in_a_modal_with_the_chats_rules(slack, engine):
    fake = slack.fake
    status, _ = await fake.command("UCOCO", "oproep")
    assert status == 200
    [view] = await slack.until(lambda: list(fake.views.values()))
    assert [block["block_id"] for block in view["blocks"]][:3] == ["title", "description", "translate"]
    status, body = await fake.submit(
        "UCOCO",
        view["id"],
        {
            **CALL,
            "capacity": {"type": "number_input", "value": "20000"},
            "deadline": {"type": "datetimepicker", "selected_date_time": 1899820000},
        },
    )
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"capacity": "Dat moet een getal tussen 0 en 10000 zijn."}
    status, body = await fake.submit(
        "UCOCO", view["id"], {**CALL, "deadline": {"type": "datetimepicker", "selected_date_time": 1899820000}}
    )
    assert json.loads(body)["errors"] == {"deadline": "Inschrijven moet stoppen voor het begin."}
    assert await rows(engine, Call) == []
    status, body = await fake.submit("UCOCO", view["id"], CALL)
    assert (status, body) == (200, "")
    await slack.until(lambda: any("Je oproep staat open" in m.text for m in fake.dm("UCOCO")))
    [call] = await rows(engine, Call)
    assert (call.title["nl"], call.capacity, call.needs) == ("Bankjes bouwen", 20, ["time"])


async def test_without_the_role_there_is_no_modal_and_the_answer_is_in_the_persons_slack_language(slack):
    fake = slack.fake
    await fake.command("UPIA", "oproep")
    [message] = await slack.until(lambda: fake.dm("UPIA"))
    assert "Je ne connais pas cette commande" in message.text
    assert "Tapez /gangmaker aide" in message.text  # as a command is typed on Slack, in French
    assert fake.views == {}


async def test_the_app_home_shows_a_coordinator_the_calls_and_what_to_start(slack, engine):
    fake = slack.fake
    await create_call(slack)
    await fake.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    home = await slack.until(lambda: fake.homes.get("UCOCO"))
    texts = json.dumps(home["blocks"], ensure_ascii=False)
    assert "📣 Nieuwe oproep" in texts and "📣 Bankjes bouwen" in texts and "0/20" in texts
    await fake.event({"type": "app_home_opened", "user": "UPIA", "tab": "home", "channel": "DUPIA"})
    home = await slack.until(lambda: fake.homes.get("UPIA"))
    texts = json.dumps(home["blocks"], ensure_ascii=False)
    assert "Partager une idée" in texts and "Bankjes" not in texts  # a partner sees no coordination


@BOTH_TRANSPORTS
async def test_a_retried_event_is_answered_once(slack):
    fake = slack.fake
    message = {
        "type": "message",
        "channel_type": "im",
        "channel": "DUPIA",
        "user": "UPIA",
        "text": "bonjour",
        "ts": "1.000001",
    }
    body = json.dumps(
        {
            "token": "x",
            "team_id": "T0KORTRIJK",
            "api_app_id": "AGANGMAKER",
            "type": "event_callback",
            "event_id": "Ev0000RETRY",
            "event_time": 1,
            "event": message,
        }
    )
    assert (await fake.post(body, "application/json"))[0] == 200
    await slack.until(lambda: fake.dm("UPIA"))
    assert (await fake.post(body, "application/json", retry=1))[0] == 200
    await fake.event({**message, "text": "encore", "ts": "1.000002"})
    await slack.until(lambda: len(fake.dm("UPIA")) >= 2)
    assert len(fake.dm("UPIA")) == 2  # one answer per message, none for the retry


@BOTH_TRANSPORTS
async def test_a_forged_button_is_expired_and_an_edited_call_stays_one_call(slack, engine):
    fake = slack.fake
    view = await create_call(slack)
    await fake.command("UCOCO", "oproepen")
    overview = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Bankjes bouwen" in m.text])
    await fake.tap("UCOCO", overview[-1], "#1 Bankjes bouwen")
    listed = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Ingeschreven:" in m.text])
    await fake.tap("UCOCO", listed[-1], "Aanpassen")
    edit = await slack.until(lambda: [v for v in fake.views.values() if v["id"] != view["id"]])
    assert json.loads(edit[0]["private_metadata"])["_call_id"] == 1
    await fake.submit("UCOCO", edit[0]["id"], {**CALL, "title": {"type": "plain_text_input", "value": "Bankjes!"}})
    await slack.until(lambda: any("De oproep is aangepast." in m.text for m in fake.dm("UCOCO")))
    [call] = await rows(engine, Call)
    assert call.title["nl"] == "Bankjes!"
    forged = {**listed[-1].blocks[-1]["elements"][0], "value": "coord|publish|999999"}
    listed[-1].blocks[-1]["elements"][0] = forged
    await fake.tap("UCOCO", listed[-1], forged["text"]["text"])
    await slack.until(lambda: any(m.user == "UCOCO" and "verlopen" in m.text for m in fake.messages))


async def test_an_edit_modal_opened_before_the_call_was_cancelled_changes_nothing(slack, engine):
    fake = slack.fake
    view = await create_call(slack)
    await fake.command("UCOCO", "oproepen")
    overview = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Bankjes bouwen" in m.text])
    await fake.tap("UCOCO", overview[-1], "#1 Bankjes bouwen")
    listed = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Ingeschreven:" in m.text])
    await fake.tap("UCOCO", listed[-1], "Aanpassen")
    [edit] = await slack.until(lambda: [v for v in fake.views.values() if v["id"] != view["id"]])
    await fake.tap("UCOCO", listed[-1], "Annuleren")
    sure = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "echt annuleren" in m.text])
    await fake.tap("UCOCO", sure[-1], "Ja, annuleren")
    reason = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Waarom gaat het niet door?" in m.text])
    await fake.tap("UCOCO", reason[-1], "Overslaan")
    await slack.until(lambda: any("De oproep is geannuleerd." in m.text for m in fake.dm("UCOCO")))
    await fake.submit("UCOCO", edit["id"], {**CALL, "title": {"type": "plain_text_input", "value": "Bankjes!"}})
    await slack.until(lambda: any("Deze oproep is intussen geannuleerd." in m.text for m in fake.dm("UCOCO")))
    assert not any("De oproep is aangepast" in m.text for m in fake.dm("UCOCO"))
    [call] = await rows(engine, Call)
    assert (call.state, call.title["nl"]) == ("cancelled", "Bankjes bouwen")


async def test_slack_draws_every_reply_type_without_a_refusal(slack):
    fake = slack.fake
    channel = slack.assembly.channels["slack"]
    await channel.deliver("UPIA", [reply for reply in REPLIES if not isinstance(reply, Form)], tapped=None)
    await channel.deliver(
        "UPIA",
        [
            Form(
                "Dit is je oproep:",
                (
                    FormField("title", "Titel", "text", prompt="Wat is de titel?", value="Bankjes", maximum=80),
                    FormField("needs", "Nodig", "multi", options=(("time", "Tijd"), ("money", "Geld")), value=["time"]),
                    FormField("when", "Wanneer", "datetime", value="2030-03-13T13:00:00+00:00"),
                    FormField("day", "Dag", "date", value="2030-03-13"),
                    FormField("seats", "Plaatsen", "number", minimum=0, maximum=100, value=5),
                    FormField("help", "Zelf helpen", "yesno", options=(("yes", "Ja"), ("no", "Nee")), value=True),
                    FormField("photo", "Foto", "photo"),
                ),
                Action.of("form", "call"),
                "Klopt",
            )
        ],
        trigger_id="trigger-x",
    )
    await channel.deliver("UPIA", [Message("Voor de coördinatoren.", to=Room("coordinators"))])
    sent = fake.dm("UPIA")
    texts = [m.text for m in sent]
    for expected in ("Gewoon een bericht.", "Wanneer begint het?", "📣 Bankjes bouwen"):
        assert any(expected in text for text in texts), expected
    card = next(m for m in sent if m.text.startswith("📣"))
    assert card.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "📣 Bankjes bouwen", "emoji": True},
    }
    [join] = [e for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (join["value"], join["style"]) == ("call|join|7", "primary")
    danger = next(
        e for m in sent for b in m.blocks if b["type"] == "actions" for e in b["elements"] if e.get("confirm")
    )
    assert danger["confirm"]["confirm"]["text"] == "Ja" and danger["style"] == "danger"
    assert [m.text for m in fake.messages if m.user == "UPIA"] == ["Opgeslagen."]  # the notice, only to them
    [upload] = fake.files.values()
    assert (upload["name"], upload["content"], upload["channel"]) == ("gegevens.json", b"{}", "DUPIA")
    [modal] = fake.views.values()
    assert [b["block_id"] for b in modal["blocks"]] == ["title", "needs", "when", "day", "seats", "help"]
    assert modal["blocks"][5]["element"]["initial_option"]["value"] == "yes"
    assert [m.text for m in fake.in_channel("CCOORD")] == ["Voor de coördinatoren."]


async def test_a_push_to_someone_gone_or_throttled_tells_the_outbox_what_to_do(slack):
    fake = slack.fake
    channel = slack.assembly.channels["slack"]
    assert await channel.push("UPIA", [Message("Hallo")])
    fake.failures["chat.postMessage"] = ["ratelimited", "ratelimited"]
    with pytest.raises(RetryLater):
        await channel.push("UPIA", [Message("Hallo")])
    fake.failures["chat.postMessage"] = ["fatal_error"]
    with pytest.raises(RetryLater):
        await channel.push("UPIA", [Message("Hallo")])
    fake.users["UPIA"].deleted = True
    with pytest.raises(Unreachable):
        await channel.push("UPIA", [Message("Hallo")])
    fake.calls = [call for call in fake.calls if not call.error]  # the refusals above were asked for


async def test_a_partner_offers_time_step_by_step_in_a_direct_message(slack, engine):
    """Flows that are not forms run in the Slack conversation, with Slack's own hints."""
    fake = slack.fake
    fake.add_user("UBEA", "Bea")

    async def say(text: str, ts: str) -> None:
        await fake.event(
            {"type": "message", "channel_type": "im", "channel": "DUBEA", "user": "UBEA", "text": text, "ts": ts}
        )

    await fake.command("UBEA", "tijd")
    question = await slack.until(lambda: [m for m in fake.dm("UBEA") if "uur per maand" in m.text])
    assert question[0].text.startswith("Typ een getal tussen 1 en 200.")
    await say("6", "5.000001")
    moments = await slack.until(lambda: [m for m in fake.dm("UBEA") if "Wanneer kun je meestal?" in m.text])
    assert moments[0].text.startswith("Klik op alles wat past en dan op Klaar.")
    await fake.tap("UBEA", moments[0], "Weekend")
    await slack.until(lambda: any(shows_selected(m) for m in fake.dm("UBEA")))
    await fake.tap("UBEA", moments[0], "Klaar")
    await slack.until(lambda: any("Vanaf wanneer" in m.text for m in fake.dm("UBEA")))
    await say("1/4/2027", "5.000002")
    skip = await slack.until(lambda: [m for m in fake.dm("UBEA") if "Tot wanneer" in m.text])
    await fake.tap("UBEA", skip[-1], "Overslaan")
    summary = await slack.until(lambda: [m for m in fake.dm("UBEA") if "Klopt dit?" in m.text])
    await fake.tap("UBEA", summary[-1], "Klopt")
    await slack.until(lambda: any("Je aanbod is bewaard" in m.text for m in fake.dm("UBEA")))
    [offer] = await rows(engine, Offer)
    assert (offer.kind, offer.details["hours"], offer.details["moments"]) == ("time", 6, ["weekends"])


def shows_selected(message) -> bool:
    return "✅ Weekend" in json.dumps(message.blocks, ensure_ascii=False)


@pytest.mark.parametrize("slack", ["socket"], indirect=True)
async def test_socket_mode_needs_no_public_url_or_signing_secret(slack):
    fake = slack.fake
    [opened] = fake.calls_to("apps.connections.open")
    assert opened.params == {}  # the app token went in the header, as Slack wants it
    fake.socket, socket = None, fake.socket  # post over HTTP as if Slack still did
    assert (await fake.command("UCOCO", "menu"))[0] == 404
    fake.socket = socket
    assert (await fake.command("UCOCO", "menu"))[0] == 200
    await slack.until(lambda: fake.dm("UCOCO"))


async def test_a_reply_slack_would_not_take_goes_out_later(slack, engine):
    fake = slack.fake
    fake.add_user("UBEA", "Bea")
    fake.failures["chat.postMessage"] = ["fatal_error"]  # Slack's own trouble, a 500
    await fake.command("UBEA", "tijd")
    await slack.until(lambda: [c for c in fake.calls if c.error == "fatal_error"])
    assert not [m for m in fake.dm("UBEA") if "uur per maand" in m.text]

    async def resent():
        await slack.assembly.dispatcher.drain()
        return [m for m in fake.dm("UBEA") if "uur per maand" in m.text]

    for _ in range(100):
        if await resent():
            break
        await asyncio.sleep(0.02)
    assert await resent()
    fake.calls = [call for call in fake.calls if not call.error]  # the refusal above was asked for


async def test_a_request_refused_for_its_signature_leaves_nothing_of_its_body_in_the_logs(slack, caplog):
    """With a rotated secret or a drifting clock every partner's request is refused: the log says so,
    and holds no user id, name, text or response_url of theirs."""
    caplog.set_level(logging.DEBUG)
    fake = slack.fake
    assert (await fake.command("UCOCO", "koppel Geheime-Vereniging-4711", signed=False))[0] == 401
    fake.secret = "a-rotated-secret"
    assert (await fake.command("UCOCO", "koppel Geheime-Vereniging-4711"))[0] == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for personal in ("Geheime-Vereniging-4711", "UCOCO", "response_url", "trigger_id"):
        assert personal not in logged


JUNK = ['{"type": ', "[1,2,3]", '"hello"', "payload=%7Bnot+json", b"\xff\xfe\x00junk"]


async def test_junk_on_the_slack_route_is_refused_with_a_4xx_and_no_error_in_the_log(slack, caplog):
    """Unsigned junk is refused for its signature (401) before it is read; what does not parse,
    signed or not, gets 400; nothing of it becomes a 500 or an ERROR with a traceback."""
    from aiohttp import ClientSession

    fake = slack.fake
    statuses = []
    for body in JUNK:
        raw = body if isinstance(body, bytes) else body.encode()
        async with ClientSession() as session:
            for headers in (
                {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
                {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
                {},
            ):
                async with session.post(fake.bot_url, data=raw, headers=headers) as response:
                    statuses.append(response.status)
        if isinstance(body, str):  # signed with the right secret, and still not Slack's
            statuses.append((await fake.post(body, "application/json"))[0])
    assert statuses and set(statuses) <= {400, 401}, statuses
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def signed_but_not_as_slack_sends(fake) -> list[tuple[str, str, str]]:
    """Signed requests (so past the signature check) missing what Slack always sends, or carrying
    a `private_metadata` the bot did not write: (what is wrong, body, content type)."""
    form = "application/x-www-form-urlencoded"
    command = {"command": "/gangmaker", "text": "menu", "team_id": "T0KORTRIJK", "trigger_id": "t"}
    tap = {
        "type": "block_actions",
        "user": {"id": "UCOCO"},
        "container": {"type": "message", "channel_id": "DUCOCO", "message_ts": "1.000001"},
        "actions": [{"type": "button", "action_id": "a", "block_id": "b", "value": "command|menu"}],
    }
    view = {"id": "V1", "type": "modal", "callback_id": "form|call", "state": {"values": {}}}
    submission = {"type": "view_submission", "user": {"id": "UCOCO"}, "view": view}
    event = {"type": "event_callback", "event_id": "Ev1", "team_id": "T0KORTRIJK"}

    def interactive(payload: dict) -> str:
        return urlencode({"payload": json.dumps(payload)})

    without = {key: value for key, value in tap.items() if key != "user"}
    return [
        ("a command without user_id", urlencode(command), form),
        ("a command with an empty user_id", urlencode({**command, "user_id": ""}), form),
        ("a tap without user", interactive(without), form),
        ("a tap whose user has no id", interactive({**tap, "user": {}}), form),
        ("a tap whose user is text", interactive({**tap, "user": "UCOCO"}), form),
        (
            "a tap on a view without type",
            interactive({**tap, "container": {"type": "view"}, "view": {"id": "V"}}),
            form,
        ),
        ("a tap on a view that is text", interactive({**tap, "container": {"type": "view"}, "view": "home"}), form),
        ("a tap without actions", interactive({**tap, "actions": []}), form),
        ("a submission without user", interactive({**submission, "user": None}), form),
        ("a submission without view type", interactive({**submission, "view": {**view, "type": None}}), form),
        ("metadata not JSON", interactive({**submission, "view": {**view, "private_metadata": "{not"}}), form),
        ("metadata a list", interactive({**submission, "view": {**view, "private_metadata": "[1, 2]"}}), form),
        ("metadata text", interactive({**submission, "view": {**view, "private_metadata": '"x"'}}), form),
        (
            "state not as Slack sends it",
            interactive({**submission, "view": {**view, "state": {"values": {"title": ["x"]}}}}),
            form,
        ),
        (
            "a checkbox option without value",
            interactive(
                {
                    **submission,
                    "view": {
                        **view,
                        "state": {"values": {"needs": {"needs": {"type": "checkboxes", "selected_options": [{}]}}}},
                    },
                }
            ),
            form,
        ),
        (
            "a home opened by nobody",
            json.dumps({**event, "event": {"type": "app_home_opened", "tab": "home"}}),
            "application/json",
        ),
        (
            "a direct message from nobody",
            json.dumps({**event, "event": {"type": "message", "channel_type": "im", "text": "hoi", "ts": "1.1"}}),
            "application/json",
        ),
        ("an event that is not an object", json.dumps({**event, "event": "message"}), "application/json"),
    ]


async def test_a_signed_request_missing_what_slack_always_sends_is_refused_plainly(slack, engine, caplog):
    """Slack never sends these, so only someone holding the signing secret could: a 400 and one
    WARNING line without the body, never a 500 or an ERROR with a traceback, and nothing done."""
    caplog.set_level(logging.INFO)
    fake = slack.fake
    for wrong, body, content_type in signed_but_not_as_slack_sends(fake):
        caplog.clear()
        status, _ = await fake.post(body, content_type)
        assert status == 400, wrong
        refused = [record for record in caplog.records if record.levelno >= logging.WARNING]
        assert [record.levelno for record in refused] == [logging.WARNING], wrong
        assert not any(record.exc_info for record in caplog.records), wrong
        assert "UCOCO" not in refused[0].getMessage() and "hoi" not in refused[0].getMessage(), wrong
    assert await rows(engine, Identity) == []
    assert fake.messages == [] and fake.views == {} and fake.homes == {}


async def test_a_replayed_modal_submission_publishes_one_call_announced_once(town, engine, caplog):
    """Someone who captured a signed submission sends it again within Slack's five minutes: it is
    answered 200 and does nothing, on any instance (the signature is remembered in the database)."""
    caplog.set_level(logging.INFO)
    city, slack = town
    anna = await city.resident(1001, "Anna")
    await slack.command("UCOCO", "oproep")
    await until(lambda: slack.views, slack)
    [view] = slack.views.values()
    assert await slack.submit("UCOCO", view["id"], CALL) == (200, "")
    await until(lambda: any("Je oproep is verstuurd naar 1 persoon." in m.text for m in slack.dm("UCOCO")), slack)
    caplog.clear()
    assert await slack.replay() == (200, "")
    await city.tick(hours=24)
    assert len(await rows(engine, Call)) == 1
    assert [m.text for m in slack.dm("UCOCO") if "Je oproep is verstuurd naar 1 persoon." in m.text] != []
    assert len([m for m in slack.dm("UCOCO") if "Je oproep is verstuurd naar 1 persoon." in m.text]) == 1
    assert len([text for text in anna.unread_texts() if "Bankjes bouwen" in text]) == 1
    [dropped] = [record for record in caplog.records if record.name == "bot.channels.slack.channel"]
    assert dropped.levelno == logging.INFO and "UCOCO" not in dropped.getMessage()


async def test_a_replayed_slash_command_asks_to_join_once(town, engine):
    city, slack = town
    slack.add_user("UPIA", "Pia", locale="fr-FR")
    async with city.bot.core.sessions() as session, session.begin():
        await Roles(session).add_organisation("Budascoop", city.clock())
    assert (await slack.command("UPIA", "koppel budascoop"))[0] == 200
    await until(lambda: any("Budascoop" in m.text for m in slack.dm("UPIA")), slack)
    assert (await slack.replay())[0] == 200
    await city.tick()
    await slack.command("UPIA", "menu")  # answered after anything the replay would have done
    await until(lambda: len(slack.dm("UPIA")) >= 2, slack)
    await city.tick()
    requests = [m for m in slack.in_channel(COORDINATORS_ROOM) if "Pia" in json.dumps(m.blocks, ensure_ascii=False)]
    assert len(requests) == 1
    assert len([m for m in slack.dm("UPIA") if "Budascoop" in m.text]) == 1
    assert [event.key.split(":")[0] for event in await rows(engine, ProcessedEvent)] == ["command", "command"]
    await city.tick(days=8)
    assert await rows(engine, ProcessedEvent) == []  # remembered past the five minutes, not for ever


@pytest.mark.parametrize("lost", [LATE, DROPPED])
async def test_a_push_whose_answer_never_came_is_not_sent_again(town, engine, lost):
    """Slack posted the card, but its answer came after the client's time-out, or the connection
    dropped: the push may have arrived, so it is recorded as such and not sent again, by the outbox
    or by slack_sdk's own retry (at most once, as on Telegram)."""
    city, slack = town
    slack.add_user("UPIA", "Pia", locale="fr-FR")
    async with city.bot.core.sessions() as session, session.begin():
        await Roles(session).add_organisation("Budascoop", city.clock())
    await slack.command("UPIA", "koppel budascoop")
    await until(lambda: any("Budascoop" in m.text for m in slack.dm("UPIA")), slack)
    city.bot.assembly.channels["slack"].client.timeout = 0.2  # against LATE_BY
    slack.unanswered["chat.postMessage"] = [lost]
    await city.tick()
    for _ in range(3):
        await city.tick(seconds=31)
    requests = [m for m in slack.in_channel(COORDINATORS_ROOM) if "Pia" in json.dumps(m.blocks, ensure_ascii=False)]
    assert len(requests) == 1  # at most once: no second copy
    [row] = [row for row in await rows(engine, OutboxMessage) if row.purpose == "membership_request"]
    assert row.state == "sent" and "may not have arrived" in row.last_error


async def test_a_reply_whose_answer_never_came_is_not_sent_again(slack, caplog):
    """Slack posted the reply and the connection dropped before its answer: it may be there, so it
    is not posted again (slack_sdk's own retry would), and that is a warning, not an error."""
    fake = slack.fake
    fake.unanswered["chat.postMessage"] = [DROPPED]
    await fake.command("UCOCO", "menu")

    def settled() -> bool:
        """Told that the reply may not have arrived, or it came twice, or something failed."""
        told = any("may not have arrived" in record.getMessage() for record in caplog.records)
        failed = any(record.levelno >= logging.ERROR for record in caplog.records)
        return told or failed or len(fake.dm("UCOCO")) > 1

    await slack.until(settled)
    assert len(fake.dm("UCOCO")) == 1
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    await slack.assembly.dispatcher.drain()
    assert len(fake.dm("UCOCO")) == 1  # nor by the outbox


LONG = " ".join(f"Zin {n} van een lang verhaal." for n in range(130))  # about 3,900 characters


async def a_busy_coordinator_and_partner(engine, now) -> None:
    """Coco coordinates and is a partner of Budascoop, with 40 projects; 7 ideas wait for
    moderation (long ones), 7 partner calls for approval, 12 calls are coming."""
    async with session_factory(engine)() as session, session.begin():
        roles = Roles(session)
        budascoop = await roles.add_organisation("Budascoop", now)
        await roles.grant("slack", "UCOCO", "partner", by="test", now=now, organisation=budascoop)
        projects = []
        for n in range(1, 41):
            idea = Idea(problem="Grijs.", idea=f"Project nummer {n}", theme="heritage", place="marke", state="adopted")
            session.add(idea)
            await session.flush()
            projects.append(Project(idea_id=idea.id, organisation_id=budascoop.id, updated_at=now))
        session.add_all(projects)
        session.add_all(
            Idea(problem=LONG, idea=f"Wacht {n}. {LONG}", theme="heritage", place="marke", created_at=now)
            for n in range(7)
        )
        await session.flush()
        for n, state in enumerate(["awaiting"] * 7 + ["published"] * 12):
            starts = now + timedelta(days=n + 1)
            session.add(
                Call(
                    title={"nl": f"Oproep {n}"},
                    description={"nl": "Samen bouwen."},
                    address="Groeningestraat 1",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    deadline=starts,
                    state=state,
                    project_id=projects[n].id if state == "awaiting" else None,
                )
            )


def shown_of(home: dict, what: str) -> tuple[int, int]:
    """The count under a section of the App Home: (shown, total) from "5 van 40 projecten getoond"."""
    found = re.search(rf"(\d+) van (\d+) {what} getoond", json.dumps(home["blocks"], ensure_ascii=False))
    assert found, what
    return int(found[1]), int(found[2])


async def test_a_crowded_app_home_keeps_every_section_with_counts_and_says_where_the_rest_is(slack, engine, clock):
    fake = slack.fake
    await a_busy_coordinator_and_partner(engine, clock())
    await fake.event({"type": "app_home_opened", "user": "UCOCO", "tab": "home", "channel": "DUCOCO"})
    home = await slack.until(lambda: fake.homes.get("UCOCO"))
    assert len(home["blocks"]) <= 100
    titles = [b["text"]["text"] for b in home["blocks"] if b["type"] == "section" and "text" in b]
    for title in ("Wat wil je doen?", "Projecten", "Ideeën", "Wacht op goedkeuring", "Oproepen"):
        assert f"*{title}*" in titles, title
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    projects, ideas, calls = shown_of(home, "projecten"), shown_of(home, "ideeën"), shown_of(home, "oproepen")
    assert projects == (len([h for h in headers if h.startswith("🛠")]), 40) and projects[0] > 0
    assert ideas == (len([h for h in headers if h.startswith("💡")]), 7) and ideas[0] > 0
    assert calls[1] == 19 and shown_of(home, "oproepen van partners")[1] == 7  # awaiting ones are coming too
    everything = json.dumps(home["blocks"], ensure_ascii=False)
    assert "/gangmaker projecten" in everything and "/gangmaker oproepen" in everything
    assert "kanaal van de coördinatoren" in everything

    # The rest of the projects, where the App Home says they are.
    await fake.command("UCOCO", "projecten")
    [listed] = await slack.until(lambda: [m for m in fake.dm("UCOCO") if "Project nummer 40" in m.text])
    await fake.tap("UCOCO", listed, "#40 Project nummer 40")
    card = await slack.until(lambda: [m for m in fake.dm("UCOCO") if m.text.startswith("🛠 Project nummer 40")])
    assert "Naar prototype" in json.dumps(card[0].blocks, ensure_ascii=False)
