"""First contact: welcome, privacy consent (nothing stored without a yes), then the profile questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.app import command_action
from bot.context import Context
from bot.dialogue import PREFILLED, ChoiceStep, Flow, MultiStep, TextStep, YesNoStep
from bot.i18n import DEFAULT, N_, Translator, language_of, supported
from bot.replies import Action, Button
from bot.typed import choose, yes_or_no
from handlers import calls, support
from handlers.common.domain import Role
from handlers.common.options import CONTRIBUTIONS, LANGUAGES, LEVEL_BRINGS, LEVELS, NEIGHBOURHOODS, ROLES, THEMES
from handlers.people import menu, privacy, roles, workspace
from handlers.people.privacy import privacy_more, privacy_text

CONSENT = "consent"  # route of the stateless consent buttons: Action.of(CONSENT, verb, language, then)
REST = "onb"  # route: Action.of(REST, "rest"), the rest of the profile after joining from a link
YES, NO, MORE, LANGUAGE_SWITCH = "yes", "no", "more", "lang"
YOUNG, PARENT = "young", "parent"  # under 13: a parent says yes


async def set_language(ctx: Context, value: str) -> None:
    """Switch the person's language at once, so the next question is already in it."""
    ctx.known_person.locale = value


LANGUAGE = ChoiceStep(
    name="language",
    label=N_("Taal"),
    options=LANGUAGES,
    on_answer=set_language,
    prompt=N_("In welke taal wil je mijn berichten lezen?"),
)
NAME = TextStep(
    name="display_name",
    label=N_("Naam"),
    min_length=1,
    max_length=40,
    prompt=N_("Je voornaam of een bijnaam is genoeg. Hoe mag ik je noemen?"),
)
NEIGHBOURHOOD = ChoiceStep(
    name="neighbourhood",
    label=N_("Buurt"),
    options=NEIGHBOURHOODS,
    prompt=N_("Zo krijg je vooral nieuws uit je eigen buurt. Waar woon of werk je?"),
)
ROLE = ChoiceStep(
    name="role",
    label=N_("Wie je bent"),
    options=ROLES,
    prompt=N_("Kies wat het best past. Wie ben je?"),
)
INTERESTS = MultiStep(
    name="interests",
    label=N_("Thema's"),
    options=THEMES,
    prompt=N_("Zo sturen we je alleen wat je boeit. Waar heb je zin in?"),
)
CONTRIBUTE = MultiStep(
    name="contributions",
    label=N_("Hoe je meedoet"),
    options=CONTRIBUTIONS,
    prompt=N_("Wat wil je geven?"),
)


@dataclass(frozen=True, kw_only=True)
class LevelStep(ChoiceStep):
    """The level's choice, shown with what it brings: "Allebei (je krijgt vragen en oproepen)"."""

    def show(self, value: Any, t: Translator) -> str:
        brings = LEVEL_BRINGS.get(value)
        return f"{super().show(value, t)} ({t(brings)})" if brings else super().show(value, t)


LEVEL = LevelStep(
    name="level",
    label=N_("Meedenken of meehelpen"),
    options=LEVELS,
    prompt=N_(
        "• Meedenken: je krijgt af en toe een paar vragen over plannen en projecten.\n"
        "• Meehelpen: je krijgt oproepen om ergens mee te helpen.\n"
        "• Allebei: je krijgt ze allebei.\n\n"
        "Je kunt dit later nog veranderen. Wat past bij jou?"
    ),
)

DIGEST = YesNoStep(
    name="digest",
    label=N_("Overzicht op maandag"),
    prompt=N_("Ik kan je elke maandag een kort overzicht sturen van oproepen die bij je passen. Wil je dat?"),
)

PROFILE_STEPS = (LANGUAGE, NAME, NEIGHBOURHOOD, ROLE, INTERESTS, CONTRIBUTE, LEVEL, DIGEST)


# What calls are aimed by: once the person told us these, calls, overviews and nudges can reach them.
TARGETING = ("neighbourhood", "interests")


