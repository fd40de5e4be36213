"""bench_pages times every page it names on a small book, the forecast too."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_pages_times_every_page_on_a_small_book(capsys):
    call_command("bench_pages", contracts=12, repeat=1)

    out = capsys.readouterr().out
    assert "forecast, nothing cached:" in out
    for page in ("invoices", "invoices filtered", "customer's invoices", "customer", "forecast"):
        assert f"\n{page}: median" in out
    assert "bench_pages: list" in out and "forecast" in out.splitlines()[-1]
