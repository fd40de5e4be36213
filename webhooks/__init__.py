"""Signed outgoing webhooks: endpoints, an outbox of events, and one delivery per
(event, endpoint), retried with backoff and swept when a message was lost.

A generic outbox: it knows nothing of invoices. The invoicing side builds each payload
and hands it to `webhooks.services.webhook_event_publish`; nothing here imports invoicing.

- events: the event types an endpoint can subscribe to (pure);
- signing: Standard Webhooks secrets and headers (pure);  - errors: outcomes and messages;
- models: endpoints, events, deliveries;  - services: publish, deliver, queue, redeliver;
- tasks: the Celery doors;  - admin: endpoints, deliveries (Redeliver), events.
"""
