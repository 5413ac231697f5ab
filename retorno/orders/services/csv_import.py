"""CSV import of orders and of the catalogue: a dry run that stores the file and reports every
bad row, then the import as a job (outbox message `orders.csv_import`) writing in chunks and
recording its progress after each one.

Orders go through the order intake (`orders_upsert`: set-based, one order's problem keeps only
that order out); products and variants through set-based upserts. Rows sent again as they are
change nothing: not a value, not a time of change. A job that stops (a worker killed, a
deploy) is handed out again by the outbox and goes on from the last chunk it wrote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.outbox import outbox_enqueue, outbox_heartbeat
from retorno.orders import upserts
from retorno.orders.csv_rows import (
    FileProblem,
    Parsed,
    RowProblem,
    catalog_parse,
    decode,
    header_of,
    mapping_check,
    mapping_guess,
    orders_parse,
    records,
)
from retorno.orders.models import CsvImport, ImportKind, ImportState, Variant
from retorno.orders.services import orders_upsert
from retorno.stores.models import Store

IMPORT_KIND = "orders.csv_import"
CHUNK = 1000  # orders or products per transaction (and per progress step)
MAX_BYTES = 60 * 1024 * 1024
PROBLEMS_KEPT = 1000


def _file_refused(problem: FileProblem) -> Unprocessable:
    return Unprocessable(
        problem.message,
        code=problem.code,
        errors=[{"field": "file", "message": problem.message, "type": problem.code}],
    )


def csv_parse(store: Store, kind: str, text: str, mapping: dict[str, str]) -> Parsed:
    """The file's records and problems (the catalogue's SKUs checked against the store's)."""
    rows = records(text, mapping)
    if kind == ImportKind.ORDERS:
        return orders_parse(rows, now=timezone.now())
    parsed = catalog_parse(rows, currency=store.currency)
    return _skus_of_other_products(store, parsed)


def _skus_of_other_products(store: Store, parsed: Parsed) -> Parsed:
    """Products whose SKU already belongs to another product of the store are refused."""
    owners = dict(
        Variant.objects.filter(
            store=store, sku__in=[v["sku"] for p in parsed.items for v in p["variants"]]
        ).values_list("sku", "product__external_id")
    )
    keep_items, keep_lines, problems = [], [], list(parsed.problems)
    for product, line in zip(parsed.items, parsed.lines, strict=True):
        taken = [
            v["sku"]
            for v in product["variants"]
            if owners.get(v["sku"], product["external_id"]) != product["external_id"]
        ]
        if taken:
            problems += [
                RowProblem(
                    line,
                    "sku",
                    "sku_taken",
                    f"{sku} belongs to product {owners[sku]} of the store.",
                )
                for sku in taken
            ]
        else:
            keep_items.append(product)
            keep_lines.append(line)
    return Parsed(keep_items, keep_lines, sorted(problems), parsed.rows)


def csv_check(
    *,
    store: Store,
    kind: str,
    data: bytes,
    filename: str = "",
    mapping: dict[str, str] | None = None,
    created_by: str = "",
) -> CsvImport:
    """The dry run: read `data` with `mapping` (Retorno's column -> the file's header; guessed
    from the header when None), check every row, and keep the file and what was found. Nothing
    is imported. Raises Unprocessable for a file that cannot be read at all (code names why)."""
    if kind not in ImportKind.values:
        raise Unprocessable(f"Unknown import {kind!r}.", code="unknown_import", field="kind")
    if len(data) > MAX_BYTES:
        raise _file_refused(FileProblem("file_too_large", "A file holds at most 60 MB."))
    try:
        text = decode(data)
        header = header_of(text)
        cleaned = mapping_check(
            kind, header, mapping_guess(kind, header) if mapping is None else mapping
        )
        parsed = csv_parse(store, kind, text, cleaned)
    except FileProblem as problem:
        raise _file_refused(problem) from None
    return CsvImport.objects.create(
        store=store,
        kind=kind,
        filename=filename[:200],
        content=text,
        sha256=hashlib.sha256(data).hexdigest(),
        mapping=cleaned,
        rows=parsed.rows,
        records=len(parsed.items),
        refused=len({p.line for p in parsed.problems}),
        problems=[p.as_json() for p in parsed.problems[:PROBLEMS_KEPT]],
        created_by=created_by[:200],
    )


