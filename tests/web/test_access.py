"""Who may see and do what: sign-in, the two billing groups' pages, CSRF, HTTP methods."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from tests.factories import PASSWORD
from tests.invoicing.helpers import billing_state
from tests.web.helpers import form_as_shown, generate_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(contract):
    """Every page of the web UI, with an invoice to show."""
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=0)
    invoice = invoice_generate(schedule=schedule)
    return {
        "dashboard": reverse("invoicing:dashboard"),
        "contract list": reverse("contracts:list"),
        "contract": reverse("contracts:detail", args=[contract.pk]),
        "invoice": reverse("invoicing:invoice_detail", args=[invoice.pk]),
        "schedules": reverse("schedules:list"),
        "generate": generate_url(contract),
    }


READ_PAGES = ["dashboard", "contract list", "contract", "invoice", "schedules"]


@pytest.mark.parametrize("page", [*READ_PAGES, "generate"])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, pages, page):
    response = client.get(pages[page])

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={pages[page]}"


def test_an_anonymous_generate_post_is_sent_to_sign_in_and_writes_nothing(
    client, manager_client, contract
):
    data = form_as_shown(manager_client, contract, cycle=2)
    before = billing_state()

    response = client.post(generate_url(contract), data)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert billing_state() == before


@pytest.mark.parametrize("page", [*READ_PAGES, "generate"])
def test_a_manager_opens_every_page(manager_client, pages, page):
    assert manager_client.get(pages[page]).status_code == 200


@pytest.mark.parametrize("page", READ_PAGES)
def test_a_viewer_reads_every_page(viewer_client, pages, page):
    assert viewer_client.get(pages[page]).status_code == 200


def test_a_viewer_may_not_open_generate_invoice_nor_see_its_button(viewer_client, pages, contract):
    assert viewer_client.get(pages["generate"]).status_code == 403
    assert pages["generate"] not in viewer_client.get(pages["contract"]).content.decode()


def test_a_viewer_generate_post_is_403_and_writes_nothing(viewer_client, manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=2)
    before = billing_state()

    response = viewer_client.post(generate_url(contract), data)

    assert response.status_code == 403
    assert billing_state() == before


@pytest.mark.parametrize("page", [*READ_PAGES, "generate"])
def test_a_signed_in_user_in_no_billing_group_gets_403(outsider_client, pages, page):
    assert outsider_client.get(pages[page]).status_code == 403


def test_generate_refuses_a_post_without_its_csrf_token(manager, manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=2)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    before = billing_state()

    response = strict.post(generate_url(contract), data)

    assert response.status_code == 403
    assert billing_state() == before


def test_generate_accepts_a_post_with_the_csrf_token_of_its_page(manager, contract):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    data = form_as_shown(strict, contract, cycle=2)
    data["csrfmiddlewaretoken"] = strict.cookies["csrftoken"].value

    response = strict.post(generate_url(contract), data)

    assert response.status_code == 302
    assert Invoice.objects.filter(contract=contract).count() == 1


@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages_refuse_a_post(manager_client, pages, page):
    assert manager_client.post(pages[page]).status_code == 405


def test_generate_answers_only_get_and_post(manager_client, pages):
    assert manager_client.put(pages["generate"]).status_code == 405
    assert manager_client.delete(pages["generate"]).status_code == 405


def test_signing_in_lands_on_the_dashboard_and_signing_out_needs_a_post(manager):
    client = Client()

    response = client.post(reverse("login"), {"username": manager.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("invoicing:dashboard")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("invoicing:dashboard")).status_code == 302


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(manager, client):
    response = client.post(reverse("login"), {"username": manager.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
