"""Impact: the figures of a period under the small-group rule, drawn as PNG, PDF and CSV; `/rapport`,
`/mijnimpact`, the monthly post for the coordinators, the public `/impact` page, and the
`gangmaker report` and `gangmaker export` commands."""

from __future__ import annotations

from bot.app import Command, Page, Part, Push
from bot.i18n import N_
from handlers.impact import chat, page
from handlers.impact.cli import report_command
from handlers.impact.export_cli import export_command

__all__ = ["PART"]

PART = Part(
    name="impact",
    commands=(
        Command(("mijnimpact", "myimpact", "monimpact"), chat.my_impact, N_("Wat je bijdroeg, in cijfers")),
        Command(("rapport", "report"), chat.report),  # coordinators and partners; the handler checks which
    ),
    pushes=(Push(chat.REPORT, chat.render_monthly),),
    checks=(chat.monthly_report,),
    cli=(report_command, export_command),
    pages=(Page(page.PATH, page.ImpactPage().render), Page(page.STYLESHEET, page.stylesheet)),
    not_found=page.not_found,
)
