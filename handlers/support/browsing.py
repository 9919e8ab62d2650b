"""Residents browse published ideas and running projects, near them first, and support or follow one with a tap."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from babel.dates import format_date

from bot.context import Context, Scope
from bot.errors import Expired
from bot.i18n import N_
from bot.replies import Action, Button, Card, CardLine, short
from handlers.common.domain import SMALL, IdeaState
from handlers.common.options import NEIGHBOURHOODS, PHASE_LABELS, THEMES, label
from handlers.support import service
from storage.models import Idea, Organisation, Person, Project

SUPPORT = (
    "sup"  # route: Action.of(SUPPORT, "back" | "unback" | "follow" | "unfollow", idea id), or "more", kind, offset
)
PAGE = 3  # cards in one answer; "Meer" shows the next ones
IDEAS, PROJECTS = "i", "p"  # the two lists, and the letters of their deep links
VERBS = {
    "back": ("support", True),
    "unback": ("support", False),
    "follow": ("follow", True),
    "unfollow": ("follow", False),
}


def deep_link(kind: str, row_id: int) -> str:
    """What follows /start in a link that opens an idea (i12) or a project (p3)."""
    return f"{kind}{row_id}"


def deep_link_target(payload: str) -> tuple[str, int] | None:
    """The idea or project a /start payload opens, as (kind, id), or None."""
    return (payload[0], int(payload[1:])) if re.fullmatch(r"[ip]\d{1,9}", payload or "") else None


def link_of_tap(tapped: Action) -> str:
    """A stranger's tap on "Ik steun dit" or "Volgen": the deep link to open again after their yes, or ""."""
    if tapped.route != SUPPORT or tapped.id is None or tapped.verb not in VERBS:
        return ""
    return deep_link(IDEAS, tapped.id)


def _day(ctx: Scope, moment: datetime) -> str:
    return format_date(moment, "d MMMM", locale=ctx.t.babel_locale)


async def card(ctx: Scope, idea: Idea, lead: str = "") -> Card:
    """An idea or project as residents see it: the idea, where and what about, its phase since when and
    how many back it (a group under five is not counted out), then the buttons of whoever reads it."""
    t, session = ctx.t, ctx.session
    project = await service.project_of(session, idea)
    title = short(idea.idea, 60)
    lines = [CardLine(idea.idea, t(N_("Het idee")))] if title != idea.idea else []
    lines += [
        CardLine(idea.problem, t(N_("Wat ze zien")), icon="👀"),
        CardLine(
            t(N_("{theme} in {place}"), theme=t(label(THEMES, idea.theme)), place=t(label(NEIGHBOURHOODS, idea.place))),
            icon="📍",
        ),
    ]
    if project is not None:
        organisation = await session.get(Organisation, project.organisation_id)
        stage = t(
            N_("{phase} sinds {day}, met {organisation}"),
            phase=t(PHASE_LABELS[project.phase]),
            day=_day(ctx, project.updated_at),
            organisation=organisation.name if organisation else "–",
        )
    else:
        stage = t(N_("gedeeld sinds {day}"), day=_day(ctx, idea.moderated_at or idea.created_at))
    counts = [stage]
    if idea.supporters >= SMALL:  # the small-group rule: fewer are not counted out
        counts.append(t(N_("{n} mensen steunen dit"), n=idea.supporters))
    if idea.followers >= SMALL:
        counts.append(t(N_("{n} mensen volgen dit"), n=idea.followers))
    lines.append(CardLine(" · ".join(counts), icon="🌱"))
    if idea.show_author and idea.author_id is not None:
        author = await session.get(Person, idea.author_id)
        if author is not None and author.display_name:
            lines.append(CardLine(t(N_("Een idee van {name}"), name=author.display_name), icon="👤"))
    return Card(title, tuple(lines), await buttons(ctx, idea), icon="🛠" if project else "💡", lead=lead)


async def buttons(ctx: Scope, idea: Idea) -> tuple[Button, ...]:
    """Support and follow, or take them back, for the person reading; a stranger sees both offered."""
    t, person = ctx.t, ctx.person
    backs = person is not None and await service.holds(ctx.session, "support", idea, person)
    follows = person is not None and await service.holds(ctx.session, "follow", idea, person)
    return (
        Button(t(N_("Steun intrekken")), Action.of(SUPPORT, "unback", idea.id))
        if backs
        else Button(t(N_("Ik steun dit")), Action.of(SUPPORT, "back", idea.id), style="primary"),
        Button(t(N_("Niet meer volgen")), Action.of(SUPPORT, "unfollow", idea.id))
        if follows
        else Button(t(N_("Volgen")), Action.of(SUPPORT, "follow", idea.id)),
    )


