from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from dispatch.services.heartbeat import heartbeat_list


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and people: does the database answer; when did beat and a worker run."""
    try:
        connection.ensure_connection()
        heartbeats = heartbeat_list()
    except DatabaseError as exc:
        return JsonResponse({"status": "down", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "heartbeats": heartbeats})
