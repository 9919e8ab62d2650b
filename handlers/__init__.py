"""The application: one folder per feature (people, ideas, offers, calls, projects, impact), each
declaring one `Part` in its `__init__`, and `common/` with what they all may use.

Handlers speak only the channel-neutral language of `bot.replies`; none imports a channel.
"""
