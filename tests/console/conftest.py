from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

# The browser tests' chromium and district (tests/console/browser.py).
from tests.console.browser import browser, district  # noqa: F401


@pytest.fixture
def login():
    """A browser-like client logged in as the staff member (CSRF checks on, as in a browser)."""
    def client(staff, *, csrf: bool = False) -> Client:
        c = Client(enforce_csrf_checks=csrf)
        c.force_login(staff.user)
        return c
    return client


@pytest.fixture
def may_see_pii():
    def grant(staff) -> None:
        staff.user.user_permissions.add(Permission.objects.get(codename="view_citizen_pii"))
    return grant
