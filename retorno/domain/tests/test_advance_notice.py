"""The X12 180 advance notice, read back by a parser written here from the X12 envelope rules
(not from the generator): fixed-width ISA, delimiters taken from the ISA, control numbers that
match, segment counts that add up, and the returns' units as sent, for any text a store holds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.warehouse.advance_notice import (
    CSV_COLUMNS,
    AdvanceNoticeError,
    ExpectedLine,
    ExpectedReturn,
    expected_quantity,
    notice_json,
    notice_rows,
    x12_180,
    x12_text,
)

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def parse_interchange(text: str) -> dict:
    """An X12 reader: the ISA gives the element separator (its 4th character), the component
    separator (ISA16) and the segment terminator (the character after ISA16); then checks the
    envelope and returns the transaction sets as lists of segments (lists of elements)."""
    assert text.startswith("ISA")
    element, component, terminator = text[3], text[104], text[105]
    isa = text[:105].split(element)
    assert len(isa) == 17, "an ISA has 16 elements"
    widths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    assert [len(e) for e in isa[1:]] == widths, "ISA elements are fixed width"
    assert isa[16] == component
    body = text[106:]
    segments = [s.strip("\n").split(element) for s in body.split(terminator) if s.strip("\n")]
    assert all(element not in "".join(s) for s in segments)
    gs, ge, iea = segments[0], segments[-2], segments[-1]
    assert gs[0] == "GS"
    assert ge[0] == "GE"
    assert iea[0] == "IEA"
    assert gs[1] == "AN"
    assert gs[8] == "004010"
    assert iea == ["IEA", "1", isa[13]], "IEA closes the interchange it opened"
    assert ge[2] == gs[6], "GE closes the group it opened"
    sets: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for segment in segments[1:-2]:
        if segment[0] == "ST":
            assert current is None, "transaction sets do not nest"
            current = [segment]
            continue
        assert current is not None, f"{segment[0]} outside a transaction set"
        current.append(segment)
        if segment[0] == "SE":
            assert int(segment[1]) == len(current), "SE01 counts the set's segments"
            assert segment[2] == current[0][2], "SE02 repeats ST02"
            sets.append(current)
            current = None
    assert current is None, "every set is closed"
    assert int(ge[1]) == len(sets), "GE01 counts the sets"
    assert [s[0][2] for s in sets] == [f"{n:04d}" for n in range(1, len(sets) + 1)]
    return {"isa": isa, "gs": gs, "sets": sets}


def read_returns(interchange: dict) -> list[dict]:
    """Each 180 set as the return it announces: RMA, order, and (sku, quantity, line, reason)."""
    found = []
    for segments in interchange["sets"]:
        assert segments[0][1] == "180"
        bgn = next(s for s in segments if s[0] == "BGN")
        ret = {"rma": bgn[2], "order": "", "lines": [], "party": ""}
        line: dict | None = None
        for s in segments:
            if s[0] in {"BGN", "PRF", "N9", "N1", "BLI"}:  # their first two are mandatory
                assert all(s[1:3]), f"{s[0]} has its mandatory elements"
            if s[0] == "PRF":
                ret["order"] = s[1]
            elif s[0] == "N1" and s[1] == "SF":
                ret["party"] = s[2]
            elif s[0] == "BLI":
                assert s[1] == "SK"
                assert s[4] == "EA"
                line = {"sku": s[2], "quantity": int(s[3]), "value": Decimal(s[6])}
                ret["lines"].append(line)
            elif s[0] == "N9" and line is not None and s[1] == "LI":
                line["line"] = s[2]
            elif s[0] == "N9" and line is not None and s[1] == "ZZ":
                line["reason"] = s[2]
        found.append(ret)
    return found


def a_return(rma: str = "R-7KQ2M9XH", **changes) -> ExpectedReturn:
    values = {
        "rma": rma,
        "order": "#1001",
        "approved_at": datetime(2026, 12, 4, 18, 5, tzinfo=UTC),
        "customer": "Ana Pérez",
        "country": "ES",
        "lines": (
            ExpectedLine("1001-1", "TEE-M", "T-shirt", 2, "too_small", Decimal("19.90"), "EUR"),
            ExpectedLine("1001-2", "MUG", "Mug", 1, "damaged", Decimal("9.95"), "EUR"),
        ),
        "carrier": "Correos",
        "tracking_number": "PQ123ES",
    }
    return ExpectedReturn(**{**values, **changes})


def test_an_interchange_announces_each_return_with_its_units():
    text = x12_180(
        [a_return(), a_return("R-2", lines=a_return().lines[:1])],
        sender="tienda-sol",
        receiver="WMS",
        control_number=42,
        now=NOW,
    )
    interchange = parse_interchange(text)
    assert interchange["isa"][6].strip() == "TIENDA-SOL"
    assert interchange["isa"][13] == "000000042"
    assert interchange["isa"][15] == "P"
    returns = read_returns(interchange)
    assert [(r["rma"], r["order"], r["party"]) for r in returns] == [
        ("R-7KQ2M9XH", "#1001", "Ana Perez"),
        ("R-2", "#1001", "Ana Perez"),
    ]
    assert returns[0]["lines"] == [
        {
            "sku": "TEE-M",
            "quantity": 2,
            "value": Decimal("19.90"),
            "line": "1001-1",
            "reason": "too_small",
        },
        {
            "sku": "MUG",
            "quantity": 1,
            "value": Decimal("9.95"),
            "line": "1001-2",
            "reason": "damaged",
        },
    ]
    assert "N9*CN*PQ123ES*Correos~" in text


def test_a_test_interchange_is_marked_and_bad_notices_are_refused():
    assert (
        parse_interchange(
            x12_180([a_return()], sender="s", receiver="r", control_number=1, now=NOW, test=True)
        )["isa"][15]
        == "T"
    )
    with pytest.raises(AdvanceNoticeError):
        x12_180([], sender="s", receiver="r", control_number=1, now=NOW)
    with pytest.raises(AdvanceNoticeError):
        x12_180([a_return(lines=())], sender="s", receiver="r", control_number=1, now=NOW)
    with pytest.raises(AdvanceNoticeError):
        x12_180([a_return()], sender="s", receiver="r", control_number=10**9, now=NOW)
    with pytest.raises(AdvanceNoticeError):
        x12_180([a_return()], sender="***", receiver="r", control_number=1, now=NOW)


any_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=90
)
sku_text = st.text(min_size=1, max_size=60).filter(lambda s: x12_text(s, 48))


@settings(max_examples=150, deadline=None)
@given(
    returns=st.lists(
        st.builds(
            a_return,
            rma=st.from_regex(r"R-[A-Z0-9]{8}", fullmatch=True),
            order=any_text,
            customer=any_text,
            carrier=any_text,
            tracking_number=any_text,
            lines=st.lists(
                st.builds(
                    ExpectedLine,
                    line=any_text,
                    sku=sku_text,
                    title=any_text,
                    quantity=st.integers(1, 10_000),
                    reason=any_text,
                    unit_value=st.decimals("0", "99999.99", places=2),
                    currency=st.just("EUR"),
                ),
                min_size=1,
                max_size=5,
            ).map(tuple),
        ),
        min_size=1,
        max_size=6,
    ),
    control=st.integers(1, 999_999_999),
)
def test_any_store_text_makes_a_valid_interchange_that_reads_back(returns, control):
    text = x12_180(returns, sender="shop", receiver="wms", control_number=control, now=NOW)
    interchange = parse_interchange(text)
    read = read_returns(interchange)
    assert [r["rma"] for r in read] == [r.rma for r in returns]
    for got, sent in zip(read, returns, strict=True):
        assert [(x["sku"], x["quantity"], x["value"]) for x in got["lines"]] == [
            (x12_text(line.sku, 48), line.quantity, line.unit_value) for line in sent.lines
        ]
    assert all(ch.isascii() for ch in text)


def test_json_and_csv_carry_the_same_lines():
    r = a_return()
    body = notice_json([r])
    assert body[0]["units"] == 3
    assert body[0]["lines"][0]["unit_value"] == "19.90"
    rows = notice_rows([r])
    assert len(rows) == 2
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    assert rows[1][CSV_COLUMNS.index("sku")] == "MUG"
    assert rows[1][CSV_COLUMNS.index("quantity")] == 1


@pytest.mark.parametrize(
    ("approved", "received", "missing", "expected"),
    [(3, 0, 0, 3), (3, 1, 0, 2), (3, 1, 2, 0), (2, 2, 1, 0), (0, 0, 0, 0)],
)
def test_units_still_expected(approved, received, missing, expected):
    assert expected_quantity(approved=approved, received=received, missing=missing) == expected
