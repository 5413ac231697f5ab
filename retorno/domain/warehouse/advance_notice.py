"""The advance notice a warehouse (WMS) gets of units on their way back: for each approved
return, which SKUs and how many to expect and from whom, as JSON, CSV rows or an
ANSI X12 180 (Return Merchandise Authorization and Notification, release 004010).

The X12 interchange holds one functional group (`GS01` = `AN`) with one 180 transaction set per
return; docs/integrations.md lists every segment. Free text is cleaned of the delimiters (`*`
elements, `>` components, `~` segments), of line breaks and of characters outside printable
ASCII, and cut to the element's maximum length, so a name never breaks the envelope.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from retorno.domain.errors import DomainError

ELEMENT = "*"
COMPONENT = ">"
SEGMENT = "~"
VERSION = "004010"
FUNCTIONAL_GROUP = "AN"  # Return Merchandise Authorization and Notification
TRANSACTION_SET = "180"
ID_LENGTH = 15  # ISA06 / ISA08 are fixed width

CSV_COLUMNS = (
    "rma",
    "order",
    "approved_at",
    "customer",
    "country",
    "carrier",
    "tracking_number",
    "line",
    "sku",
    "title",
    "quantity",
    "reason",
    "unit_value",
    "currency",
)


class AdvanceNoticeError(DomainError):
    code = "invalid_advance_notice"


@dataclass(frozen=True)
class ExpectedLine:
    line: str  # the order line's external id
    sku: str
    title: str
    quantity: int  # units approved and not yet received nor given up as missing
    reason: str
    unit_value: Decimal  # what the shopper paid for one unit
    currency: str


@dataclass(frozen=True)
class ExpectedReturn:
    rma: str
    order: str  # the order's number as the store shows it
    approved_at: datetime
    customer: str
    country: str
    lines: tuple[ExpectedLine, ...]
    carrier: str = ""
    tracking_number: str = ""

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def expected_quantity(*, approved: int, received: int, missing: int) -> int:
    """Units still to arrive on a line: approved, less those received or given up as missing."""
    return max(0, approved - received - missing)


def notice_json(returns: Sequence[ExpectedReturn]) -> list[dict[str, object]]:
    """The returns as JSON-ready dicts (amounts as strings, times in ISO 8601)."""
    return [
        {
            "rma": r.rma,
            "order": r.order,
            "approved_at": r.approved_at.isoformat(),
            "customer": r.customer,
            "country": r.country,
            "carrier": r.carrier,
            "tracking_number": r.tracking_number,
            "units": r.units,
            "lines": [
                {
                    "line": line.line,
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "reason": line.reason,
                    "unit_value": str(line.unit_value),
                    "currency": line.currency,
                }
                for line in r.lines
            ],
        }
        for r in returns
    ]


def notice_rows(returns: Sequence[ExpectedReturn]) -> list[list[object]]:
    """One row per expected line, in CSV_COLUMNS' order (the header is not included);
    quantities and amounts stay numbers, times datetimes."""
    return [
        [
            r.rma,
            r.order,
            r.approved_at,
            r.customer,
            r.country,
            r.carrier,
            r.tracking_number,
            line.line,
            line.sku,
            line.title,
            line.quantity,
            line.reason,
            line.unit_value,
            line.currency,
        ]
        for r in returns
        for line in r.lines
    ]


# --- X12 180 ------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^ -~]|[*>~^]")


def x12_text(value: object, most: int) -> str:
    """`value` as an X12 element: accents folded to ASCII, delimiters and control characters
    removed, spaces collapsed, at most `most` characters."""
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    cleaned = " ".join(_UNSAFE.sub(" ", folded).split())
    return cleaned[:most].rstrip()


def _party_id(value: str) -> str:
    cleaned = x12_text(value, ID_LENGTH).upper()
    if not cleaned:
        raise AdvanceNoticeError("The sender and receiver ids must not be empty.")
    return cleaned.ljust(ID_LENGTH)


def _segment(*elements: object) -> str:
    # Trailing empty elements are left out, as X12 asks.
    parts = [str(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT.join(parts) + SEGMENT


def _transaction_set(r: ExpectedReturn, control: int) -> list[str]:
    number = f"{control:04d}"
    body = [
        _segment("ST", TRANSACTION_SET, number),
        # 00 = original; the reference is the return's RMA, dated when it was approved.
        _segment(
            "BGN",
            "00",
            x12_text(r.rma, 30),
            r.approved_at.strftime("%Y%m%d"),
            r.approved_at.strftime("%H%M"),
        ),
    ]
    # A segment whose identifying element would be empty (text made only of delimiters) is
    # left out: X12 has no empty mandatory element.
    if order := x12_text(r.order, 22):
        body.append(_segment("PRF", order))
    body.append(_segment("N9", "RZ", x12_text(r.rma, 30)))  # returned goods authorization
    if tracking := x12_text(r.tracking_number, 30):
        body.append(_segment("N9", "CN", tracking, x12_text(r.carrier, 45)))
    body.append(_segment("N1", "SF", x12_text(r.customer, 60) or "CUSTOMER"))  # ship from
    if r.country:
        body.append(_segment("N4", "", "", "", x12_text(r.country, 3)))
    for line in r.lines:
        sku = x12_text(line.sku, 48)
        if not sku:
            raise AdvanceNoticeError(f"A line of return {r.rma} has no SKU.")
        body += [
            # SK = the store's SKU; EA = each; RES = resale price (what the shopper paid).
            _segment(
                "BLI",
                "SK",
                sku,
                line.quantity,
                "EA",
                "RES",
                line.unit_value,
            ),
            _segment("PID", "F", "", "", "", x12_text(line.title, 80) or sku),
        ]
        if line_id := x12_text(line.line, 30):
            body.append(_segment("N9", "LI", line_id))  # the order line
        if reason := x12_text(line.reason, 30):
            body.append(_segment("N9", "ZZ", reason))  # the return reason's code
    body.append(_segment("SE", len(body) + 1, number))
    return body


def x12_180(
    returns: Sequence[ExpectedReturn],
    *,
    sender: str,
    receiver: str,
    control_number: int,
    now: datetime,
    test: bool = False,
) -> str:
    """An X12 interchange of one 180 transaction set per return (segments one a line).

    `control_number` (1 to 999,999,999) numbers the interchange (ISA13/IEA02) and its group
    (GS06/GE02); transaction sets are numbered from 0001. `test` marks the interchange `T`.
    Raises AdvanceNoticeError for an empty notice, a return without lines or a bad number."""
    if not returns:
        raise AdvanceNoticeError("An advance notice needs at least one return.")
    if not 1 <= control_number <= 999_999_999:
        raise AdvanceNoticeError("The control number must be between 1 and 999,999,999.")
    for r in returns:
        if not r.lines or any(line.quantity < 1 for line in r.lines):
            raise AdvanceNoticeError(f"Return {r.rma} has no units to expect.")
    sender_id, receiver_id = _party_id(sender), _party_id(receiver)
    control = f"{control_number:09d}"
    segments = [
        _segment(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender_id,
            "ZZ",
            receiver_id,
            now.strftime("%y%m%d"),
            now.strftime("%H%M"),
            "U",
            "00401",
            control,
            "0",
            "T" if test else "P",
            COMPONENT,
        ),
        _segment(
            "GS",
            FUNCTIONAL_GROUP,
            sender_id.strip(),
            receiver_id.strip(),
            now.strftime("%Y%m%d"),
            now.strftime("%H%M"),
            control_number,
            "X",
            VERSION,
        ),
    ]
    for number, r in enumerate(returns, start=1):
        segments += _transaction_set(r, number)
    segments += [
        _segment("GE", len(returns), control_number),
        _segment("IEA", 1, control),
    ]
    return "\n".join(segments) + "\n"
