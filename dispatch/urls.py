from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from dispatch.views import healthz, readyz

# Refusals, missing pages and errors in Chinese, in the console's look (the API answers in JSON).
handler400 = "console.views.errors.bad_request"
handler403 = "console.views.errors.permission_denied"
handler404 = "console.views.errors.page_not_found"
handler500 = "console.views.errors.server_error"

admin.site.site_header = "民意速办 · 工单分拨管理"
admin.site.site_title = "民意速办"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, an API response).
    path("favicon.ico", RedirectView.as_view(url=static("console/favicon.svg"), permanent=True),
         name="favicon"),
    path("console/", include("console.urls")),
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("metrics", include("dispatch.ops.metrics.urls")),
    path("admin/", admin.site.urls),
    path("api/reports/", include("reports.urls")),
    path("api/", include("tickets.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
