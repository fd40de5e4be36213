"""`Idempotency-Key`: a POST sent twice with one key does its work once.

The first request with a key writes its record (api.models.IdempotencyRecord) before any
work, in a transaction of its own, so the unique (user, key) constraint decides who does the
work: a second request with the key finds the record and gets
- the first answer again (same status and body, `Idempotent-Replayed: true`) once it is given,
- a 409 problem while the first is still working,
- a 422 problem if its method, path or body differ from the first's: nothing is done.
The work and the answer's record commit together, so an answer on record is work done. Only
successes are kept: a refusal wrote nothing, so its record is dropped and the same key may
try again (with the same body, or another). Keys last 24 hours (KEY_LIFETIME); expired
records are deleted as new keys come in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response

from api import errors
from api.models import IdempotencyRecord

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = timedelta(hours=24)
# A record still unanswered after this long belongs to a request that died (its work was
# rolled back with it): a retry with the key may take it over.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class KeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT


def idempotent(request, work: Callable[[], Response]) -> Response:
    """`work()`'s response, done at most once per Idempotency-Key (none given: done now)."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return work()
    if not (1 <= len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise exceptions.ValidationError({KEY_HEADER: [errors.IDEMPOTENCY_KEY_INVALID]})
    asked = {"method": request.method, "path": request.path, "body_hash": body_hash(request)}
    record = _claim(request.user, key, asked)
    if record is None:
        return _answer_on_record(request.user, key, asked)
    try:
        with transaction.atomic():
            response = work()
            if status.is_success(response.status_code):
                _answer_record(record, response)
                return response
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    IdempotencyRecord.objects.filter(pk=record.pk).delete()
    return response


def body_hash(request) -> str:
    """The request's body as parsed JSON, keys sorted, hashed: spacing and key order aside."""
    canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(user, key: str, asked: dict[str, str]) -> IdempotencyRecord | None:
    """The new record of this key, committed; None if the key has a live record already."""
    now = timezone.now()
    IdempotencyRecord.objects.filter(created_at__lt=now - KEY_LIFETIME).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, **asked)
    except IntegrityError:
        pass
    # Taken over only if abandoned and asked the same: the row's update is the referee.
    abandoned = IdempotencyRecord.objects.filter(
        user=user, key=key, completed_at__isnull=True, created_at__lt=now - ABANDONED_AFTER, **asked
    )
    if abandoned.update(created_at=now):
        return IdempotencyRecord.objects.get(user=user, key=key)
    return None


def _answer_on_record(user, key: str, asked: dict[str, str]) -> Response:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:  # expired or dropped between our insert and this read: rare
        raise KeyInProgress(errors.IDEMPOTENCY_IN_PROGRESS)
    if (record.method, record.path, record.body_hash) != tuple(asked.values()):
        raise KeyReused(
            errors.IDEMPOTENCY_KEY_REUSED.format(method=record.method, path=record.path)
        )
    if not record.answered:
        raise KeyInProgress(errors.IDEMPOTENCY_IN_PROGRESS)
    assert record.status_code is not None
    return Response(
        record.response_body, status=record.status_code, headers={REPLAYED_HEADER: "true"}
    )


def _answer_record(record: IdempotencyRecord, response: Response) -> None:
    # Through JSON now, as the record will give it back: dates and decimals as strings.
    body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code, response_body=body, completed_at=timezone.now()
    )
