"""bench_api times the API's list endpoints on a small book, a later page's queries too."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_api_times_the_invoice_list_pages_with_as_many_queries_on_page_5(capsys):
    call_command("bench_api", contracts=30, invoices=300, repeat=1)

    out = capsys.readouterr().out
    queries = {
        name: int(count)
        for name, count in re.findall(r"^(invoices [\w ]+): median [\d.]+ ms, (\d+) SQL", out, re.M)
    }
    assert set(queries) == {"invoices first page", "invoices filtered", "invoices page 5"}
    assert queries["invoices page 5"] == queries["invoices first page"]
    assert out.splitlines()[-1].startswith("bench_api: invoices first page")