def save_profile(ctx: Context, answers: dict[str, Any]) -> None:
    """Copy profile answers onto the person (only the fields that were asked); whoever left the
    onboarding halfway is reachable as soon as the profile holds what targeting needs."""
    person = ctx.known_person
    for step in PROFILE_STEPS:
        if step.name in answers:
            value = answers[step.name]
            setattr(person, "locale" if step.name == "language" else step.name, value)
    if person.onboarded_at is None and all(getattr(person, name) for name in TARGETING):
        person.onboarded_at = ctx.now


async def onboarding_done(ctx: Context, answers: dict[str, Any]) -> None:
    """Store the profile and show what the person can do now."""
    save_profile(ctx, answers)
    person = ctx.known_person
    person.onboarded_at = ctx.now
    ctx.say(ctx.t(N_("Dank je, {name}! Je bent erbij."), name=person.display_name))
    call_id = calls.deep_link_call(answers.get("_then", ""))
    if call_id is not None:
        await calls.show_call(ctx, call_id)  # the call whose link brought them here
    elif await support.show_link(ctx, answers.get("_then", "")):  # the idea or project they wanted to back
        pass
    elif not await calls.show_fitting(ctx):
        menu.show(ctx)


ONBOARDING = Flow(
    name="onboarding",
    steps=PROFILE_STEPS,
    on_done=onboarding_done,
    summary_title=N_("Zo ken ik je nu:"),
    cancelled=N_("Oké, we stoppen met de vragen. Je kunt ze later invullen via /profiel."),
)


async def joined_from_link_done(ctx: Context, answers: dict[str, Any]) -> None:
    """A name is all joining needs: join the call the link opened; the rest of the profile can follow."""
    save_profile(ctx, answers)
    call_id = calls.deep_link_call(answers.get("_then", ""))
    if call_id is not None:
        await calls.join_from_link(ctx, call_id)
    t = ctx.t
    ctx.say(
        t(
            N_(
                "Ik kan je ook andere oproepen sturen die bij je passen. Daarvoor vraag ik nog wat meer over "
                "jou. Wil je dat?"
            )
        ),
        [
            Button(t(N_("Ja, vraag maar")), Action.of(REST, "rest"), style="primary"),
            Button(t(N_("Nu niet")), command_action("menu")),
        ],
    )


JOIN_FROM_LINK = Flow(
    name="join_from_link",
    steps=(NAME,),
    on_done=joined_from_link_done,
    confirm=False,
    cancelled=N_("Oké, we stoppen met de vragen. Je kunt ze later invullen via /profiel."),
)


async def on_rest_button(ctx: Context, tapped: Action) -> None:
    """The rest of the profile, after joining with only a name: what was given is not asked again."""
    person = ctx.known_person
    if person.onboarded_at is not None:
        ctx.notice(ctx.t(N_("Je profiel is al ingevuld. Bekijk het met /profiel.")))
        return
    known = {"language": person.locale, "display_name": person.display_name}
    await ctx.dialogue.start(ctx, ONBOARDING, {**known, PREFILLED: list(known)})


def consent_buttons(ctx: Context, then: str, more: bool = True) -> list[Button]:
    """Yes, no, more (unless it was just read), and the other languages. Each value carries the
    language shown and what to open after onboarding (a deep link), since nothing is stored before a yes."""
    t = ctx.t
    buttons = [
        Button(t(N_("Ja, dat is goed")), Action.of(CONSENT, YES, t.locale, then), style="primary"),
        Button(t(N_("Nee, liever niet")), Action.of(CONSENT, NO, t.locale, "")),
        *((Button(t(N_("Meer uitleg")), Action.of(CONSENT, MORE, t.locale, then)),) if more else ()),
        Button(t(N_("Ik ben jonger dan 13")), Action.of(CONSENT, YOUNG, t.locale, then)),
    ]
    buttons += [
        Button(t(o.label), Action.of(CONSENT, LANGUAGE_SWITCH, o.value, then)) for o in LANGUAGES if o.value != t.locale
    ]
    return buttons


