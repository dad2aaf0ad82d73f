"""One module per channel family; importing this package registers them all."""

from tickets.intake.adapters import (  # noqa: F401  importing a family module registers it
    city_platform,
    hotline,
    machine_event,
    petition,
    public_opinion,
    web_form,
)
from tickets.intake.adapters.base import ADAPTERS, IntakeAdapter


def adapter_for(family: str) -> IntakeAdapter:
    """The adapter of a channel family (every family registered above)."""
    return ADAPTERS[family]
