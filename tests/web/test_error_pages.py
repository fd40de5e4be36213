"""403, 404, 500 and CSRF failure pages: plain words, the way back to the dashboard, and the
navigation with Sign out for someone signed in (Sign in for anyone else)."""

from __future__ import annotations

import pytest
from django.test import Client

NAVIGATION = '<nav aria-label="Main">'
SIGN_OUT = 'action="/accounts/logout/"'
SIGN_IN = 'href="/accounts/login/"'
BACK = '<a href="/">Back to the dashboard</a>'


def test_an_unknown_address_shows_not_found_with_the_navigation_and_sign_out(manager_client):
    response = manager_client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert NAVIGATION in page and SIGN_OUT in page and BACK in page


def test_not_found_offers_sign_in_to_someone_signed_out(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert SIGN_IN in page and BACK in page
    assert NAVIGATION not in page and SIGN_OUT not in page


def test_a_viewer_on_a_managers_page_gets_forbidden_with_the_navigation(viewer_client):
    response = viewer_client.get("/contracts/new/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page
    assert NAVIGATION in page and SIGN_OUT in page and BACK in page


@pytest.mark.urls("tests.web.error_urls")
def test_a_failing_page_shows_the_server_error_page_without_a_request_context(manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)

    response = client.get("/broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    # Django renders 500.html with no context at all: the page still links back and to
    # Sign in, and needs no database.
    assert BACK in page and SIGN_IN in page


def test_a_form_posted_without_its_csrf_token_shows_the_expired_form_page(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page and "Nothing was changed" in page
    assert BACK in page
