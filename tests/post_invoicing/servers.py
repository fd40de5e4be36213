"""Real servers on loopback standing in for the outside world: a mail server, Stripe's
API and the accounting webhook. Each records what it received, so tests (and workers
in other processes) talk to them over real sockets."""

from __future__ import annotations

import email
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller
from standardwebhooks import Webhook, WebhookVerificationError

from tests.conftest import free_port

STRIPE_KEY = "sk_test_post_invoicing"
# The accounting endpoint's Standard Webhooks secret (base64 of 24 bytes after whsec_).
WEBHOOK_SECRET = "whsec_YWNjb3VudGluZy1zaGFyZWQtc2VjcmV0"


# Mail -----------------------------------------------------------------------------


class MailServer:
    """An SMTP server (aiosmtpd) keeping every message; `refuse` answers RCPT TO with it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: str | None = None  # e.g. "550 5.1.1 No such user"
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller._thread is not None:  # a test may have stopped it already
            self.controller.stop()


def attachments(message: Message) -> list[tuple[str, str, bytes]]:
    """(filename, content type, bytes) of each attachment."""
    return [
        (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        for part in message.walk()
        if part.get_filename()
    ]


# HTTP base ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler told to hang must not hold the test's teardown


class LoopbackHTTP:
    """An HTTP server in a thread; subclasses answer in `respond`."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner._handle(self, b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                owner._handle(self, self.rfile.read(length))

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.release = threading.Event()  # wakes handlers told to hang
        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler, body: bytes) -> None:
        with self.lock:
            status, payload = self.respond(handler.command, handler.path, handler.headers, body)
        if status is None:  # hang: answer nothing until the test ends
            self.release.wait(30)
            return
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def respond(self, method, path, headers, body) -> tuple[int | None, dict]:
        raise NotImplementedError


# Stripe ---------------------------------------------------------------------------


@dataclass
class StripeRequest:
    method: str
    path: str
    idempotency_key: str | None
    params: dict[str, str]


@dataclass
class FakeStripe(LoopbackHTTP):
    """Stripe's PaymentIntents API, as much as Auto-Charge uses.

    Like Stripe, it replays the first answer to a repeated Idempotency-Key. Modes:
    `decline` answers 402 card_declined; `fail_times` answers 500 that many times
    first; `status` is the status of created intents ("succeeded", "processing").
    """

    requests: list[StripeRequest] = field(default_factory=list)
    charges: list[dict] = field(default_factory=list)  # intents that moved money
    decline: bool = False
    fail_times: int = 0
    status: str = "succeeded"

    def __post_init__(self) -> None:
        LoopbackHTTP.__init__(self)
        self._answers: dict[str, tuple[int, dict]] = {}
        self._intents: dict[str, dict] = {}
        self._ids = itertools.count(1)

    def respond(self, method, path, headers, body):
        params = dict(parse_qsl(body.decode()))
        key = headers.get("Idempotency-Key")
        self.requests.append(StripeRequest(method, path, key, params))
        if headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
            return 401, _stripe_error("invalid_request_error", "Invalid API Key provided.")
        if self.fail_times:
            self.fail_times -= 1
            return 500, _stripe_error("api_error", "Something went wrong on Stripe's end.")
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self._intents[path.rsplit("/", 1)[1]]
            return 200, intent
        if method == "POST" and path == "/v1/payment_intents":
            if not key:
                return 400, _stripe_error("invalid_request_error", "Idempotency-Key missing.")
            if key not in self._answers:
                self._answers[key] = self._create(params)
            return self._answers[key]
        return 404, _stripe_error("invalid_request_error", f"Unrecognized request URL {path}.")

    def _create(self, params: dict[str, str]) -> tuple[int, dict]:
        intent = {
            "id": f"pi_test_{next(self._ids)}",
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "customer": params.get("customer"),
            "payment_method": params.get("payment_method"),
            "metadata": {"invoice_number": params.get("metadata[invoice_number]")},
            "status": "requires_payment_method" if self.decline else self.status,
        }
        self._intents[intent["id"]] = intent
        if self.decline:
            error = _stripe_error("card_error", "Your card has insufficient funds.")
            error["error"] |= {
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "payment_intent": intent,
            }
            return 402, error
        if intent["status"] == "succeeded":
            self.charges.append(intent)
        return 200, intent

    def settle(self, intent_id: str) -> None:
        """A processing intent succeeds (as a bank debit clears)."""
        with self.lock:
            self._intents[intent_id]["status"] = "succeeded"
            self.charges.append(self._intents[intent_id])


def _stripe_error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}


# Accounting webhook ---------------------------------------------------------------


@dataclass
class Delivery:
    headers: Message
    body: bytes
    signature_valid: bool
    refusal: str = ""  # why the verifier refused it

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Ledger(LoopbackHTTP):
    """A webhook receiver (the accounting endpoint by default): verifies every request with
    the standardwebhooks package's own verifier, books each webhook-id once.

    `answers` is a queue of statuses to give first (None: never answer), then 200.
    """

    secret: str = WEBHOOK_SECRET
    deliveries: list[Delivery] = field(default_factory=list)
    answers: list[int | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        LoopbackHTTP.__init__(self)
        self.booked: dict[str, dict] = {}  # webhook-id -> event, booked once

    def respond(self, method, path, headers, body):
        try:
            Webhook(self.secret).verify(body, dict(headers))
            refusal = ""
        except WebhookVerificationError as error:
            refusal = str(error)
        # The message itself: its lookups ignore case, as HTTP header names do.
        self.deliveries.append(Delivery(headers, body, not refusal, refusal))
        if self.answers:
            status = self.answers.pop(0)
            return status, {"error": "refused on purpose"} if status else {}
        if refusal:
            return 401, {"error": refusal}
        self.booked.setdefault(headers["webhook-id"], json.loads(body))
        return 200, {"booked": True}


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