def csv_recheck(*, store: Store, import_id: int, mapping: dict[str, str]) -> CsvImport:
    """Check a checked (not started) import again with another mapping."""
    with transaction.atomic():
        job = CsvImport.objects.select_for_update().filter(store=store, id=import_id).first()
        if job is None:
            raise NotFound(f"No import {import_id} in this store.", code="import_not_found")
        if job.state != ImportState.CHECKED:
            raise Conflict("This import has started already.", code="import_started")
        try:
            cleaned = mapping_check(job.kind, header_of(job.content), mapping)
        except FileProblem as problem:
            raise _file_refused(problem) from None
        parsed = csv_parse(store, job.kind, job.content, cleaned)
        job.mapping = cleaned
        job.records = len(parsed.items)
        job.refused = len({p.line for p in parsed.problems})
        job.problems = [p.as_json() for p in parsed.problems[:PROBLEMS_KEPT]]
        job.save()
    return job


def csv_import_start(*, store: Store, import_id: int) -> CsvImport:
    """Queue a checked import's job (once: starting it again changes nothing)."""
    with transaction.atomic():
        job = CsvImport.objects.select_for_update().filter(store=store, id=import_id).first()
        if job is None:
            raise NotFound(f"No import {import_id} in this store.", code="import_not_found")
        if job.state != ImportState.CHECKED:
            return job
        if not job.records:
            raise Conflict("The file has nothing to import.", code="nothing_to_import")
        job.state = ImportState.QUEUED
        job.save(update_fields=["state", "updated_at"])
        outbox_enqueue(
            store_id=store.id,
            kind=IMPORT_KIND,
            dedupe_key=f"csv-import:{job.id}",
            payload={"import": job.id},
        )
    return job


def csv_import_run(
    import_id: int, *, on_progress: Callable[[CsvImport], None] | None = None
) -> CsvImport:
    """Write a queued (or interrupted) import, chunk by chunk, from where it stopped."""
    job = CsvImport.objects.select_related("store").get(id=import_id)
    if job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return job
    if job.started_at is None:
        job.started_at = timezone.now()
    job.state = ImportState.RUNNING
    job.save(update_fields=["state", "started_at", "updated_at"])
    store = job.store
    parsed = csv_parse(store, job.kind, job.content, job.mapping)
    items = parsed.items
    write = _orders_write if job.kind == ImportKind.ORDERS else _products_write
    while job.written < len(items):
        chunk = items[job.written : job.written + CHUNK]
        with transaction.atomic():
            created, refused = write(store, chunk)
            # Counted by the database: a chunk written again by a worker that took over
            # adds what it created (nothing), not a copy of a stale total.
            CsvImport.objects.filter(id=job.id).update(
                written=job.written + len(chunk),
                created=F("created") + created,
                refused=F("refused") + refused,
                updated_at=timezone.now(),
            )
        job.refresh_from_db()
        if on_progress is not None:
            on_progress(job)
    job.state = ImportState.DONE
    job.records = len(items)
    job.finished_at = timezone.now()
    job.content = ""  # the file is not kept once imported
    job.save()
    return job


def _orders_write(store: Store, orders: list[dict[str, Any]]) -> tuple[int, int]:
    outcomes = orders_upsert(store=store, orders=orders)
    created = sum(1 for o in outcomes if o.error is None and o.created)
    return created, sum(1 for o in outcomes if o.error is not None)


def _products_write(store: Store, products: list[dict[str, Any]]) -> tuple[int, int]:
    now = timezone.now()
    ids = upserts.products_upsert(
        store.id,
        [
            {name: product[name] for name in ("external_id", *upserts.PRODUCT_VALUES)}
            for product in products
        ],
        now,
    )
    upserts.variants_upsert(
        store.id,
        [
            {"product": ids[product["external_id"]][0], **variant}
            for product in products
            for variant in product["variants"]
        ],
        now,
    )
    return sum(1 for _, created in ids.values() if created), 0


def csv_import_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `orders.csv_import` (on its own queue, `imports`). An import may run
    longer than the outbox's claim timeout: after each chunk it renews its claim, so the
    sweeper never hands it to a second worker while this one lives; if the claim was lost
    (ClaimLost) it stops before the next chunk."""
    job = csv_import_run(
        int(message.payload["import"]), on_progress=lambda _: outbox_heartbeat(message)
    )
    return {"state": job.state, "written": job.written, "created": job.created}
