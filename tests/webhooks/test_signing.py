"""Standard Webhooks signing, checked with the standardwebhooks package's own verifier."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from standardwebhooks import Webhook, WebhookVerificationError

from webhooks.signing import (
    event_id,
    secret_from_shared,
    secret_generate,
    secret_is_valid,
    signed_headers,
)

NOW = datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC)
BODY = b'{"event":"invoice.issued","id":"INV-1:invoice.issued"}'


def test_signed_headers_are_verified_by_the_standard_verifier():
    secret = secret_generate()
    with time_machine.travel(NOW, tick=False):
        headers = signed_headers(secret=secret, msg_id="msg_1", timestamp=NOW, body=BODY)
        assert Webhook(secret).verify(BODY, headers)["id"] == "INV-1:invoice.issued"
    assert headers["Idempotency-Key"] == headers["webhook-id"] == "msg_1"


def test_a_replay_with_an_old_timestamp_is_refused_by_the_verifier():
    secret = secret_generate()
    headers = signed_headers(secret=secret, msg_id="msg_1", timestamp=NOW, body=BODY)

    with (
        time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False),
        pytest.raises(WebhookVerificationError, match="too old"),
    ):
        Webhook(secret).verify(BODY, headers)


def test_a_body_changed_in_transit_or_another_secret_is_refused():
    secret = secret_generate()
    headers = signed_headers(secret=secret, msg_id="msg_1", timestamp=NOW, body=BODY)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(BODY.replace(b"INV-1", b"INV-2"), headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(secret_generate()).verify(BODY, headers)


def test_an_event_id_is_the_same_for_the_same_key_and_differs_otherwise():
    assert event_id("INV-1:invoice.issued") == event_id("INV-1:invoice.issued")
    assert event_id("INV-1:invoice.issued") != event_id("INV-1:invoice.voided")
    assert event_id("INV-1:invoice.issued").startswith("msg_")


def test_a_plain_shared_secret_becomes_the_whsec_secret_of_the_same_key():
    converted = secret_from_shared("accounting-shared-secret")
    assert converted == "whsec_YWNjb3VudGluZy1zaGFyZWQtc2VjcmV0"
    assert secret_from_shared(converted) == converted
    assert secret_is_valid(converted) and secret_is_valid(secret_generate())
    assert not secret_is_valid("accounting-shared-secret") and not secret_is_valid("whsec_")
