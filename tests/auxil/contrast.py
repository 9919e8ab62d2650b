"""Reading a stylesheet as a browser would for contrast: its rules with custom properties resolved, and
the WCAG 2 contrast ratio of a text colour on a background."""

from __future__ import annotations

import re

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def rules(css: str) -> dict[str, dict[str, str]]:
    """Each selector's declarations, with `var(--name)` replaced by the value `:root` gives it."""
    found = {
        selector.strip(): {
            name.strip(): value.strip()
            for name, _, value in (part.partition(":") for part in body.split(";") if ":" in part)
        }
        for selector, body in RULE.findall(css)
    }
    variables = {name: value for name, value in found.get(":root", {}).items() if name.startswith("--")}

    def resolved(value: str) -> str:
        return re.sub(r"var\((--[\w-]+)\)", lambda match: variables[match.group(1)], value)

    return {selector: {name: resolved(value) for name, value in body.items()} for selector, body in found.items()}


def solid(value: str) -> str | None:
    """The colour of a declaration that is one plain hex colour (a gradient or a mix is none)."""
    match = HEX.fullmatch(value.strip())
    return match.group(0) if match else None


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[n : n + 2], 16) / 255 for n in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(text: str, background: str) -> float:
    """WCAG 2's contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(text), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
