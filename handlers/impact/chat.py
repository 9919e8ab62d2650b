"""Impact in the chat: `/rapport` for coordinators (everything) and partners (their organisation),
`/mijnimpact` for anyone (their own figures and a card to share), and the monthly report that
reaches the coordinators' room on the first Monday at 9.00, once a month, through the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.context import Context, Scope
from bot.i18n import N_, Translator
from bot.outbox import Purpose, enqueue_room
from bot.replies import Document, Message, Reply
from handlers import people
from handlers.common.domain import Role, SharedRoom
from handlers.impact import figures as impact
from handlers.impact.report import dashboard_png, drawn, number, personal_card, summary_text
from storage.models import OutboxMessage

REPORT = Purpose("impact_report")  # the monthly impact report for the coordinators' room

REPORT_WEEKDAY, REPORT_HOUR = 0, 9  # the first Monday of the month, 9.00 local time
ON_REQUEST_DAYS = 30
MAX_ORGANISATIONS = 3  # a partner of more organisations gets the first three; the CLI makes any
PNG = "image/png"


def plural(t: Translator, amount: float, one: str, other: str, **values: object) -> str:
    """The msgid that fits the amount in the reader's language (French: 0 and 1 are singular)."""
    return t(one if t.babel_locale.plural_form(amount) == "one" else other, **values)


# -- /rapport ------------------------------------------------------------------------------------


async def report(ctx: Context) -> None:
    """The last 30 days: everything for a coordinator, their own organisation's for a partner."""
    t = ctx.t
    if await ctx.has_role(Role.COORDINATOR):
        scopes: list[tuple[int | None, str | None]] = [(None, None)]  # everything, by no organisation
    elif await ctx.has_role(Role.PARTNER):
        organisations = await ctx.roles.organisations_of(ctx.known_identity.channel, ctx.known_identity.external_id)
        scopes = [(organisation.id, organisation.name) for organisation in organisations[:MAX_ORGANISATIONS]]
    else:
        scopes = []
    if not scopes:
        await people.unknown_command(ctx)
        return
    start, end = impact.last_days(ctx.now, ctx.settings.timezone, ON_REQUEST_DAYS)
    for organisation_id, name in scopes:
        figures = await impact.gather(
            ctx.session, start, end, organisation_id=organisation_id, organisation=name, locale=t.locale
        )
        ctx.say(
            t(N_("📊 Zo ging het de voorbije 30 dagen."))
            + "\n\n"
            + summary_text(figures, t, short=True)
            + "\n\n"
            + t(N_("Alle cijfers staan in de afbeelding."))
        )
        ctx.send(await dashboard(figures, t, ctx.now))


async def dashboard(figures: impact.Figures, t: Translator, now: datetime) -> Document:
    png = await drawn(dashboard_png, figures, t, now)
    day = figures.start.astimezone(ZoneInfo(t.timezone)).date().isoformat()
    return Document(f"impact-{day}.png", png, PNG, caption=t(N_("Impact in één oogopslag")))


# -- every month, in the coordinators' room ----------------------------------------------------------


async def monthly_report(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """On the first Monday of the month from 9.00 until the end of that day, queue last month's
    report for the coordinators' room; its key names the month, so it is queued once."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.weekday() != REPORT_WEEKDAY or local.day > 7 or local.hour < REPORT_HOUR:
        return 0
    this_month = local.date().replace(day=1)
    last_day = this_month - timedelta(days=1)
    first_day = last_day.replace(day=1)
    return int(
        await enqueue_room(
            session,
            key=f"report:{first_day:%Y-%m}",
            room=SharedRoom.COORDINATORS,
            purpose=REPORT,
            now=now,
            payload={"from": first_day.isoformat(), "to": last_day.isoformat()},
        )
    )


async def render_monthly(ctx: Scope, row: OutboxMessage) -> list[Reply]:
    t = ctx.t
    first, last = date.fromisoformat(row.payload["from"]), date.fromisoformat(row.payload["to"])
    start, end = impact.period(first, last, ctx.settings.timezone)
    figures = await impact.gather(ctx.session, start, end, locale=t.locale)
    text = t(N_("📊 Het maandrapport van {month}."), month=_month(first, t)) + "\n\n" + summary_text(figures, t)
    return [Message(text), await dashboard(figures, t, ctx.now)]


def _month(day: date, t: Translator) -> str:
    return format_date(day, "MMMM y", locale=t.babel_locale)


# -- /mijnimpact ------------------------------------------------------------------------------------


async def my_impact(ctx: Context) -> None:
    """The person's own figures in one sentence, and a card to share."""
    t = ctx.t
    mine = await impact.personal(ctx.session, ctx.known_person, ctx.now)
    coming = (
        plural(
            t,
            mine.coming,
            N_("Binnenkort doe je mee aan 1 oproep."),
            N_("Binnenkort doe je mee aan {count} oproepen."),
            count=mine.coming,
        )
        if mine.coming
        else ""
    )
    if mine.empty:
        if coming:
            ctx.say(coming + " " + t(N_("Daarna zie je hier wat je deed.")))
        else:
            ctx.say(t(N_("Je deed nog niet mee. Deel een idee met /idee of kijk met /agenda wat er loopt.")))
        return
    done = []
    if mine.ideas:
        done.append(plural(t, mine.ideas, N_("deelde 1 idee"), N_("deelde {count} ideeën"), count=mine.ideas))
    if mine.hours:
        done.append(t(N_("gaf {hours} uur tijd"), hours=number(mine.hours, t)))
    if mine.calls:
        done.append(
            plural(t, mine.calls, N_("deed mee aan 1 oproep"), N_("deed mee aan {count} oproepen"), count=mine.calls)
        )
    text = t(N_("Je {done}."), done=format_list(done, locale=t.babel_locale))
    if mine.projects:
        text += " " + plural(
            t,
            mine.projects,
            N_("1 idee van jou werd een project."),
            N_("{count} ideeën van jou werden een project."),
            count=mine.projects,
        )
    if coming:
        text += " " + coming
    ctx.say(text + "\n\n" + t(N_("Dank je wel! Hieronder staat je kaart. Deel ze gerust.")))
    card = await drawn(personal_card, mine, t, ctx.settings.telegram_bot_username)
    ctx.send(
        Document(
            "mijn-impact.png" if t.locale == "nl" else "my-impact.png" if t.locale == "en" else "mon-impact.png",
            card,
            PNG,
            caption=t(N_("Mijn impact op Kortrijk 2030")),
        )
    )
