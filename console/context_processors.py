from __future__ import annotations

from django.http import HttpRequest

from tickets.services.privacy import PersonalDataView, personal_data_view


def personal_data(request: HttpRequest) -> dict[str, PersonalDataView]:
    """``pii``: what the signed-in person sees of citizens' personal data, for the
    ``personal`` filter on every page (the ticket page narrows it to its ticket)."""
    return {"pii": personal_data_view(user=getattr(request, "user", None))}
