"""Belgian French as it is written (issue 25): a non-breaking space before : ! ? ; and inside « »,
in the catalog and where a label and its value are put together; "Courtrai" in running text, the
brand "Kortrijk 2030" unchanged."""

import io
import re

from babel.messages.pofile import read_po

from bot.assembly import assemble
from bot.channels.console.channel import Console
from bot.config import load_settings
from bot.i18n import LOCALES_DIR

URL = re.compile(r"https?://\S+")
TIME_PATTERN = re.compile(r"^[HdMyEm.\s]*'")  # "H.mm 'uur'": a Babel pattern, its quotes are not apostrophes
# Double punctuation without the (narrow) non-breaking space before it, or « without one after it.
BARE = re.compile(r"(?<![\u00a0\u202f])[?!;:»]|«(?![\u00a0\u202f])")


def french() -> list[tuple[str, str]]:
    with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return [(m.id, m.string) for m in read_po(po, locale="fr") if m.id and isinstance(m.string, str)]


def test_every_french_text_has_a_non_breaking_space_before_double_punctuation():
    wrong = [text for _, text in french() if BARE.search(URL.sub("", text))]
    assert wrong == []


def test_french_writes_one_apostrophe_the_typographic_one():
    """ "Qu’est-ce" beside "Qu'est-ce" read as two hands; the catalog uses ’ throughout (a time
    pattern's quotes, "H' h 'mm", are Babel's, not an apostrophe)."""
    assert [text for msgid, text in french() if "'" in text and not TIME_PATTERN.match(msgid)] == []


def test_french_says_courtrai_in_running_text_and_keeps_the_brand():
    texts = [text for _, text in french()]
    assert [text for text in texts if re.search(r"Kortrijk(?! 2030)", text)] == []
    assert any("Ville de Courtrai" in text for text in texts)
    assert any("Kortrijk 2030" in text for text in texts)


async def test_a_french_onboarding_summary_in_the_console_puts_the_space_before_the_colon(engine, clock):
    out = io.StringIO()
    settings = load_settings(database_url="sqlite://", _env_file=None)
    assembly = await assemble(settings, engine=engine, clock=clock, channels=[Console("anna", io.StringIO(), out)])
    console = assembly.channels["console"]
    for line in ["/start", "Français", "1", "Français", "Anne"]:
        await console.send(console.parse(line))
    shown = out.getvalue().rsplit("Bonjour", 1)[-1]
    assert "La Ville de Courtrai" in shown and "Courtrai centre" in shown and "Kortrijk centre" not in shown
    for line in ["Courtrai centre", "1", "1", "Terminé", "1", "Terminé", "1", "Non"]:
        await console.send(console.parse(line))
    assert "Voici ce que je sais de vous\u00a0:" in out.getvalue()
    summary = out.getvalue().rsplit("Voici ce que je sais de vous", 1)[-1]
    assert "• Nom\u00a0: Anne" in summary and "• Quartier\u00a0: Courtrai centre" in summary
    assert not re.search(r"\w: ", summary)
