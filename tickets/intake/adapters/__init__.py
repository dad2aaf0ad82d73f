"""One module per channel family; importing this package registers them all."""

from tickets.intake.adapters import (  # noqa: F401
    city_platform,
    hotline,
    machine_event,
    petition,
    public_opinion,
    web_form,
)
