"""Orders and the catalogue from a CSV file: the columns a file may have, how its header is
mapped to them, and every row checked, with each problem named by its line in the file and its
field. Pure functions over text (no database): the dry run, the import job and the command line
share them, so what a dry run accepts is exactly what the import writes.

An orders file has one row per order line; the rows of one order (same `order_id`) carry the
order's own columns, which must agree. A catalogue file has one row per variant; the rows of one
product (same `product_id`) carry the product's columns. An order or a product with any bad row is
left out whole (every row of it is reported), so nothing is half imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from retorno.domain.money import MoneyError, minor_units, parse_amount
from retorno.domain.times import TimeOutOfRange, check_fact_time
from retorno.orders.services.intake import order_discount_problems

MAX_ROWS = 500_000
MAX_LINES_PER_ORDER = 500


@dataclass(frozen=True)
class Column:
    """A column Retorno reads: its name, whether a file must have it, the other headers that
    map to it without being told (lower case, spaces and dashes as underscores), its length."""

    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int = 200


ORDER_COLUMNS = (
    Column("order_id", True, ("order", "order_external_id", "id"), 120),
    Column("number", False, ("order_number", "name"), 64),
    Column("placed_at", True, ("created_at", "order_date", "date"), 40),
    Column("delivered_at", False, ("delivery_date", "fulfilled_at"), 40),
    Column("currency", True, ("currency_code",), 3),
    Column("customer_email", True, ("email",), 254),
    Column("customer_id", False, ("customer_external_id",), 120),
    Column("customer_name", False, ("billing_name",), 200),
    Column("customer_phone", False, ("phone",), 40),
    Column("customer_tier", False, ("tier",), 40),
    Column("shipping_name", False, (), 200),
    Column("shipping_line1", False, ("shipping_address1", "shipping_street"), 200),
    Column("shipping_city", False, (), 200),
    Column("shipping_postal_code", False, ("shipping_zip",), 20),
    Column("shipping_country", False, ("shipping_country_code", "country"), 2),
    Column("shipping_amount", False, ("shipping",), 20),
    Column("shipping_tax_amount", False, ("shipping_tax",), 20),
    Column("order_discount", False, ("discount_amount", "order_discount_amount"), 20),
    Column("line_id", False, ("line_external_id", "lineitem_id"), 120),
    Column("sku", True, ("lineitem_sku", "variant_sku"), 120),
    Column("product_id", False, ("product_external_id",), 120),
    Column("title", False, ("lineitem_name", "product_title"), 255),
    Column("category", False, ("product_type",), 80),
    Column("vendor", False, ("lineitem_vendor",), 120),
    Column("quantity", True, ("lineitem_quantity", "qty"), 10),
    Column("unit_price", True, ("lineitem_price", "price"), 20),
    Column("line_discount", False, ("lineitem_discount", "discount"), 20),
    Column("line_tax", False, ("lineitem_tax", "tax"), 20),
    Column("final_sale", False, (), 10),
)

CATALOG_COLUMNS = (
    Column("product_id", True, ("product_external_id", "handle"), 120),
    Column("title", True, ("product_title", "name"), 255),
    Column("sku", True, ("variant_sku",), 120),
    Column("price", True, ("variant_price", "unit_price"), 20),
    Column("category", False, ("product_type", "type"), 80),
    Column("vendor", False, (), 120),
    Column("stock", False, ("inventory", "inventory_quantity", "quantity"), 10),
    Column("weight_grams", False, ("grams", "weight"), 10),
    Column("options", False, ("variant_options",), 500),
    Column("image_url", False, ("image", "image_src"), 500),
    Column("url", False, ("product_url",), 500),
)

COLUMNS = {"orders": ORDER_COLUMNS, "catalog": CATALOG_COLUMNS}


@dataclass(frozen=True, order=True)
class RowProblem:
    """One refused value: `line` is its line in the file (the header is line 1)."""

    line: int
    field: str
    code: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "code": self.code, "message": self.message}


class FileProblem(Exception):
    """The file as a whole cannot be read (no header, a required column unmapped...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark); FileProblem otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("not_utf8", "The file is not UTF-8 text; save it as CSV UTF-8.") from None


def header_of(text: str) -> list[str]:
    """The file's header row, its delimiter sniffed (comma, semicolon or tab)."""
    reader = csv.reader(io.StringIO(text), dialect=_dialect(text))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise FileProblem("empty_file", "The file has no header row.")
    return [cell.strip() for cell in header]


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter if counts[delimiter] else ","
    return Sniffed


