"""Where the forecast keeps each chunk of contracts' drafted part: the shared cache, under a
key that changes with any write to the chunk's rows and with the month, never with the day.

A chunk's part holds its sums per (day due, month of the date the invoice will carry,
currency) for the whole calendar month, so every day of the month reads the same entry and
only a write (a contract edited, the nightly run) or a new month drafts a chunk again.
"""

from __future__ import annotations

import logging
from datetime import date

from django.core.cache import cache
from django.db import connection
from redis.exceptions import RedisError

from contracts.models import BillingContract, ContractChange, ContractLine
from schedules.models import BillingSchedule

logger = logging.getLogger(__name__)

# Contracts per chunk, by id range (a new contract changes one chunk only): a chunk's rows
# stay a few megabytes, re-drafting one takes about a second, and a 100,000-contract book
# has about fifty.
CONTRACTS_PER_CHUNK = 2_000
# A part is valid for its month: kept a few days past the month's end (time zones, a month
# closed late), then gone on its own, since the next month asks for other keys.
DAYS_KEPT_AFTER_MONTH = 3


def chunk_key(month: date, chunk: int, version: str | None, closed_key: str) -> str:
    """The cache key of one chunk's part for `month` (its first day). Closing or reopening
    a month moves invoice dates without touching a chunk's rows: `closed_key` names them."""
    return f"forecast:{month}:{CONTRACTS_PER_CHUNK}:{chunk}:{version}:{closed_key}"


def kept_seconds(today: date, next_month: date) -> int:
    """How long a part drafted on `today` is kept: to a few days after its month ends."""
    return ((next_month - today).days + DAYS_KEPT_AFTER_MONTH) * 24 * 60 * 60


def chunk_versions() -> dict[int, str]:
    """Per chunk of contracts, a version that changes with any write to what the forecast
    reads: the count and the sum of the transaction ids (`xmin`) of its contracts, lines,
    change-log entries and schedules. PostgreSQL gives every inserted or updated row the
    writing transaction's id, and a delete lowers the count, so bulk writes (COPY,
    `.update()`), admin and services all show, with no hook to forget. One query.

    A transaction's own writes keep its id: a forecast read inside the transaction that
    wrote (a test case) does not see them change the version."""
    size = CONTRACTS_PER_CHUNK
    sql = f"""
        SELECT chunk, count(*), sum(version) FROM (
            SELECT id / {size} AS chunk, xmin::text::bigint AS version
            FROM {BillingContract._meta.db_table}
            UNION ALL
            SELECT contract_id / {size}, xmin::text::bigint FROM {ContractLine._meta.db_table}
            UNION ALL
            SELECT line.contract_id / {size}, entry.xmin::text::bigint
            FROM {ContractChange._meta.db_table} AS entry
            JOIN {ContractLine._meta.db_table} AS line ON line.id = entry.line_id
            UNION ALL
            SELECT contract_id / {size}, xmin::text::bigint FROM {BillingSchedule._meta.db_table}
        ) AS written GROUP BY chunk
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {chunk: f"{rows}-{total}" for chunk, rows, total in cursor.fetchall()}


def part_cached(key: str):
    """The chunk's part from the shared cache; None when it is not there or the cache's
    server cannot be reached (the forecast is then drafted, only slower)."""
    try:
        return cache.get(key)
    except (OSError, RedisError):
        logger.warning("forecast: the cache is unreachable, drafting without it", exc_info=True)
        return None


def part_keep(key: str, part, seconds: int) -> None:
    try:
        cache.set(key, part, seconds)
    except (OSError, RedisError):
        logger.warning("forecast: the cache is unreachable, not kept", exc_info=True)
