"""The token endpoints: POST /api/auth/token/ (username and password; counted by the login
throttle, org.login_guard, like the console's and the admin's logins) and
POST /api/auth/token/revoke/."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from org.login_guard import lockout_message, login_failures_clear, login_is_locked
from tickets.api.tokens import api_token_expires_at, api_token_issue, api_token_revoke


class TokenRequest(serializers.Serializer[Any]):
    # Django's usernames are at most 150 characters; a longer one is refused here, before the
    # login throttle tries to record it (its column holds 255).
    username = serializers.CharField(help_text="账号", max_length=150)
    password = serializers.CharField(help_text="密码", trim_whitespace=False, max_length=4096,
                                     style={"input_type": "password"})


class TokenIssued(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="放在请求头 Authorization: Token <token>")
    expires_at = serializers.DateTimeField(help_text="过期时间；过期后请重新获取")


_ERROR = inline_serializer("AuthError", fields={
    "code": serializers.CharField(), "detail": serializers.CharField(),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    required=False, help_text="各字段的错误（未填写时）")})


class TokenObtainView(APIView):
    # No authentication: a stale token or session must not stand in the way of a new login.
    authentication_classes: list[type[Any]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["认证 auth"], operation_id="auth_token_create", auth=[], request=TokenRequest,
        summary="用账号和密码获取 API 令牌（替换此前的令牌；连续失败过多会被锁定）",
        responses={200: TokenIssued,
                   400: OpenApiResponse(_ERROR, description="账号或密码不正确，或未填写"),
                   429: OpenApiResponse(_ERROR, description="失败次数过多，已锁定")})
    def post(self, request: Request) -> Response:
        data = TokenRequest(data=request.data)
        if not data.is_valid():
            return Response({"code": "invalid", "detail": "请正确填写账号和密码",
                             "errors": data.errors}, status=400)
        username = data.validated_data["username"]
        # The DRF request: the login throttle notes a lock on it, where this view reads it.
        user = authenticate(request=request, username=username,
                            password=data.validated_data["password"])
        if user is None:
            if login_is_locked(request):
                return Response({"code": "login_locked", "detail": lockout_message()},
                                status=429)
            return Response({"code": "invalid_credentials", "detail": "账号或密码不正确"},
                            status=400)
        login_failures_clear(request=request, username=username)
        token = api_token_issue(user=user)
        return Response(TokenIssued({"token": token.key,
                                     "expires_at": api_token_expires_at(token=token)}).data)


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["认证 auth"], operation_id="auth_token_revoke", request=None,
                   summary="撤销当前账号的 API 令牌（立即失效）",
                   responses={204: OpenApiResponse(description="已撤销"),
                              401: OpenApiResponse(_ERROR, description="未登录或令牌无效")})
    def post(self, request: Request) -> Response:
        api_token_revoke(user=cast(User, request.user))  # signed in: IsAuthenticated
        return Response(status=204)