def welcome(ctx: Context, then: str = "") -> None:
    """Say what Gangmaker is and ask for consent; nothing is stored yet."""
    t = ctx.t
    ctx.say(
        t(
            N_(
                "Hallo! Ik ben Gangmaker, de chatbot van Kortrijk 2030. "
                "Kortrijk wil in 2030 Culturele Hoofdstad van Europa zijn. Dat doen we samen met jou.\n\n"
                "Hier deel je ideeën, geef je wat tijd of kennis, en doe je mee aan projecten in je buurt."
            )
        )
    )
    ask_consent(ctx, then=then)


def ask_consent(ctx: Context, longer: bool = False, then: str = "") -> None:
    t = ctx.t
    if longer:  # the whole privacy text, in two messages of a readable length
        ctx.say(privacy_text(ctx))
    text = (
        privacy_more(ctx)
        if longer
        else t(
            N_(
                "Om je uit te nodigen, bewaar ik wat je me vertelt. Stad Kortrijk is daarvoor verantwoordelijk. "
                "Je kunt alles altijd bekijken of laten wissen. Nee zeggen mag ook."
            )
        )
    )
    ctx.say(text + "\n\n" + t(N_("Is dat goed voor jou?")), consent_buttons(ctx, then, more=not longer))


async def before_consent(ctx: Context) -> bool:
    """Answer someone we store nothing about: the consent buttons, or the welcome again. A
    coordinator or partner the settings name is no resident: admitted at once (True), then answered
    (a partner by their organisation's agreement, as in the partners' workspace)."""
    event = ctx.event
    held = await ctx.roles.of(event.channel, event.user_id)
    if Role.COORDINATOR in held:
        await workspace.admit(ctx)
        ctx.say(
            ctx.t(
                N_("Welkom, {name}! Je bent coördinator: /oproep maakt een oproep, /oproepen toont ze."),
                name=ctx.known_identity.person.display_name or "–",
            )
        )
        return True
    if Role.PARTNER in held and roles.partner_from_settings(ctx.settings, event.channel, event.user_id):
        await workspace.admit(ctx)
        organisations = await ctx.roles.organisations_of(event.channel, event.user_id)
        ctx.say(
            ctx.t(
                N_(
                    "Welkom, {name}! Je bent partner voor {organisations}. De ideeën om op te pakken komen in "
                    "het kanaal van de partners; /projecten toont jullie projecten."
                ),
                name=ctx.known_identity.person.display_name or "–",
                organisations=", ".join(organisation.name for organisation in organisations),
            )
        )
        return True
    if await answer_consent(ctx):
        return False
    tapped = event.action if event.kind == "tap" else None
    if tapped is not None and tapped.route == calls.CALL:  # a button on the call a link showed
        await on_call_before_consent(ctx, tapped)
        return False
    if tapped is not None and support.link_of_tap(tapped):  # "Ik steun dit" on the card a link showed
        ctx.say(ctx.t(N_("Fijn dat je dit steunt! Daarvoor moet ik bewaren wie je bent.")))
        ask_consent(ctx, then=support.link_of_tap(tapped))
        return False
    hello = N_("Hallo! Ik ben Gangmaker, de chatbot van Kortrijk 2030. Dit is wat je opende:")
    if event.command == "start" and support.deep_link_target(event.argument):  # public: shown, backing asks consent
        await support.show_link(ctx, event.argument, lead=ctx.t(hello))
        return False
    # A call link shows the call first (it is public); joining asks for consent.
    call_id = calls.deep_link_call(event.argument) if event.command == "start" else None
    if (
        call_id is None
        or await calls.show_call(
            ctx,
            call_id,
            lead=ctx.t(N_("Hallo! Ik ben Gangmaker, de chatbot van Kortrijk 2030. Dit is de oproep die je opende:")),
        )
        is None
    ):
        if event.kind == "text" and event.command is None:  # "bonjour, vous parlez français ?": welcomed in French
            ctx.locale_hint = language_of(event.text or "") or ctx.locale_hint
        welcome(ctx)
    return False


