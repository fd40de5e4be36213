"""Schemathesis against the schema the app serves: every operation, on a real server on
loopback, answers without a 500, with a documented status, content type and body.

The operations are read from /api/schema/ at run time, so resources added later are
covered without touching this file. Examples are bounded (and not shrunk) to keep the run
to about a minute.
"""

from __future__ import annotations

import re

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_key_create
from schedules.models import BillingSchedule
from tests.factories import CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PATH_PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture
def api_server(live_server, transactional_db, settings):
    """The app on loopback; the rate limit out of the way of a few hundred requests."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/minute"},
    }
    return live_server.url


@pytest.fixture
def seeded(api_server) -> dict[str, int]:
    """A customer, a contract with an issued invoice and its schedules: ids that exist, for
    the operations that read or change one object (by the first segment of their path)."""
    invoice = contract_invoiced(customer=CustomerFactory(name="Schema Test SAS"))
    schedule = BillingSchedule.objects.filter(contract=invoice.contract).first()
    assert schedule is not None
    return {
        "customers": invoice.contract.customer_id,
        "contracts": invoice.contract_id,
        "invoices": invoice.pk,
        "credit-notes": invoice.pk,
        "schedules": schedule.pk,
    }


def load_schema(base_url: str, key: str):
    served = requests.get(f"{base_url}/api/schema/", headers=_auth(key), params={"format": "json"})
    served.raise_for_status()
    schema = schemathesis.openapi.from_dict(served.json())
    return [result.ok() for result in schema.get_all_operations()]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _known_ids(operation, seeded: dict[str, int]) -> dict[str, str]:
    """The path's parameters set to an object of the resource that exists, when known."""
    resource = operation.path.removeprefix("/api/v1/").split("/")[0]
    names = PATH_PARAMETER.findall(operation.path)
    if resource not in seeded or not names:
        return {}
    return {names[0]: str(seeded[resource])}


def _exercise(operation, *, mode, base_url, key, path_parameters=None, examples) -> list[str]:
    """Run bounded examples of one operation; the failures, described."""
    failures: list[str] = []
    session = requests.Session()
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        # The same examples on every run: CI's verdict must not depend on the draw.
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        try:
            case.call_and_validate(
                base_url=base_url, session=session, headers=_auth(key), checks=CHECKS
            )
        except (Exception, BaseExceptionGroup) as error:  # every failure, reported below
            failures.append(f"{operation.label} [{mode.value}]: {_described(error)}")

    run()
    return failures


def test_every_operation_answers_within_its_schema_and_never_a_500(api_server, seeded, manager):
    _, key = api_key_create(user=manager, name="schemathesis")
    operations = load_schema(api_server, key)
    assert len(operations) >= 10

    failures = []
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            known = _known_ids(operation, seeded)
            for fixed in [{}, known] if known else [{}]:
                failures += _exercise(
                    operation,
                    mode=mode,
                    base_url=api_server,
                    key=key,
                    path_parameters=fixed or None,
                    examples=examples,
                )

    assert sorted(set(failures)) == []


def test_a_viewers_key_is_refused_every_write_with_a_403(api_server, seeded, viewer, manager):
    _, key = api_key_create(user=viewer, name="schemathesis viewer")
    writes = [op for op in load_schema(api_server, key) if op.method.upper() in WRITES]
    assert writes, "the schema offers writes"
    before = _rows()

    answers: dict[str, set[int]] = {}
    for operation in writes:
        ids = {name: "1" for name in PATH_PARAMETER.findall(operation.path)}
        ids |= _known_ids(operation, seeded)

        answers[operation.label] = _statuses(operation, ids, base_url=api_server, key=key)

    assert {label: codes for label, codes in answers.items() if codes != {403}} == {}
    assert _rows() == before


def _statuses(operation, path_parameters, *, base_url: str, key: str) -> set[int]:
    """The statuses a few generated requests of the operation got."""
    codes: set[int] = set()
    session = requests.Session()

    @settings(max_examples=5, deadline=None, database=None, phases=[Phase.generate])
    @given(case=operation.as_strategy(path_parameters=path_parameters or None))
    def run(case):
        codes.add(case.call(base_url=base_url, session=session, headers=_auth(key)).status_code)

    run()
    return codes


def _rows() -> tuple:
    """The rows a write could add or change, to show a refused one changed nothing."""
    from contracts.models import BillingContract, Customer
    from invoicing.models import Invoice

    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name")),
        list(BillingContract.objects.order_by("pk").values_list("pk", "status")),
        list(Invoice.objects.order_by("pk").values_list("pk", "status")),
    )


def _described(error: BaseException) -> str:
    """What failed and how to reproduce it: schemathesis' own report, without the noise."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " | ".join(lines[:40])
