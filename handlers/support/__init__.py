"""Support and follow: residents browse published ideas and running projects near them, and back or
follow one with a tap (the rules in `service.py`, the cards and buttons in `browsing.py`); an author
hears the day's backing in one evening message, and backers hear a project's steps (`news.py`,
`news_jobs.py`)."""

from __future__ import annotations

from bot.app import Command, Part, Push, Route
from handlers.support import browsing, news, news_jobs
from handlers.support.browsing import browse_projects, deep_link, deep_link_target, link_of_tap, show_link

__all__ = ["PART", "browse_projects", "deep_link", "deep_link_target", "link_of_tap", "show_link"]

PART = Part(
    name="support",
    commands=(Command(("ideeen", "ideas", "idees"), browsing.browse_ideas),),
    routes={
        browsing.SUPPORT: Route(browsing.on_support_button),
        news.NEWS: Route(news.on_news_button),
    },
    pushes=(
        Push(news.SUPPORT_NEWS, news.render_support_news),
        Push(news_jobs.FOLLOWER_NEWS, news_jobs.render_backer_news),
    ),
    checks=(news.tell_authors, news_jobs.tell_backers),
)
