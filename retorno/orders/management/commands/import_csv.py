"""retorno import-csv orders|catalog FILE --store SLUG [--map column=Header ...] [--dry-run]

Checks every row first and prints each problem with its line and field; then (unless --dry-run,
or when a row was refused and --skip-bad is not given) imports the rest with a progress bar.
Importing the same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.core.errors import RetornoError
from retorno.orders.csv_rows import FileProblem, decode, header_of, mapping_guess
from retorno.orders.models import CsvImport, ImportState
from retorno.orders.services.csv_import import csv_check, csv_import_run, csv_import_start
from retorno.stores.models import Store


def _bar(job: CsvImport, width: int = 30) -> str:
    done = job.percent * width // 100
    return f"[{'#' * done}{'.' * (width - done)}] {job.percent:3d}% {job.written:,}/{job.records:,}"


class Command(BaseCommand):
    help = "Import orders or the catalogue from a CSV file (a dry run first)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=["orders", "catalog"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--store", required=True, help="The store's slug.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=HEADER",
            help="Read Retorno's COLUMN from the file's HEADER (repeat; others by name).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; import nothing.")
        parser.add_argument(
            "--skip-bad", action="store_true", help="Import the good rows even if some are bad."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store {options['store']!r}.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from None
        mapping = None
        if options["map"]:
            try:
                mapping = mapping_guess(options["kind"], header_of(decode(data)))
            except FileProblem:
                mapping = {}  # csv_check reports what is wrong with the file
            for pair in options["map"]:
                column, sep, header = pair.partition("=")
                if not sep:
                    raise CommandError(f"--map takes COLUMN=HEADER, not {pair!r}.")
                mapping[column.strip()] = header.strip()
        try:
            job = csv_check(
                store=store,
                kind=options["kind"],
                data=data,
                filename=options["file"].name,
                mapping=mapping,
                created_by="command line",
            )
        except RetornoError as exc:
            raise CommandError(f"{exc.code}: {exc.detail}") from None
        out = self.stdout
        out.write(
            f"Checked {job.rows:,} rows: {job.records:,} {job.kind} to import, "
            f"{job.refused:,} rows refused."
        )
        for problem in job.problems:
            out.write(
                f"  line {problem['line']}, {problem['field']}: {problem['message']} "
                f"({problem['code']})"
            )
        if job.refused > len(job.problems):
            out.write(f"  … and more (the first {len(job.problems):,} are listed).")
        if options["dry_run"]:
            return
        if job.refused and not options["skip_bad"]:
            raise CommandError("Nothing imported: correct the rows above, or use --skip-bad.")
        if not job.records:
            return
        csv_import_start(store=store, import_id=job.id)
        job.refresh_from_db()
        if job.state != ImportState.DONE:
            job = csv_import_run(
                job.id, on_progress=lambda j: print("\r" + _bar(j), end="", flush=True)
            )
            print()
        out.write(f"Imported {job.written:,} {job.kind} ({job.created:,} new) in import {job.id}.")
