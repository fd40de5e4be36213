"""The webhooks admin speaks the admin's language: app and model names, field labels,
event labels, statuses, actions and the messages of an action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import user_language_set
from tests.factories import AdminFactory
from tests.webhooks.helpers import delivery, publish
from webhooks.tasks import deliver_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")

WORDS = {
    "en": {
        "add": ("Add webhook endpoint", "Generation run finished", "Events", "Active"),
        "deliveries": ("Webhook deliveries", "Failed", "Redeliver the selected deliveries"),
        "redelivered": "1 delivery(ies) queued again.",
    },
    "fr": {
        "add": (
            "Ajout de point de terminaison webhook",
            "Exécution de génération terminée",
            "Événements",
            "Actif",
        ),
        "deliveries": ("Livraisons webhook", "Échouée", "Relivrer les livraisons sélectionnées"),
        "redelivered": "1 livraison(s) remise(s) en file.",
    },
    "de": {
        "add": (
            "Webhook-Endpunkt hinzufügen",
            "Erstellungslauf abgeschlossen",
            "Ereignisse",
            "Aktiv",
        ),
        "deliveries": (
            "Webhook-Zustellungen",
            "Fehlgeschlagen",
            "Ausgewählte Zustellungen erneut zustellen",
        ),
        "redelivered": "1 Zustellung(en) erneut eingereiht.",
    },
}


@pytest.mark.parametrize("language", list(WORDS))
def test_the_webhooks_admin_speaks_the_admins_language(client, receiver, endpoint, language):
    user = AdminFactory()
    if language != "en":
        user_language_set(user=user, language=language)
    client.force_login(user)
    receiver.answers = [400]
    failed = delivery(publish("run-1"))
    deliver_webhook.apply(args=(failed.pk,))
    words = WORDS[language]

    add_page = client.get(reverse("admin:webhooks_webhookendpoint_add")).content.decode()
    listing = client.get(DELIVERIES).content.decode()
    data = {"action": "redeliver_action", "_selected_action": [failed.pk]}
    redelivered = client.post(DELIVERIES, data, follow=True).content.decode()

    assert all(word in add_page for word in words["add"]), words["add"]
    assert all(word in listing for word in words["deliveries"]), words["deliveries"]
    assert words["redelivered"] in redelivered
