"""API keys as strings: made, split and hashed. Pure: no Django, no database.

A key reads `<prefix>.<secret>`: the prefix finds the key's row, the hash of the whole key
proves it. The secret carries 256 bits, so one SHA-256 is enough (a password hash's
slowness guards guessable secrets, and these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX_BYTES = 6  # 8 characters: unique enough to name a key, nothing to guess the rest
SECRET_BYTES = 32
SEPARATOR = "."


def api_key_make() -> tuple[str, str, str]:
    """A new key: (the key to show once, its prefix, its hash to store)."""
    prefix = secrets.token_urlsafe(PREFIX_BYTES)  # never holds the separator
    key = f"bbo_{prefix}{SEPARATOR}{secrets.token_urlsafe(SECRET_BYTES)}"
    return key, f"bbo_{prefix}", api_key_hash(key)


def api_key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, None for anything else."""
    prefix, separator, secret = key.partition(SEPARATOR)
    if not separator or not secret or not prefix.startswith("bbo_") or len(prefix) > 16:
        return None
    return prefix


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(key: str, hashed_key: str) -> bool:
    return hmac.compare_digest(api_key_hash(key), hashed_key)
