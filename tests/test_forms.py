"""One set of rules: what the chat accepts step by step is exactly what `Flow.validate` accepts,
and a channel with forms gets the whole flow at once, checked by the same rules."""

from zoneinfo import ZoneInfo

import pytest

from bot.assembly import assemble
from bot.config import load_settings
from bot.core import Gangmaker
from bot.dialogue import Answer, Invalid
from bot.i18n import translator
from bot.replies import Action, FieldErrors, Form
from bot.surfaces import FORM as FORM_SURFACE
from storage.models import Call
from tests.auxil.chat import Chat, onboard
from tests.auxil.database import rows

# Per step: (typed answer, accepted? None for a toggle). The test clock stands in March 2027.
CALL_SCRIPT = {
    "title": [("B", False), ("x" * 81, False), ("Bankjes bouwen", True)],
    "description": [("Samen bouwen aan de Leie.", True)],
    "translate": [("Overslaan", True)],
    "needs": [("Tijd", None), ("Klaar", True)],
    "themes": [("Overslaan", True)],
    "neighbourhood": [("Atlantis", False), ("Heule", True)],
    "address": [("Groeningestraat 1", True)],
    "starts_at": [("morgen", False), ("1/1/2001 14:00", False), ("13/3/2030 14:00", True)],
    "ends_at": [("13/3/2030 13:00", False), ("13/3/2030 17:00", True)],
    "capacity": [("-3", False), ("20000", False), ("20", True)],
    "deadline": [("12/3/2030 12:00", True)],
    "target_neighbourhoods": [("Overslaan", True)],
    "publish": [("Morgen", False), ("Meteen", True)],
}
IDEA_SCRIPT = {
    "problem": [("?", False), ("Het Leieboord is grijs.", True)],
    "idea": [("Kleurrijke bankjes.", True)],
    "prototype": [("Overslaan", True)],
    "theme": [("Erfgoed", True)],
    "place": [("Marke", True)],
    "will_help": [("Misschien", False), ("Ja", True)],
    "photo": [("een foto", False), ("Overslaan", True)],
}
TIME_SCRIPT = {
    "hours": [("0", False), ("veel", False), ("10", True)],
    "moments": [("Klaar", False), ("Weekend", None), ("Klaar", True)],
    "start": [("31/2/2030", False), ("1/1/2001", False), ("1/2/2030", True)],
    "until": [("1/1/2030", False), ("1/6/2031", True)],
}


@pytest.fixture
async def coordinator(engine, clock):
    settings = load_settings(database_url="sqlite://", coordinator_console_users="coco", _env_file=None)
    chat = Chat((await assemble(settings, engine=engine, clock=clock)).core, user_id="coco", channel="console")
    await chat.send("/start")  # a coordinator is known at once, without the residents' onboarding
    return chat


async def walk(chat: Chat, command: str, flow_name: str, script: dict) -> dict:
    """Answer a flow in the chat; at every answer the chat and `Flow.validate` must agree."""
    await chat.send(command)
    flow = chat.bot.dialogue.flows[flow_name]
    now = chat.bot.clock().astimezone(ZoneInfo("Europe/Brussels"))
    t = translator("nl", year=now.year)  # as the chat shows moments: with the year when it is not this one
    surface = chat.bot.surface(chat.channel)
    answers: dict = {}
    for name, attempts in script.items():
        step = flow.steps_by_name[name]
        for typed, accepted in attempts:
            assert chat.questions[-1].field.name == name
            shown = chat.questions[-1].field.value  # what a multi-select holds so far
            await chat.send(typed)
            moved_on = not chat.questions or chat.questions[-1].field is None or chat.questions[-1].field.name != name
            if accepted is None:  # a toggle: the same question, redrawn
                assert not moved_on
                continue
            assert moved_on is accepted, (name, typed, chat.text)
            if typed in ("Overslaan", "Klaar") and step.optional:
                answers[name] = None if typed == "Overslaan" else answers.get(name)
                continue
            try:
                value = step.read(Answer("text", text=typed), t, now, {**answers, name: shown})
            except Invalid:
                assert not accepted  # unreadable: refused before any rule
                continue
            problem = flow.validate({**answers, name: value}, now).get(name)
            assert (problem is None) is accepted, (name, typed, problem and problem.message)
            if not accepted:
                assert problem.text(t, surface) in chat.text  # the same words, in the channel's own
            else:
                answers[name] = value
    return answers


