"""The site's 400, 403, 404 and 500 pages (dispatch.urls' handler400 … handler500) and the login
lockout page: Chinese, in the console's look, with the reason the code gave for a refusal and
a way back. The API's own views answer in JSON through DRF; a path under /api/ that matches no
view gets JSON here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from org.login_guard import lockout_message


def _way_back(request: HttpRequest) -> dict[str, str]:
    if request.path.startswith("/admin/"):
        return {"back_url": reverse("admin:index"), "back_label": _("返回管理首页")}
    if request.user.is_authenticated:
        return {"back_url": reverse("console:home"), "back_label": _("返回工作台")}
    return {"back_url": reverse("console:login"), "back_label": _("登录工作台")}


def _page(request: HttpRequest, *, status: int, heading: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = "forbidden" if status == 403 else "not_found"
        return JsonResponse({"code": code, "detail": message}, status=status)
    return render(request, "console/error.html", {
        "title": heading, "heading": heading, "message": message, **_way_back(request)},
        status=status)


def _plain(*, status: int, heading: str, message: str) -> HttpResponse:
    """A page rendered without the request, for when the request itself (its host name, its
    session) or the database behind it is what failed."""
    body = loader.render_to_string("console/error_plain.html",
                                   {"title": heading, "message": message})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 for a request Django refuses before any view (a host name not served here, a
    malformed cookie or upload): never its text, which may echo what was sent."""
    message = _("请求无法处理（地址、表单或上传的内容不符合要求）。请返回后重试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=400)
    return _plain(status=400, heading=_("请求无效"), message=message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the reason the refusing code gave (PermissionDenied("…")), else a plain one."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return _page(request, status=403, heading=_("无权访问"),
                 message=reason or _("您没有权限访问此页面。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: never the exception's text, which may name what the person may not see."""
    return _page(request, status=404, heading=_("页面不存在"),
                 message=_("找不到该页面，或您无权查看。请检查地址或工单号。"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted from a stale page (or from elsewhere)."""
    return _page(request, status=403, heading=_("无法提交"),
                 message=_("页面已过期或来源无法确认（CSRF 校验失败），请刷新页面后重试。"))


def login_locked(request: HttpRequest, original_response: HttpResponse | None = None,
                 credentials: object = None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE) for the console's and the admin's
    login forms: 429 with the reason and what to do (the token endpoint answers for itself)."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "login_locked", "detail": message}, status=429)
    return render(request, "console/error.html", {
        "title": _("账号已锁定"), "heading": _("账号已锁定"), "message": message,
        "back_url": reverse("console:login"), "back_label": _("返回登录页")}, status=429)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a page of its own that needs neither the database nor the session (either may be
    what failed), so that it can always be shown."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error",
                             "detail": _("服务器内部错误，请稍后重试。")}, status=500)
    return _plain(status=500, heading=_("服务器内部错误"), message=_(
        "服务器出现错误，已记录在日志中。您的操作可能没有完成：请稍后刷新页面，确认工单状态后再试。"))
