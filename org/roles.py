"""Who a user is in the org directory: their Staff row and its role, for every permission
check (the ticket rules in tickets.models.transition_rules, the console, the API, the roster)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from org.models import Staff

    # Whoever asks: a signed-in user, request.user of a visitor (an AnonymousUser, never active,
    # so never anybody's staff) or None for the system (the router, a Celery task).
    AnyUser = AbstractBaseUser | AnonymousUser | None


def staff_of(user: AnyUser) -> Staff | None:
    if user is None or not user.is_active:
        return None
    # A user without a Staff row raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(user, "staff", None)


def _role_of(user: AnyUser, role: str, *, district_wide: bool) -> bool:
    staff = staff_of(user)
    return bool(staff and staff.role == role and staff.unit.is_district_wide == district_wide)


def is_superuser(user: AnyUser) -> bool:
    return bool(user is not None and user.is_active and getattr(user, "is_superuser", False))


def is_district_dispatcher(user: AnyUser) -> bool:
    return _role_of(user, "dispatcher", district_wide=True)


def is_district_supervisor(user: AnyUser) -> bool:
    return _role_of(user, "supervisor", district_wide=True)
