"""Set-password links: how a person gets their first password without anyone sharing one.

A link carries the account's id and a token from Django's default_token_generator, signed with
SECRET_KEY. It stops working after PASSWORD_RESET_TIMEOUT, and as soon as the password changes
(the token covers the password hash), so it can be used once. The console page it points to is
Django's PasswordResetConfirmView (console:password_set).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class PasswordLinkError(ValueError):
    """No link was made (unknown or disabled accounts, a base URL that is not one)."""


def staff_password_link_build(*, user: User, base_url: str) -> str:
    """The set-password link for one account, starting with base_url (scheme and host)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("console:password_set", kwargs={"uidb64": uidb64, "token": token})
    return base_url_check(base_url=base_url) + path


def staff_password_links_build(*, usernames: Sequence[str], base_url: str) -> dict[str, str]:
    """Username → link, in the order given; PasswordLinkError (and no link at all) if any
    username is unknown or its account is disabled."""
    base_url = base_url_check(base_url=base_url)
    users = get_user_model().objects.in_bulk(list(usernames), field_name="username")
    unknown = [name for name in usernames if name not in users]
    disabled = [name for name in usernames if name in users and not users[name].is_active]
    problems = []
    if unknown:
        problems.append("没有这些账号：" + "、".join(unknown))
    if disabled:
        problems.append("这些账号已停用，请先在管理后台启用：" + "、".join(disabled))
    if problems:
        raise PasswordLinkError("；".join(problems))
    return {name: staff_password_link_build(user=users[name], base_url=base_url)
            for name in usernames}


def password_link_lifetime_text() -> str:
    """How long a link stays valid, for the people handing links out."""
    hours = settings.PASSWORD_RESET_TIMEOUT / 3600
    if hours >= 24 and hours % 24 == 0:
        return f"{hours / 24:.0f} 天"
    return f"{hours:g} 小时"


def base_url_check(*, base_url: str) -> str:
    """base_url without a trailing slash; PasswordLinkError unless it is http(s)://host[...]."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise PasswordLinkError(f"基础网址 “{base_url}” 无效：应为 https://主机名 这样的形式")
    return base_url.rstrip("/")
