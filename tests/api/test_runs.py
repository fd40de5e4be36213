"""Runs through the API: opened for exactly the contracts named, as the bulk window's
Proceed (same services, same refusals), read with their progress and jobs, retried, resumed."""

from __future__ import annotations

import pytest

from invoicing.models import AuditEvent, GenerationJob, GenerationRun
from tests.factories import BillingContractFactory, GenerationJobFactory, GenerationRunFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/runs/"


def test_a_regular_run_is_opened_for_exactly_the_contracts_named(manager_api, contract, manager):
    other = BillingContractFactory()
    BillingContractFactory()  # not named: no job

    response = manager_api.post(
        URL,
        {"kind": "regular", "contract_ids": [contract.pk, other.pk], "cycle_date": "2026-03-15"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    run = GenerationRun.objects.get(pk=body["id"])
    assert set(run.jobs.values_list("contract_id", flat=True)) == {contract.pk, other.pk}
    assert body["total"] == 2 and body["parameters"]["cycle_date"] == "2026-03-15"
    assert AuditEvent.objects.get(run=run).actor == manager


def test_a_change_log_run_takes_its_period_and_the_tasks_chosen(manager_api, contract):
    response = manager_api.post(
        URL,
        {
            "kind": "change_log",
            "contract_ids": [contract.pk],
            "period_start": "2026-03-01",
            "period_end": "2026-03-15",
            "auto_send": True,
        },
    )

    assert response.status_code == 201, response.json()
    parameters = GenerationRun.objects.get().parameters
    assert parameters["period_start"] == "2026-03-01"
    assert parameters["post_tasks"] == {"auto_send": True, "auto_charge": False, "auto_sync": False}


@pytest.mark.parametrize(
    ("body", "expected", "message"),
    [
        ({"kind": "regular", "contract_ids": []}, 422, "Select at least one contract."),
        ({"kind": "regular", "contract_ids": [999999]}, 422, "do not exist"),
        ({"kind": "regular", "contract_ids": ["x"]}, 400, ""),
        ({"kind": "regular", "contract_ids": [1, 1]}, 400, "Give each contract once"),
        ({"kind": "weekly", "contract_ids": [1]}, 400, ""),
        ({"kind": "regular", "contract_ids": [1], "period_start": "2026-03-01"}, 400, ""),
        ({"kind": "change_log", "contract_ids": [1]}, 400, "needs its period"),
        ({"kind": "regular", "contract_ids": [1], "cycle_date": "1800-01-01"}, 400, ""),
        ({"kind": "regular", "contract_ids": [1], "colour": "blue"}, 400, ""),
        ({"kind": "regular", "contract_ids": list(range(1, 502))}, 400, "At most 500"),
    ],
)
def test_a_bad_run_request_is_refused_and_opens_nothing(
    manager_api, today, body, expected, message
):
    response = manager_api.post(URL, body)

    assert response.status_code == expected, response.json()
    assert message in response.json()["detail"]
    assert not GenerationRun.objects.exists()


def test_a_run_with_no_contract_billable_at_the_date_is_refused_as_the_page_does(
    manager_api, contract
):
    response = manager_api.post(
        URL, {"kind": "regular", "contract_ids": [contract.pk], "cycle_date": "2025-06-01"}
    )

    assert response.status_code == 422
    assert "None of the selected contracts is active" in response.json()["detail"]
    assert not GenerationRun.objects.exists()


@pytest.mark.parametrize(
    ("client", "expected"),
    [("viewer_api", 403), ("outsider_api", 403), ("anonymous_api", 401)],
)
def test_only_who_may_generate_opens_retries_and_resumes(request, contract, client, expected):
    run = GenerationRunFactory()
    api = request.getfixturevalue(client)

    assert api.post(URL, {"kind": "regular", "contract_ids": [contract.pk]}).status_code == expected
    assert api.post(f"{URL}{run.pk}/retry-failed/").status_code == expected
    assert api.post(f"{URL}{run.pk}/resume/").status_code == expected
    assert GenerationRun.objects.count() == 1


def test_runs_and_their_jobs_read_with_progress_counts(viewer_api, contract):
    run = GenerationRunFactory(status="running")
    GenerationJobFactory(run=run, contract=contract, status="succeeded")
    GenerationJobFactory(run=run, status="failed", message="Line “x” has no unit price.")

    listed = viewer_api.get(URL).json()["results"]
    detail = viewer_api.get(f"{URL}{run.pk}/").json()
    failed = viewer_api.get(f"{URL}{run.pk}/jobs/", {"status": "failed"}).json()["results"]

    assert [row["id"] for row in listed] == [run.pk]
    assert detail["counts"]["succeeded"] == 1 and detail["done"] == 2 and detail["total"] == 2
    assert [job["message"] for job in failed] == ["Line “x” has no unit price."]


@pytest.mark.parametrize("query", [{"status": "lost"}, {"colour": "x"}])
def test_a_bad_jobs_query_is_a_400(manager_api, query):
    run = GenerationRunFactory()

    assert manager_api.get(f"{URL}{run.pk}/jobs/", query).status_code == 400


def test_retry_failed_queues_the_failed_jobs_again(manager_api, contract, manager):
    run = GenerationRunFactory(status="finished")
    GenerationJobFactory(run=run, contract=contract, status="failed", message="boom")

    response = manager_api.post(f"{URL}{run.pk}/retry-failed/")

    assert response.status_code == 200
    assert response.json()["queued"] == 1
    assert GenerationJob.objects.get().status == "queued"
    assert AuditEvent.objects.get(run=run, action="run_retried").actor == manager


def test_resume_of_a_run_that_is_not_stalled_is_refused_with_the_pages_message(manager_api):
    run = GenerationRunFactory(status="finished")

    response = manager_api.post(f"{URL}{run.pk}/resume/")

    assert response.status_code == 422
    assert "not stalled" in response.json()["detail"]


def test_an_unknown_run_is_a_404(manager_api):
    assert manager_api.get(f"{URL}424242/").status_code == 404
    assert manager_api.post(f"{URL}424242/retry-failed/").status_code == 404
