from django.urls import path

from dispatch.ops.metrics.views import metrics_view

# Included at "metrics" (no trailing slash: the path Prometheus scrapes by default).
urlpatterns = [path("", metrics_view, name="metrics")]
