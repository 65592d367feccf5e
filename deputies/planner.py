"""Planner settings for reads that PostgreSQL's default cost model misjudges, for one
transaction only (`with tuned(): ...`): the dashboard's figures and their lists, the deputy's
"my suggestions". Elsewhere they do nothing.

These are short reads: the JIT compiler (its cost estimate is passed on a 10,000-suggestion
year) spends ~100 ms compiling what runs in less; parallel workers cost more to start than they
save; and the rows are best reached through the foreign-key indexes, which the default
random_page_cost (tuned for spinning disks) makes look dear. Measured by bench/reports_bench.py:
the year's cube and units' table fell from ~800 to ~300 ms; by bench/ratios.py: the deputy's
groups at 100,000 suggestions from ~45 to ~25 ms (a hashed scan of every open contact before).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

PG_PLANNER = (
    "SET LOCAL jit = off",
    "SET LOCAL max_parallel_workers_per_gather = 0",
    "SET LOCAL random_page_cost = 1.1",
)


@contextmanager
def tuned() -> Iterator[None]:
    """A transaction with the planner settings above (PostgreSQL)."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in PG_PLANNER:
                    cursor.execute(setting)
        yield
