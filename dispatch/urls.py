from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from dispatch.views import healthz, readyz

# Refusals and missing pages in Chinese, in the console's look (the API answers in JSON).
handler403 = "console.views.errors.permission_denied"
handler404 = "console.views.errors.page_not_found"

admin.site.site_header = "民意速办 · 工单分拨管理"
admin.site.site_title = "民意速办"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("console/", include("console.urls")),
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("metrics", include("dispatch.ops.metrics.urls")),
    path("admin/", admin.site.urls),
    path("api/reports/", include("reports.urls")),
    path("api/", include("tickets.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
