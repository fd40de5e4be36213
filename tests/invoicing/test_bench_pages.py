"""bench_pages times every page it names on a small book, the forecast too."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_pages_times_every_page_on_a_small_book(capsys):
    call_command("bench_pages", contracts=12, repeat=1)

    out = capsys.readouterr().out
    assert "forecast, nothing cached:" in out
    # The forecast three ways: warm, after an edit (one chunk drafted again), cold.
    assert "forecast after editing contract" in out
    summary = next(line for line in out.splitlines() if line.startswith("forecast, as a manager"))
    assert "after one contract edited: median" in summary and "nothing cached:" in summary
    for page in ("invoices", "invoices filtered", "customer's invoices", "customer", "forecast"):
        assert f"\n{page}: median" in out
    last = out.splitlines()[-1]
    assert "bench_pages: list" in last and "forecast after an edit" in last
    assert "forecast cold" in last
