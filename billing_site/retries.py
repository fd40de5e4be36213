"""Exponential backoff with jitter, shared by post-invoicing tasks and webhook deliveries (pure)."""

from __future__ import annotations

import random


def retry_delay(retries: int, *, base: float, maximum: float) -> float:
    """About base x 2^retries seconds, capped at `maximum`; the jitter keeps thousands of
    attempts failed by one outage from all coming back at the same second."""
    ceiling = min(base * 2**retries, maximum)
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (not cryptographic)
