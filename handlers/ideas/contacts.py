"""Whether what a resident wrote holds a phone number or an e-mail address (phone numbers found by
`phonenumbers`, Google's libphonenumber, for Belgium and in international form)."""

from __future__ import annotations

import re

import phonenumbers

REGION = "BE"  # a number without a country code is read as Belgian
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def holds_contact(text: str) -> bool:
    """Whether `text` holds a phone number or an e-mail address."""
    if EMAIL.search(text):
        return True
    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.VALID))