async def test_the_call_flow_agrees_with_validate_step_by_step(coordinator, engine):
    answers = await walk(coordinator, "/oproep", "call", CALL_SCRIPT)
    assert "Dit is je oproep:" in coordinator.text
    flow = coordinator.bot.dialogue.flows["call"]
    now = coordinator.bot.clock()
    assert flow.validate(answers, now) == {}
    await coordinator.tap("Klopt")
    assert "Je oproep staat open" in coordinator.text
    assert len(await rows(engine, Call)) == 1


async def test_rules_across_answers_agree_too(coordinator, engine):
    script = {**CALL_SCRIPT, "deadline": [("13/3/2030 15:00", True)]}  # after the start: only the summary sees it
    answers = await walk(coordinator, "/oproep", "call", script)
    flow = coordinator.bot.dialogue.flows["call"]
    problems = flow.validate(answers, coordinator.bot.clock())
    assert list(problems) == ["deadline"] and problems["deadline"].message == "Inschrijven moet stoppen voor het begin."
    await coordinator.tap("Klopt")
    assert "Inschrijven moet stoppen voor het begin." in coordinator.text
    assert coordinator.questions[-1].field.name == "deadline"
    assert await rows(engine, Call) == []


async def test_the_idea_and_time_flows_agree_with_validate(chat):
    await onboard(chat)
    answers = await walk(chat, "/idee", "idea", IDEA_SCRIPT)
    assert chat.bot.dialogue.flows["idea"].validate(answers, chat.bot.clock()) == {}
    await chat.tap("Klopt")
    answers = await walk(chat, "/tijd", "offer_time", TIME_SCRIPT)
    assert chat.bot.dialogue.flows["offer_time"].validate(answers, chat.bot.clock()) == {}


async def form_chat(engine, clock, user_id: str, coordinators: str = "") -> Chat:
    """A person on a channel that shows a whole flow as one form (as a Slack modal will)."""
    settings = load_settings(database_url="sqlite://", coordinator_console_users=coordinators, _env_file=None)
    core = (await assemble(settings, engine=engine, clock=clock)).core
    chat = Chat(
        Gangmaker(settings, engine, core.app, clock, surfaces={"console": FORM_SURFACE}),
        user_id=user_id,
        channel="console",
    )
    if coordinators:
        await chat.send("/start")
    else:
        await onboard(chat, name=user_id)
    return chat


FORM = {
    "title": "Bankjes bouwen",
    "description": "Samen bouwen aan de Leie.",
    "needs": ["time"],
    "neighbourhood": "heule",
    "address": "Groeningestraat 1",
    "starts_at": "2030-03-13T14:00",
    "ends_at": "2030-03-13T17:00",
    "capacity": "20",
    "publish": "now",
}


async def test_a_form_channel_gets_the_call_as_one_form_checked_by_the_same_rules(engine, clock):
    chat = await form_chat(engine, clock, "coco", coordinators="coco")
    await chat.send("/oproep")
    [form] = [reply for reply in chat.last if isinstance(reply, Form)]
    assert [f.name for f in form.fields][:3] == ["title", "description", "translate"]
    assert next(f for f in form.fields if f.name == "title").maximum == 80
    await chat.submit(form.submit, {**FORM, "deadline": "2030-03-13T15:00", "capacity": "lots", "title": "B"})
    [errors] = [reply for reply in chat.last if isinstance(reply, FieldErrors)]
    assert errors.errors == {
        "title": "Dat is wat kort. Schrijf minstens 2 tekens.",
        "capacity": "Dat moet een getal tussen 0 en 10000 zijn.",
    }
    await chat.submit(form.submit, {**FORM, "deadline": "2030-03-13T15:00"})
    assert chat.last[0].errors == {"deadline": "Inschrijven moet stoppen voor het begin."}
    await chat.submit(form.submit, FORM)
    assert "Je oproep staat open" in chat.text
    [call] = await rows(engine, Call)
    assert call.capacity == 20 and call.needs == ["time"]


async def test_a_forged_form_submission_changes_nothing(engine, clock):
    chat = await form_chat(engine, clock, "anna")
    await chat.submit(Action.of("form", "call"), FORM)
    assert chat.notices == ["Deze knop is verlopen."]
    await chat.submit(Action.of("form", "onboarding"), {"display_name": "Eve"})
    assert chat.notices == ["Deze knop is verlopen."]
    assert await rows(engine, Call) == []
