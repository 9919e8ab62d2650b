"""Supporting and following ideas and projects (issue 24); this minimal part holds the news of it
until the lead merges the whole feature's part."""

from __future__ import annotations

from bot.app import Part, Push, Route
from handlers.support import news, news_jobs

__all__ = ["PART"]

PART = Part(
    name="support",
    routes={news.NEWS: Route(news.on_news_button)},
    pushes=(
        Push(news.SUPPORT_NEWS, news.render_support_news),
        Push(news_jobs.FOLLOWER_NEWS, news_jobs.render_backer_news),
    ),
    checks=(news.tell_authors, news_jobs.tell_backers),
)
