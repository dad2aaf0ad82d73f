"""Registry and retrain runs in the admin (routing rules are registered by tickets.admin, which
can offer the real units and channels to choose from)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from routing_model.artifacts import ArtifactError
from routing_model.models import ModelVersion, RetrainRun
from routing_model.registry import RegistryError, model_version_promote


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(_ReadOnly):
    list_display = ("version", "status", "samples", "macro_f1", "accuracy", "created_at",
                    "activated_at", "source")
    list_filter = ("status",)
    actions = ["promote"]

    @admin.display(description="macro-F1")
    def macro_f1(self, obj: ModelVersion) -> str:
        value = obj.metrics.get("macro_f1")
        return f"{value:.4f}" if value is not None else "-"

    @admin.display(description="准确率")
    def accuracy(self, obj: ModelVersion) -> str:
        value = obj.metrics.get("accuracy")
        return f"{value:.4f}" if value is not None else "-"

    @admin.action(description="启用所选版本", permissions=["promote"])
    def promote(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个版本", messages.ERROR)
            return
        try:
            version = model_version_promote(version=queryset.get().version)
        except (RegistryError, ArtifactError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"在用模型：{version.version}", messages.SUCCESS)

    def has_promote_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(RetrainRun)
class RetrainRunAdmin(_ReadOnly):
    list_display = ("started_at", "status", "progress", "samples", "candidate", "previous",
                    "finished_at")
    list_filter = ("status",)
    readonly_fields = ("started_at", "finished_at", "status", "progress", "samples", "candidate",
                       "previous", "candidate_metrics", "active_metrics", "reason")
