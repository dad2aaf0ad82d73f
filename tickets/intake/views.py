"""POST /api/intake/<channel_code>/: the webhook every channel posts to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.intake.adapters import adapter_for
from tickets.intake.ratings import rating_receive
from tickets.intake.services import intake_receive
from tickets.models import ChannelFamily


def _examples() -> list[OpenApiExample]:
    examples = []
    for family in ChannelFamily.values:
        adapter = adapter_for(family)
        for name, payload in adapter.examples().items():
            examples.append(OpenApiExample(
                f"{family}: {name}", value=payload, request_only=True,
                summary=f"{adapter.title}（{name}）", description=adapter.description,
            ))
    return examples


_FAMILIES_DOC = "\n".join(
    f"- **{adapter_for(f).title}** (`{f}`): {adapter_for(f).description}"
    for f in ChannelFamily.values
)


def _body_within_limit(request: Request) -> bytes | None:
    """The raw body, or None when it is larger than INTAKE_MAX_BODY_BYTES (then not read)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > settings.INTAKE_MAX_BODY_BYTES:
        return None
    try:
        return request.body
    except RequestDataTooBig:
        return None


class IntakeView(APIView):
    # Channels authenticate with the HMAC signature, not with users; the raw body is read and
    # stored before any parsing, so DRF's parsers are not used.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes: list[type] = []

    @extend_schema(
        operation_id="intake_post",
        summary="渠道推送诉求（每个渠道一个地址）",
        description=(
            "请求头 `X-Signature: t=<unix 秒>,v1=<hex>`，v1 为用渠道密钥对 `\"<t>.<原始请求体>\"` "
            "计算的 HMAC-SHA256；时间差超过 300 秒拒绝。同一渠道单号重复推送返回 200 和同一工单号，"
            "首次返回 201。各类渠道的请求体：\n\n" + _FAMILIES_DOC
        ),
        parameters=[OpenApiParameter("channel_code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="渠道编码，如 hotline-12345")],
        request={"application/json": OpenApiTypes.OBJECT},
        examples=_examples(),
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="已生成工单"),
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="重复投递：返回同一工单"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="JSON 无效或字段有误（fields）"),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="缺少签名、签名错误或过期"),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="渠道不存在或已停用"),
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="请求体超过 256 KiB"),
            415: OpenApiResponse(OpenApiTypes.OBJECT, description="不是 application/json"),
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="超过渠道每分钟上限"),
        },
        tags=["受理 intake"],
    )
    def post(self, request: Request, channel_code: str) -> Response:
        result = intake_receive(
            channel_code=channel_code, body=_body_within_limit(request),
            content_type=request.META.get("CONTENT_TYPE", ""),
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        return Response(result.body, status=result.status, headers=result.headers)


class RatingView(APIView):
    """The citizen's rating of a resolved ticket, reported by the channel it came from."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes: list[type] = []

    @extend_schema(
        operation_id="intake_rating_post",
        summary="渠道回传诉求人满意度（回访结果）",
        description=("签名方式同受理接口。请求体：`{\"external_id\": \"渠道单号\", "
                     "\"satisfaction\": \"satisfied|basically_satisfied|unsatisfied\", "
                     "\"note\": \"…\"}`。满意或基本满意归档，不满意退回原单位重办。"),
        parameters=[OpenApiParameter("channel_code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="已记录"),
                   400: OpenApiResponse(OpenApiTypes.OBJECT,
                                        description="JSON 无效或字段有误（fields）"),
                   401: OpenApiResponse(OpenApiTypes.OBJECT, description="签名错误或过期"),
                   404: OpenApiResponse(OpenApiTypes.OBJECT, description="渠道或工单不存在"),
                   409: OpenApiResponse(OpenApiTypes.OBJECT, description="工单不在待回访状态"),
                   413: OpenApiResponse(OpenApiTypes.OBJECT, description="请求体超过 256 KiB"),
                   415: OpenApiResponse(OpenApiTypes.OBJECT, description="不是 application/json")},
        tags=["受理 intake"],
    )
    def post(self, request: Request, channel_code: str) -> Response:
        result = rating_receive(
            channel_code=channel_code, body=_body_within_limit(request),
            content_type=request.META.get("CONTENT_TYPE", ""),
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        return Response(result.body, status=result.status, headers=result.headers)
