"""The audit trail of deliberate acts on billing."""

from __future__ import annotations

from invoicing.models import AuditEvent


def audit_record(
    *, user, door: str, action: str, contract=None, invoice=None, run=None, detail: str = ""
) -> AuditEvent:
    """Append one audit event; `user` may be anonymous (a job) or None."""
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        door=door,
        action=action,
        contract=contract,
        invoice=invoice,
        run=run,
        detail=detail,
    )
