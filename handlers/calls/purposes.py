"""Why the bot writes about calls on its own: the outbox purposes of the calls feature."""

from __future__ import annotations

from bot.outbox import Purpose

# Calls are unasked-for: capped per week, after quiet hours, stopped by /pauze. The Monday
# overview is one message a week that also carries the calls the cap held back, so it is not capped.
CALL = Purpose("call", capped=True, quiet=True, pausable=True)


DIGEST = Purpose("digest", quiet=True, pausable=True)


FOLLOWUP = Purpose("followup", quiet=True, pausable=True)


# These concern something the person signed up for, so they arrive at once, also when paused.
REMINDER = Purpose("reminder")


WAITLIST_OFFER = Purpose("waitlist_offer", quiet=True)  # its time to confirm starts after quiet hours


PLACE_PASSED = Purpose("place_passed", quiet=True)


CALL_CANCELLED = Purpose("call_cancelled")


CALL_CHANGED = Purpose("call_changed")


CALL_MESSAGE = Purpose("call_message", quiet=True)  # a coordinator writes to everyone signed up


# To its coordinator: a big call has been queued for everyone. It answers what they did, so it goes
# before the call's own announcements.
CALL_ANNOUNCED = Purpose("call_announced", first=True)
