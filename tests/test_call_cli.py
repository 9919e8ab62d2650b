"""`gangmaker call …` for scripts: create (with targeting), list, publish, cancel, and the QR code."""

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import matplotlib
from PIL import Image, ImageFont

from storage.models import Call, OutboxMessage
from tests.auxil.database import rows, sqlite_engine
from tests.auxil.people import add_residents

CREATE = [
    "call",
    "create",
    "--title",
    "Bankjes bouwen",
    "--description",
    "Samen bouwen.",
    "--title-en",
    "Building benches",
    "--address",
    "Groeningestraat 1",
    "--neighbourhood",
    "heule",
    "--start",
    "2030-05-04 14:00",
    "--end",
    "2030-05-04 17:00",
    "--capacity",
    "10",
    "--themes",
    "heritage",
    "--reminders",
    "2880,60",
]


async def test_create_publishes_to_the_targeted_audience(cli):
    code, output = await asyncio.to_thread(cli, "db", "upgrade")
    async with sqlite_engine(cli.path) as engine:
        now = datetime.now(timezone.utc)
        await add_residents(engine, None, 2, now)
        await add_residents(engine, None, 1, now, first_id=20_000, interests=("sport",))
    code, output = await asyncio.to_thread(cli, *CREATE)  # the CLI runs its own event loop
    assert code == 0 and "queued for 2 people" in output
    async with sqlite_engine(cli.path) as engine:
        [call] = await rows(engine, Call)
        assert call.title == {"nl": "Bankjes bouwen", "en": "Building benches"}
        assert call.reminder_minutes == [2880, 60]
        assert call.starts_at == datetime(2030, 5, 4, 12, 0, tzinfo=timezone.utc)  # 14:00 in Kortrijk, summer time
        assert len(await rows(engine, OutboxMessage)) == 2


def test_scheduled_then_published_then_cancelled(cli):
    code, output = cli(*CREATE, "--publish-at", "2030-05-01 10:00")
    assert "will be published at 2030-05-01 10:00" in output  # Kortrijk's time, as typed
    code, output = cli("call", "list")
    assert "\tscheduled\t" in output and "0/10" in output
    code, output = cli("call", "publish", "1")
    assert "Call 1 published" in output
    code, output = cli("call", "publish", "1")
    assert code != 0 and "is published" in output
    code, output = cli("call", "cancel", "1", "--yes")
    assert "Call 1 cancelled" in output


def test_wrong_values_are_named(cli):
    code, output = cli(*CREATE[:-4], "--themes", "cooking")
    assert code != 0 and "unknown cooking" in output
    code, output = cli(*[arg if arg != "2030-05-04 14:00" else "4 mei" for arg in CREATE])
    assert code != 0 and "YYYY-MM-DD HH:MM" in output


def test_a_print_ready_qr_code_of_the_deep_link_with_the_title_and_none_for_an_unknown_call(cli, tmp_path):
    code, output = cli("call", "qr", "99")
    assert code != 0 and "There is no call 99." in output and not (tmp_path / "call-99.png").exists()
    assert cli(*CREATE)[0] == 0
    code, output = cli("call", "qr", "1")
    assert code == 0 and "https://t.me/GangmakerBot?start=c1" in output
    png = png_size((tmp_path / "call-1.png").read_bytes())
    assert png[0] == png[1] >= 1200  # 10 cm at 300 dpi
    svg = (tmp_path / "call-1.svg").read_text()
    assert svg.startswith("<svg") and 'width="120mm"' in svg and ">Bankjes bouwen</tspan></text>" in svg


# Titles as long as a call's may be (80 characters), with wide letters and a word longer than a line.
LONG_TITLES = (
    "WOW! Wandel mee langs de Grote Markt, het Begijnhof, de Broeltorens en het MOMU!",
    "Buurtfeest in Heule",
    "Samenwerkingsovereenkomstonderhandelingsvergadering voor de nieuwe speeltuin",
)
SVG = "{http://www.w3.org/2000/svg}"
DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # a wide sans-serif


def test_a_long_title_under_the_poster_code_is_wrapped_within_its_width(cli, tmp_path):
    for number, title in enumerate(LONG_TITLES, start=1):
        titled = [title if arg == "Bankjes bouwen" else arg for arg in CREATE]
        assert cli(*titled)[0] == 0
        assert cli("call", "qr", str(number))[0] == 0
        svg = ElementTree.fromstring((tmp_path / f"call-{number}.svg").read_text())
        _, _, width, height = (float(n) for n in svg.get("viewBox").split())
        [text] = svg.iter(f"{SVG}text")
        size = float(text.get("font-size"))
        font = ImageFont.truetype(str(DEJAVU), 100)
        lines = [(float(line.get("x", text.get("x"))), float(line.get("y")), line.text) for line in text] or [
            (float(text.get("x")), float(text.get("y")), text.text)  # one line, not wrapped
        ]
        assert "".join(words for _, _, words in lines).replace(" ", "") == title.replace(" ", "")  # all of it
        for x, y, words in lines:
            drawn = font.getlength(words) / 100 * size
            assert text.get("text-anchor") == "middle"
            assert x - drawn / 2 >= 1 and x + drawn / 2 <= width - 1, (words, drawn, width)
            assert y + size / 3 <= height  # the descenders too
        assert [y for _, y, _ in lines] == sorted(y for _, y, _ in lines)  # one under the other
    # The PNG says how large it prints: 10 cm wide, at 300 dpi or more.
    with Image.open(tmp_path / "call-1.png") as png:
        dpi_x, dpi_y = png.info["dpi"]
        assert dpi_x == dpi_y >= 300
        assert abs(png.width / dpi_x * 2.54 - 10) < 0.01


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_list_shows_local_times(cli):
    assert cli(*CREATE)[0] == 0
    code, output = cli("call", "list")
    assert "\t2030-05-04 14:00\t" in output  # as it was typed, in Kortrijk's time


def test_create_is_refused_by_the_rules_of_the_chat(cli):
    """The three calls `/oproep` refuses, refused here too, with the chat's own words (in English)."""
    code, output = cli(*CREATE, "--deadline", "2030-05-04 15:00")
    assert code != 0 and "--deadline: Sign-ups have to close before the start." in output
    code, output = cli(*CREATE, "--publish-at", "2030-05-04 16:00")
    assert code != 0 and "--publish-at: The call has to go out before the start." in output
    past = [
        {"2030-05-04 14:00": "2001-05-04 14:00", "2030-05-04 17:00": "2001-05-04 17:00"}.get(arg, arg) for arg in CREATE
    ]
    code, output = cli(*past)
    assert code != 0 and "--start: That moment has already passed. Choose a moment in the future." in output
    code, output = cli("call", "list")
    assert output.strip() == "No calls."  # nothing was created