def mapping_guess(kind: str, header: list[str]) -> dict[str, str]:
    """Which header each column of `kind` reads, by name or alias (unmatched columns absent)."""
    keys = {_key(cell): cell for cell in header if cell}
    found: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for candidate in (column.name, *column.aliases):
            if candidate in keys and keys[candidate] not in found.values():
                found[column.name] = keys[candidate]
                break
    return found


def mapping_check(kind: str, header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """`mapping` (column -> header) cleaned: blank entries dropped; FileProblem when it names a
    header the file lacks or an unknown column, maps two columns to one header, or leaves a
    required column unmapped."""
    known = {column.name for column in COLUMNS[kind]}
    cleaned = {name: source for name, source in mapping.items() if source}
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise FileProblem("unknown_column", f"Retorno has no column {', '.join(unknown)}.")
    absent = sorted({source for source in cleaned.values() if source not in header})
    if absent:
        raise FileProblem("header_not_found", f"The file has no column {', '.join(absent)}.")
    sources = list(cleaned.values())
    if len(set(sources)) != len(sources):
        raise FileProblem("column_mapped_twice", "Each column of the file maps to one field.")
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in cleaned]
    if missing:
        raise FileProblem(
            "required_column_missing", f"Map a column of the file to {', '.join(missing)}."
        )
    return cleaned


