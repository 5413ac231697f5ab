"""A store's brand on the shopper's pages: the safe list of fonts and the custom domain rules.

Fonts are system font stacks only: nothing is downloaded at run time, no third party learns
who opens the portal, and every stack ends in a generic family so the page always renders.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

DEFAULT_FONT = "system"

# code -> CSS font-family stack (the label a person sees is in core.labels, kind "font").
FONTS: dict[str, str] = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "humanist": 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif',
    "geometric": 'Avenir, Montserrat, Corbel, "URW Gothic", sans-serif',
    "rounded": 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, '
    '"Arial Rounded MT", Calibri, sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    "classic": '"Iowan Old Style", "Palatino Linotype", "URW Palladio L", P052, serif',
}

FONT_CHOICES = [(code, code) for code in FONTS]


def font_stack(code: str) -> str:
    """The CSS stack of `code`; the default's for anything not on the list."""
    return FONTS.get(code, FONTS[DEFAULT_FONT])


# A host name: labels of letters, digits and inner hyphens, at least two of them, no port.
_HOST = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normal_domain(value: str) -> str:
    """A host name as stored and compared: lower case, no trailing dot."""
    return value.strip().lower().rstrip(".")


def validate_custom_domain(value: str) -> None:
    if value and not _HOST.match(normal_domain(value)):
        raise ValidationError(
            "Use a host name such as returns.example.com (no scheme, path or port).",
            code="invalid_domain",
        )


def is_host_name(value: str) -> bool:
    return bool(_HOST.match(value))


def readable_on(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with `hex_colour` (WCAG relative luminance)."""
    try:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, IndexError):
        return "#ffffff"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
