from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dispatch.ops.readiness import readiness_check


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers. It touches nothing else, so a database outage does not
    make an orchestrator restart every web process."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database migrated, broker, a live worker and beat, the active model loadable.
    Anyone sees which checks fail; staff also see why."""
    results = readiness_check()
    failing = [name for name, result in results.items() if not result.ok]
    body: dict[str, object] = {"status": "not_ready" if failing else "ready",
                               "failing": failing}
    user = getattr(request, "user", None)  # absent when ProbeMiddleware answered directly
    if user is not None and user.is_authenticated and user.is_staff:
        body["details"] = {name: {"ok": r.ok, "detail": r.detail} for name, r in results.items()}
    return JsonResponse(body, status=503 if failing else 200)