def records(text: str, mapping: Mapping[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each data row; blank rows skipped. Line numbers are
    the file's (a quoted value spanning lines counts them)."""
    reader = csv.reader(io.StringIO(text), dialect=_dialect(text))
    header = [cell.strip() for cell in next(reader, [])]
    position = {cell: index for index, cell in enumerate(header)}
    picks = [(name, position[source]) for name, source in mapping.items()]
    widest = max((i for _, i in picks), default=-1)
    line = reader.line_num
    for count, row in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise FileProblem("too_many_rows", f"A file holds at most {MAX_ROWS:,} rows.")
        start, line = line + 1, reader.line_num
        if not "".join(row).strip():
            continue
        if len(row) > widest:  # every mapped column is there (the usual row)
            yield start, {name: row[i].strip() for name, i in picks}
        else:
            yield start, {name: row[i].strip() if i < len(row) else "" for name, i in picks}


# --- values ----------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _amount(value: str, currency: str) -> Decimal:
    if not value:
        return Decimal(0)
    try:
        amount = parse_amount(value.replace(" ", ""), currency)
    except MoneyError as exc:
        raise _Bad(exc.code, exc.message) from None
    if amount < 0:
        raise _Bad("invalid_amount", f"{value} is negative.")
    return amount


def _count(value: str, *, least: int, most: int = 10**9) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _Bad("invalid_number", f"{value!r} is not a whole number.") from None
    if not least <= number <= most:
        raise _Bad("invalid_number", f"{number} is not between {least} and {most:,}.")
    return number


def _time(value: str, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad("invalid_time", f"{value!r} is not an ISO 8601 time.") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Bad("time_without_offset", f"{value!r} needs its offset from UTC (Z, +01:00).")
    try:
        return check_fact_time(moment, now=now)
    except TimeOutOfRange as exc:
        raise _Bad(exc.code, str(exc)) from None


_TRUE = {"true", "yes", "y", "1", "sí", "si"}
_FALSE = {"false", "no", "n", "0", ""}


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _Bad("invalid_boolean", f"{value!r} is not yes or no.")


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


# Each kind's columns by name, built once: a row's reader looks its limits up here (hashing the
# tuple of columns per row, as a cache keyed on it would, cost a tenth of the reading).
_LIMITS = {kind: {column.name: column for column in columns} for kind, columns in COLUMNS.items()}


class _Row:
    """Reads one row's values, collecting a problem per bad field instead of stopping."""

    def __init__(self, line: int, values: dict[str, str], kind: str) -> None:
        self.line = line
        self.values = values
        self.problems: list[RowProblem] = []
        self.limits = _LIMITS[kind]

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        column = self.limits[name]
        if column.required and not value:
            self.problems.append(RowProblem(self.line, name, "required", f"{name} is empty."))
        elif len(value) > column.max_length:
            self.problems.append(
                RowProblem(
                    self.line, name, "too_long", f"{name} is longer than {column.max_length}."
                )
            )
        return value

    def read(self, name: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
        value = self.text(name)
        if not value and self.limits[name].required:
            return None
        try:
            return parse(value, *args, **kwargs)
        except _Bad as bad:
            self.problems.append(RowProblem(self.line, name, bad.code, bad.message))
            return None


# --- orders ------------------------------------------------------------------------------------


_NAMES = [column.name for column in ORDER_COLUMNS]
# The order's own columns (every row of an order repeats them); the line's follow from line_id.
ORDER_LEVEL = tuple(_NAMES[: _NAMES.index("line_id")])


@dataclass
class _OrderDraft:
    first_line: int
    values: dict[str, str]
    data: dict[str, Any] | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    bad: bool = False


@dataclass
class Parsed:
    """What a file holds: the records to write (orders in the intake's shape, or products),
    with the file line each starts at, and every problem; `rows` counts the data rows read."""

    items: list[dict[str, Any]]
    lines: list[int]
    problems: list[RowProblem]
    rows: int


def _order_head(row: _Row, now: datetime) -> dict[str, Any] | None:
    currency = row.text("currency").upper()
    if currency:
        try:
            minor_units(currency)
        except MoneyError as exc:
            row.problems.append(RowProblem(row.line, "currency", exc.code, exc.message))
            currency = ""
    email = row.text("customer_email").lower()
    if email and not _EMAIL.match(email):
        row.problems.append(
            RowProblem(row.line, "customer_email", "invalid_email", f"{email!r} is no e-mail.")
        )
    country = row.text("shipping_country").upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        row.problems.append(
            RowProblem(row.line, "shipping_country", "invalid_country", "Use a 2-letter code.")
        )
    placed = row.read("placed_at", _time, now)
    delivered = row.read("delivered_at", _time, now) if row.values.get("delivered_at") else None
    amounts = {
        name: row.read(name, _amount, currency) if currency else None
        for name in ("shipping_amount", "shipping_tax_amount", "order_discount")
    }
    order_id = row.text("order_id")
    if row.problems:
        return None
    return {
        "external_id": order_id,
        "number": row.text("number") or order_id,
        "placed_at": placed,
        "delivered_at": delivered,
        "currency": currency,
        "customer": {
            "external_id": row.text("customer_id"),
            "email": email,
            "name": row.text("customer_name"),
            "phone": row.text("customer_phone"),
            "tier": row.text("customer_tier"),
            "tags": [],
            "language": "",
        },
        "shipping_address": {
            "name": row.text("shipping_name"),
            "line1": row.text("shipping_line1"),
            "city": row.text("shipping_city"),
            "postal_code": row.text("shipping_postal_code"),
            "country": country,
        },
        "shipping_amount": amounts["shipping_amount"],
        "shipping_tax_amount": amounts["shipping_tax_amount"],
        "discount_amount": amounts["order_discount"],
        "tags": [],
        "lines": [],
    }


def _order_line(row: _Row, currency: str, position: int, order_id: str) -> dict[str, Any] | None:
    sku = row.text("sku")
    quantity = row.read("quantity", _count, least=1, most=100_000)
    price = row.read("unit_price", _amount, currency)
    discount = row.read("line_discount", _amount, currency)
    tax = row.read("line_tax", _amount, currency)
    final_sale = row.read("final_sale", _flag)
    line_id = row.text("line_id") or f"{order_id}-{position}"
    if row.problems:
        return None
    return {
        "external_id": line_id,
        "sku": sku,
        "product_id": row.text("product_id"),
        "title": row.text("title") or sku,
        "category": row.text("category"),
        "vendor": row.text("vendor"),
        "quantity": quantity,
        "unit_price": price,
        "discount": discount,
        "tax": tax,
        "final_sale": bool(final_sale),
        "tags": [],
        "options": {},
        "image_url": "",
    }


def orders_parse(rows: Iterable[tuple[int, dict[str, str]]], *, now: datetime) -> Parsed:
    """Every order of an orders file, in the intake's shape, and every problem."""
    drafts: dict[str, _OrderDraft] = {}
    problems: list[RowProblem] = []
    count = 0
    for line, values in rows:
        count += 1
        row = _Row(line, values, "orders")
        order_id = row.text("order_id")
        if not order_id:
            problems += row.problems
            continue
        draft = drafts.get(order_id)
        if draft is None:
            head = _order_head(row, now)
            draft = drafts[order_id] = _OrderDraft(line, values, head, bad=head is None)
        else:
            for name in ORDER_LEVEL:
                if values.get(name, "") and values.get(name, "") != draft.values.get(name, ""):
                    row.problems.append(
                        RowProblem(
                            line,
                            name,
                            "order_mismatch",
                            f"{name} differs from line {draft.first_line}, the order's first row.",
                        )
                    )
        currency = draft.data["currency"] if draft.data else ""
        order_line = (
            _order_line(row, currency, len(draft.lines) + 1, order_id) if currency else None
        )
        if not currency:
            _order_line(row, "EUR", 0, order_id)  # report the line's own problems too
        if order_line is not None and any(
            known["external_id"] == order_line["external_id"] for known in draft.lines
        ):
            row.problems.append(
                RowProblem(line, "line_id", "duplicate_line", "The order already has this line.")
            )
        if len(draft.lines) >= MAX_LINES_PER_ORDER:
            row.problems.append(
                RowProblem(line, "order_id", "too_many_lines", "An order has at most 500 lines.")
            )
        problems += row.problems
        if row.problems or order_line is None:
            draft.bad = True
        else:
            draft.lines.append(order_line)
            draft.line_numbers.append(line)
    items: list[dict[str, Any]] = []
    starts: list[int] = []
    for draft in drafts.values():
        if draft.bad or draft.data is None:
            continue
        data = {**draft.data, "lines": draft.lines}
        for problem in order_discount_problems(data):
            where = problem.field
            at = draft.line_numbers[int(where[1])] if where[0] == "lines" else draft.first_line
            name = "line_discount" if where[0] == "lines" else "order_discount"
            problems.append(RowProblem(at, name, problem.code, problem.message))
            draft.bad = True
        if not draft.bad:
            items.append(data)
            starts.append(draft.first_line)
    return Parsed(items, starts, sorted(problems), count)


# --- catalogue ---------------------------------------------------------------------------------


def _options(value: str) -> dict[str, str]:
    """`size=M; colour=navy` as {"size": "M", "colour": "navy"}."""
    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        name, sep, option = part.partition("=")
        if not sep or not name.strip() or not option.strip():
            raise _Bad("invalid_options", f"{part!r} is not name=value.")
        found[name.strip()[:40]] = option.strip()[:80]
    return found


def _web(value: str) -> str:
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise _Bad("invalid_url", f"{value!r} is not an http(s) address.")
    return value


def catalog_parse(rows: Iterable[tuple[int, dict[str, str]]], *, currency: str) -> Parsed:
    """Every product of a catalogue file with its variants, and every problem."""
    products: dict[str, dict[str, Any]] = {}
    starts: dict[str, int] = {}
    bad: set[str] = set()
    sku_lines: dict[str, int] = {}
    problems: list[RowProblem] = []
    count = 0
    for line, values in rows:
        count += 1
        row = _Row(line, values, "catalog")
        product_id = row.text("product_id")
        title = row.text("title")
        sku = row.text("sku")
        price = row.read("price", _amount, currency)
        stock = row.read("stock", _count, least=0) if values.get("stock") else 0
        weight = row.read("weight_grams", _count, least=0) if values.get("weight_grams") else 0
        options = row.read("options", _options)
        image_url = row.read("image_url", _web)
        url = row.read("url", _web)
        category, vendor = row.text("category"), row.text("vendor")
        if sku and sku in sku_lines:
            row.problems.append(
                RowProblem(line, "sku", "duplicate_sku", f"{sku} is on line {sku_lines[sku]} too.")
            )
        elif sku:
            sku_lines[sku] = line
        product = products.get(product_id) if product_id else None
        if product_id and product is None:
            starts[product_id] = line
            product = products[product_id] = {
                "external_id": product_id,
                "title": title,
                "category": category.lower(),
                "vendor": vendor,
                "url": url or "",
                "variants": [],
            }
        elif product is not None:
            for name, value in (("title", title), ("category", category.lower())):
                if value and value != product[name]:
                    row.problems.append(
                        RowProblem(
                            line,
                            name,
                            "product_mismatch",
                            f"{name} differs from line {starts[product_id]}, the product's first.",
                        )
                    )
        problems += row.problems
        if row.problems:
            if product_id:
                bad.add(product_id)
            continue
        assert product is not None  # a row without product_id has a problem
        product["variants"].append(
            {
                "sku": sku,
                "options": options or {},
                "price": price,
                "stock": stock,
                "weight_grams": weight,
                "image_url": image_url or "",
            }
        )
    items = [p for key, p in products.items() if key not in bad]
    return Parsed(items, [starts[p["external_id"]] for p in items], sorted(problems), count)
