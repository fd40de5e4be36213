"""What webhooks tell the publishers: a delivery settled (delivered, or failed for good).

The outbox knows nothing of what an event is about; a publisher that owns the work behind
one (Auto-Sync owns its invoice's events) connects a receiver, so its state follows the
deliveries whoever makes them: its own task, a queued message, the sweep, a Redeliver.
Sent inside the attempt's transaction, after the delivery row is saved: the delivery's
outcome and the publisher's state commit together (see delivering._announce).
"""

from __future__ import annotations

from django.dispatch import Signal

# send(sender=WebhookDelivery, delivery=<the settled WebhookDelivery, its event loaded>)
delivery_settled = Signal()
