from django.urls import path

from reports.api import sla_report_view, sla_trend_view

urlpatterns = [
    path("sla/", sla_report_view, name="sla-report"),
    path("sla/trend/", sla_trend_view, name="sla-trend"),
]