LOOKED = 5  # call cards shown to someone who looks before saying yes


async def look_before_consent(ctx: Context) -> None:
    """/agenda before consent: the open calls are public (on the page, behind a QR code), so anyone
    may look; joining one asks for consent first, and nothing is stored."""
    t = ctx.t
    found = await ctx.calls.open_for_sign_up(ctx.now)
    if not found:
        ctx.say(t(N_("Er loopt nu geen oproep.")))
    else:
        ctx.say(
            t(N_("Dit loopt er nu. Kijken mag altijd. Wil je meedoen, dan vraag ik eerst of ik je naam mag bewaren."))
        )
        for call in found[:LOOKED]:
            await calls.show_call(ctx, call.id)
        if len(found) > LOOKED:
            ctx.say(t(N_("Er zijn er nog {n}. Ik toonde de eerste {shown}."), n=len(found) - LOOKED, shown=LOOKED))
    ctx.say(t(N_("Wil je ook berichten krijgen over wat bij je past? Typ dan /start.")))


async def answer_consent(ctx: Context) -> bool:
    """The answer to the consent question: one of its buttons, or a yes or no typed instead
    ("ja", "oké", "nee"); False when this turn is none."""
    event = ctx.event
    tapped = event.action if event.kind == "tap" else None
    if tapped is not None and tapped.route == CONSENT:
        action, locale, then = tapped.verb, tapped.arg(0), tapped.arg(1)
        ctx.locale_hint = supported(locale or event.locale_hint)
        if ctx.person is not None:  # someone known reads the question in the language they tapped
            ctx.person.locale = ctx.locale_hint
        then = then if calls.deep_link_call(then) is not None or support.deep_link_target(then) else ""
        if action in (YES, PARENT):
            await give_consent(ctx, then, parent=action == PARENT)
        elif action == YOUNG:
            ask_parent(ctx, then)
        elif action == NO:
            await refuse_consent(ctx)
        elif action == MORE:
            ask_consent(ctx, longer=True, then=then)
        else:
            welcome(ctx, then)
        return True
    named = choose(event.text, [option.label for option in LANGUAGES]) if event.kind == "text" else []
    if len(named) == 1:  # "francais", "english" typed: the welcome in that language, as its button gives
        ctx.locale_hint = LANGUAGES[named[0]].value
        if ctx.person is not None:
            ctx.person.locale = ctx.locale_hint
        welcome(ctx)
        return True
    said = yes_or_no(event.text or "") if event.kind == "text" else None
    if said is None:
        return False
    if ctx.person is None:  # "oui" after tapping Français: nothing was stored, the answer's language tells
        ctx.locale_hint = language_of(event.text or "") or supported(event.locale_hint)
    await (give_consent(ctx) if said else refuse_consent(ctx))
    return True


async def consent_holds(ctx: Context) -> bool:
    """Whether the person writing may go on. A coordinator is admitted without the residents'
    yes; once they lose the role (outside the partners' workspace, whose members take part by
    their organisation's agreement), they are asked it when they next write, and until then only
    the privacy text, the export and erasure work for them."""
    if (
        ctx.known_person.consent_version != workspace.AGREEMENT
        or ctx.known_identity.channel == workspace.CHANNEL
        or await ctx.has_role(Role.COORDINATOR)
        or await ctx.has_role(Role.PARTNER)  # a member of a partner organisation, by its agreement
        or privacy.exercises_a_right(ctx)
    ):
        return True
    if ctx.conversation is not None:  # a dialogue begun under the role does not go on without the yes
        await ctx.conversations.end(ctx.conversation)
        ctx.conversation = None
    if not await answer_consent(ctx):
        ctx.say(ctx.t(N_("Je bent geen coördinator meer. Om hier mee te doen als inwoner, heb ik eerst je ja nodig.")))
        ask_consent(ctx)
    return False


