"""Standard Webhooks signing: secrets, message ids and the three headers (pure).

https://www.standardwebhooks.com: the signature covers "<id>.<timestamp>.<body>", so a
receiver that keeps the ids it has seen and refuses old timestamps cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# Ids derived from what an event is about (invoice number + type) live in this namespace:
# the same event gets the same id on every retry, in every process.
EVENT_NAMESPACE = uuid.UUID("5b0f6a4e-2f57-4c4f-9d3c-8d1f4f7f3a61")
IDEMPOTENCY_HEADER = "Idempotency-Key"


def secret_generate() -> str:
    """A fresh `whsec_` secret of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_is_valid(secret: str) -> bool:
    """`whsec_` then non-empty base64 (a seeded secret may be shorter than a generated one)."""
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(key)


def secret_from_shared(shared: str) -> str:
    """A `whsec_` secret as is; a plain shared secret (the old HMAC one) as the `whsec_`
    secret of the same key bytes, so a receiver keeps its key and only changes the scheme."""
    if shared.startswith(SECRET_PREFIX):
        return shared
    return SECRET_PREFIX + base64.b64encode(shared.encode()).decode()


def event_id(key: str) -> str:
    """The stable `msg_` id of the event `key` names (e.g. "INV-000123:invoice.issued")."""
    return "msg_" + uuid.uuid5(EVENT_NAMESPACE, key).hex


def event_id_random() -> str:
    return "msg_" + uuid.uuid4().hex


def signed_headers(*, secret: str, msg_id: str, timestamp: datetime, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the id is the event's, the timestamp the attempt's."""
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, timestamp, body),
        IDEMPOTENCY_HEADER: msg_id,
    }
