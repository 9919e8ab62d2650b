"""Why the bot writes about question rounds on its own: the outbox purposes of the rounds feature."""

from __future__ import annotations

from bot.outbox import Purpose

# A round is unasked-for, as a call is: capped per week, after quiet hours, stopped by /pauze.
ROUND = Purpose("round", capped=True, quiet=True, pausable=True)
# What was done with the answers, to everyone who answered: they asked to hear it by answering.
ROUND_RESULT = Purpose("round_result", quiet=True)
# To a round's owner once it closed: write what will be done with the answers.
ROUND_CLOSED = Purpose("round_closed")
# To the coordinators' (or partners') room: a partner's round to approve, the live card, a reminder.
ROUND_APPROVAL = Purpose("round_approval")
ROUND_APPROVED = Purpose("round_approved")
ROUND_CARD = Purpose("round_card")
ROUND_OUTCOME_DUE = Purpose("round_outcome_due")