async def on_call_before_consent(ctx: Context, tapped: Action) -> None:
    """More info and the calendar need nothing stored; joining asks for consent first."""
    t = ctx.t
    if tapped.verb in ("info", "ics"):
        await calls.on_call_button(ctx, tapped)
    elif tapped.verb == "join" and tapped.id is not None:
        ctx.say(t(N_("Leuk dat je meedoet! Daarvoor moet ik je naam bewaren.")))
        ask_consent(ctx, then=calls.deep_link(tapped.id))
    else:
        ctx.say(t(N_("Oké, misschien een volgende keer.")))


async def refuse_consent(ctx: Context) -> None:
    await ctx.audit.record("consent_refused", ctx.now, ctx.person, version=ctx.settings.privacy_version)
    if ctx.person is not None:  # a former coordinator: what was kept of that time stays until they erase it
        ctx.say(
            ctx.t(
                N_(
                    "Dat is helemaal oké. Als inwoner doe je dan niet mee. Wil je dat ik alles over je wis? "
                    "Typ /vergeet."
                )
            )
        )
        return
    ctx.say(ctx.t(N_("Dat is helemaal oké. Ik bewaar niets over jou. Verander je van gedacht? Typ dan /start.")))


async def privacy_first(ctx: Context) -> None:
    """/privacy before consent: the whole privacy text, then the same question."""
    ask_consent(ctx, longer=True)


async def consent_again(ctx: Context, tapped: Action) -> None:
    """A consent button tapped by someone who already said yes."""
    ctx.notice(ctx.t(N_("Je zei al ja. Wil je dat ik alles wis? Typ /vergeet.")))


def ask_parent(ctx: Context, then: str) -> None:
    """Under 13, Belgium's age of digital consent: a parent says yes, or nothing is stored."""
    t = ctx.t
    ctx.say(
        t(
            N_(
                "Fijn dat je wilt meedoen! Omdat je jonger bent dan 13, heb ik eerst de toestemming van "
                "een ouder nodig. Laat een ouder dit lezen. Zegt die ja, dan tikt die hieronder."
            )
        ),
        [
            Button(t(N_("Mijn ouder zegt ja")), Action.of(CONSENT, PARENT, t.locale, then), style="primary"),
            Button(t(N_("Nee, liever niet")), Action.of(CONSENT, NO, t.locale, "")),
            Button(t(N_("Meer uitleg")), Action.of(CONSENT, MORE, t.locale, then)),
        ],
    )


async def give_consent(ctx: Context, then: str = "", parent: bool = False) -> None:
    """Create the person with the consent and its privacy version (and whether a parent gave
    it), then ask the first question. Someone known already (a former coordinator) keeps their
    person and now holds the residents' consent."""
    event = ctx.event
    if ctx.person is None:
        identity = await ctx.people.create(
            event.channel,
            event.user_id,
            locale=ctx.t.locale,
            consent_version=ctx.settings.privacy_version,
            now=ctx.now,
        )
        ctx.identity, ctx.person = identity, identity.person
    else:
        ctx.person.consent_version, ctx.person.consent_at = ctx.settings.privacy_version, ctx.now
    await ctx.audit.record(
        "consent_given",
        ctx.now,
        ctx.person,
        version=ctx.settings.privacy_version,
        **({"parent": True} if parent else {}),
    )
    if then and not support.deep_link_target(then):  # they came to join a call: a name is enough for now
        ctx.say(ctx.t(N_("Fijn, dank je! Eén vraag nog, dan schrijf ik je in.")))
        await ctx.dialogue.start(ctx, JOIN_FROM_LINK, {"_then": then})
        return
    ctx.say(ctx.t(N_("Fijn, dank je! Eerst een paar korte vragen, zodat ik je beter ken.")))
    # Who read the welcome and said yes in English or French (picked, written or their app's) is
    # not asked the language again; it stays in the summary to change. Dutch, which greets everyone,
    # is still asked: who tapped through it may want another.
    known = {} if ctx.t.locale == DEFAULT else {"language": ctx.t.locale, PREFILLED: ["language"]}
    await ctx.dialogue.start(ctx, ONBOARDING, known | ({"_then": then} if then else {}))
