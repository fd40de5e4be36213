"""The billing rules' messages (pure modules, no Django): plain English strings to compare,
search and store, shown in the active language when turned into text or formatted; the days
and cycles they name likewise."""

from __future__ import annotations

import datetime
import pickle

import pytest
from django.utils import translation

from contracts import errors as contract_errors
from invoicing import errors
from invoicing.drafting import cycle_label, day_label


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
        assert errors.CYCLE_CANCELLED.format(cycle=cycle_label(*MARCH_CYCLE)) == (
            "Cycle 1 Mar 2026 – 31 Mar 2026 was cancelled: it cannot be invoiced."
        )


MARCH_CYCLE = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_day_and_cycle_labels_are_english_text_to_store_and_build_with():
    cycle = cycle_label(*MARCH_CYCLE)

    with translation.override("fr"):
        stored = f"invoiced {cycle}, dated {day_label(datetime.date(2026, 9, 1))}"

    assert cycle == "1 Mar 2026 – 31 Mar 2026"
    assert stored == "invoiced 1 Mar 2026 – 31 Mar 2026, dated 1 Sep 2026"
    assert pickle.loads(pickle.dumps(cycle)) == cycle


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", "Cycle 1 Mar 2026 – 31 Mar 2026 was cancelled: it cannot be invoiced."),
        ("fr", "Le cycle 1 mars 2026 – 31 mars 2026 a été annulé : il ne peut pas être facturé."),
        (
            "de",
            "Zeitraum 1. März 2026 – 31. März 2026 wurde storniert: Er kann nicht abgerechnet werden.",
        ),
    ],
)
def test_a_message_formatted_with_a_cycle_writes_its_days_in_the_active_language(
    language, expected
):
    with translation.override(language):
        assert errors.CYCLE_CANCELLED.format(cycle=cycle_label(*MARCH_CYCLE)) == expected
