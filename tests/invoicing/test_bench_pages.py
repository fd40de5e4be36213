"""bench_pages times every page it names on a small book, the forecast too."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_pages_times_every_page_on_a_small_book(capsys):
    call_command("bench_pages", contracts=12, repeat=1)

    out = capsys.readouterr().out
    assert "forecast, first build after install (once):" in out
    # The forecast four ways: as met, after an edit, after a night's changes, first build.
    assert "forecast after editing contract" in out
    assert "contracts changed:" in out
    summary = next(line for line in out.splitlines() if line.startswith("forecast, as a manager"))
    assert "after one contract edited: median" in summary and "first build after install" in summary
    for page in ("invoices", "invoices filtered", "customer's invoices", "customer", "forecast"):
        assert f"\n{page}: median" in out
    last = out.splitlines()[-1]
    assert "bench_pages: list" in last and "forecast after an edit" in last
    assert "forecast after a night's changes" in last and "forecast first build" in last
