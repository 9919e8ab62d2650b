"""The fixed answer lists: languages, neighbourhoods, roles, themes, ways to contribute."""

from typing import Any

from bot.dialogue import MultiStep, Option
from bot.i18n import N_
from handlers.common.domain import Level, ProjectPhase

LANGUAGES = (
    Option("nl", N_("Nederlands")),
    Option("en", N_("English")),
    Option("fr", N_("Français")),
)

NEIGHBOURHOODS = (
    Option("kortrijk", N_("Kortrijk centrum")),
    Option("aalbeke", N_("Aalbeke")),
    Option("bellegem", N_("Bellegem")),
    Option("bissegem", N_("Bissegem")),
    Option("heule", N_("Heule")),
    Option("kooigem", N_("Kooigem")),
    Option("marke", N_("Marke")),
    Option("rollegem", N_("Rollegem")),
    Option("elders", N_("Elders in de regio")),
)

ROLES = (
    Option("resident", N_("Inwoner")),
    Option("creative", N_("Maker of kunstenaar")),
    Option("organisation", N_("Organisatie")),
    Option("entrepreneur", N_("Ondernemer")),
    Option("government", N_("Overheid")),
    Option("school", N_("School")),
    Option("association", N_("Vereniging")),
)

THEMES = (
    Option("art", N_("Kunst en cultuur")),
    Option("design", N_("Design en maken")),
    Option("green", N_("Groen en natuur")),
    Option("neighbourhood", N_("Samenleven in de buurt")),
    Option("youth", N_("Kinderen en jongeren")),
    Option("heritage", N_("Erfgoed")),
    Option("sport", N_("Sport en bewegen")),
    Option("food", N_("Eten en drinken")),
)

CONTRIBUTIONS = (
    Option("ideas", N_("Ideeën")),
    Option("time", N_("Tijd")),
    Option("expertise", N_("Kennis of talent")),
    Option("money", N_("Geld of materiaal")),
)

LEVELS = (
    Option(Level.STRATEGIC, N_("Meedenken")),
    Option(Level.OPERATIONAL, N_("Meehelpen")),
    Option(Level.BOTH, N_("Allebei")),
)
LEVEL_BRINGS = {  # what each level brings, where the level is shown (summary, profile)
    Level.STRATEGIC: N_("je krijgt vragen over plannen en projecten"),
    Level.OPERATIONAL: N_("je krijgt oproepen om mee te helpen"),
    Level.BOTH: N_("je krijgt vragen en oproepen"),
}

MOMENTS = (
    Option("weekdays", N_("Weekdagen")),
    Option("evenings", N_("'s Avonds")),
    Option("weekends", N_("Weekend")),
)

SKILLS = (
    Option("design", N_("Vormgeving")),
    Option("communication", N_("Communicatie")),
    Option("digital", N_("Digitaal")),
    Option("building", N_("Bouwen en knutselen")),
    Option("organising", N_("Organiseren")),
    Option("languages", N_("Talen")),
    Option("money_law", N_("Geld en recht")),
    Option("teaching", N_("Lesgeven")),
    Option("media", N_("Foto en film")),
    Option("music", N_("Muziek")),
)

GIFT_KINDS = (
    Option("money", N_("Geld")),
    Option("material", N_("Materiaal")),
    Option("space", N_("Een ruimte")),
)

AMOUNTS = (
    Option("lt100", N_("Minder dan 100 euro")),
    Option("100-500", N_("100 tot 500 euro")),
    Option("500-2000", N_("500 tot 2000 euro")),
    Option("gt2000", N_("Meer dan 2000 euro")),
)


def amount_option(euros: int) -> str:
    """The range of AMOUNTS a typed sum of money falls in."""
    return "lt100" if euros < 100 else "100-500" if euros < 500 else "500-2000" if euros <= 2000 else "gt2000"


IDEA_STATES = {
    "submitted": N_("ontvangen"),
    "published": N_("gepubliceerd"),
    "rejected": N_("niet gepubliceerd"),
    "adopted": N_("opgepikt door een partner"),
    "prototyping": N_("wordt uitgeprobeerd"),
    "tested": N_("uitgetest"),
    "realised": N_("gerealiseerd"),
    "archived": N_("gearchiveerd"),
}

PHASE_LABELS: dict[str, str] = {  # by the stored phase
    ProjectPhase.EXPLORE: N_("verkennen"),
    ProjectPhase.PROTOTYPE: N_("prototype"),
    ProjectPhase.TEST: N_("testen"),
    ProjectPhase.REALISED: N_("realisatie"),
    ProjectPhase.STOPPED: N_("gestopt"),
}


def label(options: tuple[Option, ...], value: str | None) -> str:
    """The label msgid of `value` in `options` (the value itself when unknown)."""
    return next((option.label for option in options if option.value == value), value or "")


def optional_multi(
    name: str, label: str, options: Any, prompt: str, skipped: str = N_("iedereen"), asked: bool = True
) -> MultiStep:
    """A targeting choice of a call or a round: none chosen means everyone."""
    return MultiStep(
        name=name, label=label, options=options, optional=True, minimum=0, prompt=prompt, skipped=skipped, asked=asked
    )
