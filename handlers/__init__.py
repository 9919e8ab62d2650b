"""Resident-facing handlers: onboarding, menu, ideas, offers, profile, contributions, privacy.

Handlers speak only the channel-neutral language of `bot.replies`; none imports a channel.
"""
