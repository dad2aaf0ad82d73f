from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from tickets.api.auth import TokenObtainView, TokenRevokeView
from tickets.api.views import (
    AssistTaskViewSet,
    ExtensionViewSet,
    ReturnRequestViewSet,
    RulingViewSet,
    SupervisionViewSet,
    SuspensionViewSet,
    TicketViewSet,
    dispatch_accuracy_view,
    satisfaction_view,
)
from tickets.intake.views import IntakeView, RatingView

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("return-requests", ReturnRequestViewSet, basename="return-request")
router.register("rulings", RulingViewSet, basename="ruling")
router.register("assist-tasks", AssistTaskViewSet, basename="assist-task")
router.register("extensions", ExtensionViewSet, basename="extension")
router.register("suspensions", SuspensionViewSet, basename="suspension")
router.register("supervisions", SupervisionViewSet, basename="supervision")

urlpatterns = [
    # Any code reaches the view, so that an unknown one gets intake's JSON 404 (unknown_channel).
    path("intake/<str:channel_code>/", IntakeView.as_view(), name="intake"),
    path("intake/<str:channel_code>/rating/", RatingView.as_view(), name="intake-rating"),
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("reports/dispatch-accuracy/", dispatch_accuracy_view, name="dispatch-accuracy"),
    path("reports/satisfaction/", satisfaction_view, name="satisfaction"),
    path("", include(router.urls)),
]