async def browse_ideas(ctx: Context) -> None:
    """/ideeen: published ideas nobody took up yet, near the person first, a few at a time."""
    await _page(ctx, IDEAS, 0)


async def browse_projects(ctx: Context) -> None:
    """/projecten for residents: the running projects, near the person first, a few at a time."""
    await _page(ctx, PROJECTS, 0)


async def _page(ctx: Context, kind: str, offset: int) -> None:
    t = ctx.t
    found = await service.browse(ctx.session, ctx.known_person, kind == PROJECTS, offset, PAGE + 1)
    if not found:
        if offset:
            ctx.say(t(N_("Dat was alles.")))
        elif kind == PROJECTS:
            ctx.say(
                t(N_("Er loopt nu geen project. Bekijk de ideeën van andere inwoners.")),
                [Button(t(N_("Naar de ideeën")), Action.of(SUPPORT, "more", IDEAS, 0))],
            )
        else:
            ctx.say(t(N_("Er staat nu geen nieuw idee open. Heb jij er een? Typ /idee.")))
        return
    if not offset:
        ctx.say(
            t(N_("Dit zijn projecten van partners en inwoners. Wat dicht bij jou is, staat eerst."))
            if kind == PROJECTS
            else t(N_("Dit zijn ideeën van andere inwoners. Wat dicht bij jou is, staat eerst."))
        )
    for idea in found[:PAGE]:
        ctx.send(await card(ctx, idea))
    if len(found) > PAGE:
        ctx.say(t(N_("Wil je er nog zien?")), [Button(t(N_("Meer")), Action.of(SUPPORT, "more", kind, offset + PAGE))])
    elif kind == IDEAS:
        ctx.say(
            t(N_("Dat waren alle ideeën. Wil je zien wat er al gemaakt wordt?")),
            [Button(t(N_("Naar de projecten")), Action.of(SUPPORT, "more", PROJECTS, 0))],
        )


async def show(ctx: Context, kind: str, row_id: int, lead: str = "") -> Idea | None:
    """The idea or project a link names, with its buttons; for anything not public, say so."""
    idea: Idea | None
    if kind == PROJECTS:
        project = await ctx.session.get(Project, row_id)
        idea = await ctx.session.get(Idea, project.idea_id) if project and project.idea_id else None
    else:
        idea = await ctx.session.get(Idea, row_id)
    if not await service.open_to_backing(ctx.session, idea):
        ctx.say(ctx.t(N_("Dit idee of project vind ik niet, of het staat niet meer open. Kijk of de link klopt.")))
        return None
    assert idea is not None, "open to backing"
    ctx.send(await card(ctx, idea, lead=lead))
    return idea


async def show_link(ctx: Context, payload: str, lead: str = "") -> bool:
    """Open the idea or project a /start payload names; False when the payload names none."""
    target = deep_link_target(payload)
    if target is None:
        return False
    await show(ctx, *target, lead=lead)
    return True


async def on_support_button(ctx: Context, tapped: Action) -> None:
    """One tap: support, follow, or take either back, and the card redrawn; or the next page of a list.
    The person is always whoever taps: a button carries the idea, never a person."""
    t = ctx.t
    if tapped.verb == "more":
        kind, offset = tapped.arg(0), tapped.arg(1)
        if kind not in (IDEAS, PROJECTS) or not offset.isdecimal() or len(tapped.args) != 2 or len(offset) > 6:
            raise Expired()
        await _page(ctx, kind, int(offset))
        return
    idea = await ctx.find(Idea, tapped.id)
    if tapped.verb not in VERBS or idea is None or len(tapped.args) != 1:  # forged: a person's id added, say
        raise Expired()
    what, on = VERBS[tapped.verb]
    person = ctx.known_person
    if on and not await service.open_to_backing(ctx.session, idea):
        ctx.notice(t(N_("Dit staat niet (meer) open om te steunen of te volgen.")))
        return
    if on:
        changed = await service.add(ctx.session, what, idea, person, ctx.now)
    else:
        changed = await service.remove(ctx.session, what, idea, person)
    ctx.notice(t(_NOTICES[tapped.verb][0 if changed else 1]))
    if changed and idea.state in (IdeaState.PUBLISHED, *service.RUNNING):  # unchanged: the card already says so
        ctx.send(replace(await card(ctx, idea), replace="message"))


_NOTICES = {  # what a tap did, or why it did nothing
    "back": (N_("Je steunt dit idee. Dank je!"), N_("Je steunde dit al.")),
    "unback": (N_("Je steun is ingetrokken."), N_("Je steunde dit niet.")),
    "follow": (N_("Je volgt dit nu. Je hoort het als er iets verandert."), N_("Je volgde dit al.")),
    "unfollow": (N_("Je volgt dit niet meer."), N_("Je volgde dit niet.")),
}
