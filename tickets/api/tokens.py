"""API tokens that expire and can be revoked (the endpoints are tickets.api.auth's; this module
imports no DRF view, because DRF's settings import the authentication class from here).

``POST /api/auth/token/`` (username and password, counted by the login throttle like the
console's and the admin's logins) issues a new token, replacing the person's previous one;
a token is refused with 401 once it is API_TOKEN_TTL_HOURS old, and
``POST /api/auth/token/revoke/`` (or deleting it in the admin) ends it at once. DRF's Token
model is kept: one token per person, its ``created`` the start of its life."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

# --- the tokens -------------------------------------------------------------------------------


def api_token_expires_at(*, token: Token) -> datetime:
    created: datetime = token.created
    return created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def api_token_issue(*, user: User) -> Token:
    """A new token for the person; the one they had stops working."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """End the person's token now; False if they had none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


# --- authentication ---------------------------------------------------------------------------

def _refused(code: str, detail: str) -> AuthenticationFailed:
    # A dict detail is the body as it stands: the same {code, detail} as every API error.
    return AuthenticationFailed({"code": code, "detail": detail})


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token is older than
    API_TOKEN_TTL_HOURS (an expired token is deleted: the person asks for a new one)."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise _refused("token_invalid", "令牌无效或已撤销，请重新获取（POST /api/auth/token/）")
        if not token.user.is_active:
            raise _refused("user_inactive", "该账号已停用")
        if timezone.now() >= api_token_expires_at(token=token):
            token.delete()
            raise _refused("token_expired",
                           f"令牌已过期（有效期 {settings.API_TOKEN_TTL_HOURS} 小时），"
                           "请重新获取（POST /api/auth/token/）")
        return token.user, token
