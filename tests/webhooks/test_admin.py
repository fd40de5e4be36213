"""Webhooks in admin: endpoints made with a generated secret, bad input refused, a test
event sent; Redeliver is a POST that needs its permission, queues exactly the chosen
deliveries and is logged."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import AdminFactory, UserFactory
from tests.webhooks.helpers import delivery, publish
from webhooks import errors
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_is_valid
from webhooks.tasks import deliver_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
Status = WebhookDelivery.Status
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")
ENDPOINTS = reverse("admin:webhooks_webhookendpoint_changelist")


@pytest.fixture
def admin(client):
    user = AdminFactory()
    client.force_login(user)
    return user


def failed_deliveries(receiver, count: int) -> list[WebhookDelivery]:
    receiver.answers = [400] * count
    rows = []
    for n in range(count):
        row = delivery(publish(f"run-{n}"))
        deliver_webhook.apply(args=(row.pk,))
        row.refresh_from_db()
        assert row.status == Status.FAILED
        rows.append(row)
    return rows


def redeliver(client, rows):
    data = {"action": "redeliver_action", "_selected_action": [row.pk for row in rows]}
    return client.post(DELIVERIES, data, follow=True)


def test_an_endpoint_added_in_admin_gets_a_whsec_secret_shown_on_its_page(client, admin):
    data = {"url": "https://ledger.example/hooks", "events": ["invoice.paid", "run.finished"]}
    data |= {"description": "Ledger", "is_active": "on"}

    response = client.post(reverse("admin:webhooks_webhookendpoint_add"), data)

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert secret_is_valid(endpoint.secret) and endpoint.created_by == admin
    assert endpoint.events == ["invoice.paid", "run.finished"]
    page = client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()


@pytest.mark.parametrize(
    ("url", "events"),
    [("ftp://ledger.example/hooks", ["invoice.paid"]), ("https://ledger.example", ["nope"])],
)
def test_an_endpoint_with_a_bad_url_or_event_is_refused_and_nothing_saved(
    client, admin, url, events
):
    data = {"url": url, "events": events, "is_active": "on"}

    response = client.post(reverse("admin:webhooks_webhookendpoint_add"), data)

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_send_test_event_delivers_a_signed_test_event_to_that_endpoint(
    client, admin, receiver, endpoint, django_capture_on_commit_callbacks
):
    data = {"action": "send_test_action", "_selected_action": [endpoint.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ENDPOINTS, data, follow=True)

    (received,) = receiver.deliveries
    assert received.signature_valid and received.event["type"] == "webhook.test"
    assert LogEntry.objects.filter(object_id=str(endpoint.pk), user=admin).exists()


def test_redeliver_queues_exactly_the_selected_deliveries_and_logs_who(
    client, admin, receiver, endpoint, django_capture_on_commit_callbacks
):
    chosen, other = failed_deliveries(receiver, 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = redeliver(client, [chosen])

    assert "1 delivery(ies) queued again." in response.content.decode()
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, chosen.attempts, chosen.response_status) == (Status.DELIVERED, 1, 200)
    assert other.status == Status.FAILED
    assert len(receiver.deliveries) == 3  # two failures, one redelivery
    assert receiver.deliveries[-1].headers["webhook-id"] == chosen.event.event_id
    entry = LogEntry.objects.get(object_id=str(chosen.pk))
    assert entry.user == admin and "was failed" in entry.change_message


def test_redeliver_needs_its_permission_and_a_post(
    client, receiver, endpoint, django_capture_on_commit_callbacks
):
    (failed,) = failed_deliveries(receiver, 1)
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(user)

    client.get(DELIVERIES, {"action": "redeliver_action", "_selected_action": [failed.pk]})
    redeliver(client, [failed])

    failed.refresh_from_db()
    assert failed.status == Status.FAILED and len(receiver.deliveries) == 1
    user.user_permissions.add(Permission.objects.get(codename="redeliver_webhookdelivery"))
    with django_capture_on_commit_callbacks(execute=True):
        redeliver(client, [failed])
    failed.refresh_from_db()
    assert failed.status == Status.DELIVERED


def test_a_test_event_to_a_disabled_endpoint_is_refused_with_a_message(client, admin, endpoint):
    WebhookEndpoint.objects.update(is_active=False)
    data = {"action": "send_test_action", "_selected_action": [endpoint.pk]}

    response = client.post(ENDPOINTS, data, follow=True)

    assert errors.ENDPOINT_INACTIVE.format(endpoint=endpoint) in response.content.decode()
    assert not WebhookDelivery.objects.exists()
