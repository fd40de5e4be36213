"""The audit trail of deliberate acts on billing."""

from __future__ import annotations

from billing_site.actors import Actor, recorded_actor
from contracts.models import BillingContract
from invoicing.models import AuditEvent, GenerationRun, Invoice


def audit_record(
    *,
    user: Actor,
    door: str,
    action: str,
    contract: BillingContract | None = None,
    invoice: Invoice | None = None,
    run: GenerationRun | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one audit event; `user` may be anonymous (a job) or None."""
    return AuditEvent.objects.create(
        actor=recorded_actor(user),
        door=door,
        action=action,
        contract=contract,
        invoice=invoice,
        run=run,
        detail=detail,
    )
