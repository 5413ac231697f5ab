"""`retorno partitions`: monthly partitions for the append-only tables (ADR 16).

retorno partitions                          # each table: partitioned or not, rows, partitions
retorno partitions switch returns_returnevent
retorno partitions ahead [--months 3]       # the coming months' partitions (daily job too)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.core.db.partitions import (
    AHEAD_MONTHS,
    APPEND_ONLY,
    PartitionError,
    partition_switch,
    partitions_ahead,
    partitions_status,
)


class Command(BaseCommand):
    help = "Monthly partitions for the append-only tables, on PostgreSQL (ADR 16)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "action", nargs="?", choices=("status", "switch", "ahead"), default="status"
        )
        parser.add_argument("table", nargs="?", choices=sorted(APPEND_ONLY))
        parser.add_argument("--months", type=int, default=AHEAD_MONTHS)

    def handle(self, *args: Any, **options: Any) -> None:
        out = self.stdout.write
        if options["action"] == "switch":
            if not options["table"]:
                raise CommandError(f"name the table to switch: one of {', '.join(APPEND_ONLY)}")
            try:
                switched = partition_switch(options["table"])
            except PartitionError as exc:
                raise CommandError(str(exc)) from exc
            out(
                f"{switched.table}: {switched.rows} rows in {len(switched.partitions)} monthly "
                f"partitions; the old table is kept as {switched.table}__unpartitioned "
                "(drop it once you are satisfied)"
            )
            return
        if options["action"] == "ahead":
            made = partitions_ahead(months=options["months"])
            out("created " + (", ".join(made) if made else "nothing (every month is there)"))
            return
        for table, parted, rows, parts in partitions_status():
            state = (
                f"partitioned, {len(parts)} months ({parts[0]} … {parts[-1]})"
                if parted and parts
                else "plain"
            )
            out(f"{table}: about {rows} rows, {state}")
