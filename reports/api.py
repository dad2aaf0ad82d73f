"""The report for the city platform (JSON, in the OpenAPI schema): the summary and the
per-unit table of a period, and the trend. Same scope as the console: supervisors every unit,
a unit lead their own (another unit's report is a 404), anyone else 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from reports.figures import Figures, Report, report_build, report_trend
from reports.periods import Granularity, Period, PeriodError, period_parse
from reports.scope import (
    ReportFilterError,
    ReportFilters,
    ReportForbidden,
    report_filters_for,
    report_filters_parse,
    report_may_view,
)


class RateOutput(serializers.Serializer[Any]):
    on_time = serializers.IntegerField(source="hits", help_text="按时的次数")
    judged = serializers.IntegerField(source="total", help_text="应计的次数（已完成或已过时限）")
    rate = serializers.FloatField(source="value", allow_null=True, help_text="0–1")


class FiguresOutput(serializers.Serializer[Figures]):
    received = serializers.IntegerField(help_text="受理量（合并的重复件不另计）")
    merged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    resolved = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue_now = serializers.IntegerField()
    contact = RateOutput(help_text="联系诉求人（10 分钟）")
    meet = RateOutput(help_text="约见/到场（30 分钟）")
    resolve = RateOutput(help_text="办结（按时限规则）")
    response_rate = serializers.FloatField(allow_null=True, help_text="响应率（按时联系率）")
    resolution_rate = serializers.FloatField(allow_null=True, help_text="解决率")
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text="满意率")
    handling_days_avg = serializers.FloatField(allow_null=True)
    handling_days_median = serializers.FloatField(allow_null=True)
    working_days_avg = serializers.FloatField(allow_null=True)
    working_days_median = serializers.FloatField(allow_null=True)
    extensions = serializers.IntegerField()
    suspensions = serializers.IntegerField()
    returns = serializers.IntegerField()
    transfers = serializers.IntegerField()
    reopenings = serializers.IntegerField()
    supervisions = serializers.IntegerField()
    supervisions_district = serializers.IntegerField()
    supervisions_listed = serializers.IntegerField()
    supervisions_answered = serializers.IntegerField()
    supervisions_answered_on_time = serializers.IntegerField()
    supervisions_overdue_open = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    unreasonable = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    auto_dispatched = serializers.IntegerField()
    auto_share = serializers.FloatField(allow_null=True)
    stayed_share = serializers.FloatField(allow_null=True)
    assist_tasks = serializers.IntegerField()
    assist_late = serializers.IntegerField()


class UnitRowOutput(serializers.Serializer[Any]):
    unit = serializers.CharField(source="code", help_text="单位编码（空：未派单）")
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="考核得分 0–100")
    figures = FiguresOutput()


class ReportOutput(serializers.Serializer[Report]):
    first = serializers.DateField(source="period.first")
    last = serializers.DateField(source="period.last")
    filters = serializers.CharField(source="filters.describe")
    generated_at = serializers.DateTimeField()
    seconds = serializers.FloatField()
    summary = FiguresOutput()
    units = UnitRowOutput(many=True)


class TrendRowOutput(serializers.Serializer[Any]):
    bucket = serializers.CharField(source="label", help_text="日、周或月的名称")
    first = serializers.DateField(source="period.first")
    last = serializers.DateField(source="period.last")
    figures = FiguresOutput()


class TrendOutput(serializers.Serializer[Any]):
    granularity = serializers.CharField()
    rows = TrendRowOutput(many=True)


PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True,
                     description="开始日期（含，按受理时间，Asia/Shanghai）"),
    OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="结束日期（含）"),
    OpenApiParameter("unit", OpenApiTypes.STR, description="单位编码"),
    OpenApiParameter("channel", OpenApiTypes.STR, description="渠道编码"),
    OpenApiParameter("category", OpenApiTypes.STR, description="一级分类"),
    OpenApiParameter("urgency", OpenApiTypes.STR, enum=["urgent", "normal"]),
    OpenApiParameter("street", OpenApiTypes.STR, description="街道（单位编码）"),
]


def _asked(request: Request) -> tuple[Period, ReportFilters]:
    if not report_may_view(user=request.user):
        raise PermissionDenied("只有督办员和单位负责人可以查看考核报表")
    params = {key: str(value) for key, value in request.query_params.items()}
    try:
        period = period_parse(first=params.get("from", ""), last=params.get("to", ""))
        filters = report_filters_parse(params=params)
    except PeriodError as exc:
        raise ValidationError({"period": [str(exc)]}) from None
    except ReportFilterError as exc:
        raise ValidationError({k: [v] for k, v in exc.errors.items()}) from None
    try:
        return period, report_filters_for(user=request.user, filters=filters)
    except ReportForbidden:
        raise Http404 from None  # another unit's report does not exist for a lead


@extend_schema(tags=["报表 reports"], parameters=PARAMETERS, responses=ReportOutput,
               summary="考核报表：汇总与单位排名")
@api_view(["GET"])
def sla_report_view(request: Request) -> Response:
    period, filters = _asked(request)
    return Response(ReportOutput(report_build(period=period, filters=filters)).data)


@extend_schema(tags=["报表 reports"], responses=TrendOutput, summary="考核报表：趋势",
               parameters=[*PARAMETERS, OpenApiParameter(
                   "granularity", OpenApiTypes.STR, enum=[g.value for g in Granularity],
                   description="day、week 或 month（默认 month）")])
@api_view(["GET"])
def sla_trend_view(request: Request) -> Response:
    period, filters = _asked(request)
    raw = str(request.query_params.get("granularity", Granularity.MONTH.value))
    if raw not in {g.value for g in Granularity}:
        raise ValidationError({"granularity": ["只能是 day、week 或 month"]})
    trend = report_trend(period=period, filters=filters, granularity=Granularity(raw))
    return Response(TrendOutput(trend).data)
