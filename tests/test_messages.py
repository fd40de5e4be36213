"""The billing rules' messages (pure modules, no Django): plain English strings to compare,
search and store, shown in the active language when turned into text or formatted."""

from __future__ import annotations

from django.utils import translation

from contracts import errors as contract_errors
from invoicing import errors


def test_a_message_is_its_english_text_to_compare_search_and_store():
    assert errors.NO_FAILED_JOB_TO_RETRY == "No failed job to retry."
    assert "failed job" in errors.NO_FAILED_JOB_TO_RETRY
    assert isinstance(errors.NO_FAILED_JOB_TO_RETRY, str)


def test_a_message_is_shown_and_formatted_in_the_active_language():
    with translation.override("fr"):
        shown = str(errors.NO_FAILED_JOB_TO_RETRY)
        formatted = errors.CANNOT_VOID_PAID.format(number="INV-7")
        refused = str(errors.GenerationError(contract_errors.QUANTITY_NEGATIVE))
    with translation.override("de"):
        german = f"{errors.NO_FAILED_JOB_TO_RETRY}"

    assert shown == "Aucune tâche échouée à relancer."
    assert formatted == "La facture INV-7 est payée et ne peut pas être annulée."
    assert refused == "Une quantité ne peut pas être inférieure à zéro."
    assert german == "Kein fehlgeschlagener Auftrag zu wiederholen."


def test_without_an_active_language_a_message_reads_as_written():
    with translation.override(None):
        assert str(errors.NO_FAILED_JOB_TO_RETRY) == "No failed job to retry."
        assert errors.CANNOT_VOID_PAID.format(number="INV-7") == (
            "Invoice INV-7 is paid and cannot be voided."
        )
