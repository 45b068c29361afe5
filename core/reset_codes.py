"""One-time password reset codes for people without e-mail (most vendors).

An outlet manager checks the vendor's KTP in person, then issues a code (`reset_code_issue`) and
reads it to her; she enters her username, the code and a new password on the web
(`reset_code_redeem`). Only an HMAC-SHA256 of the code (keyed from SECRET_KEY, bound to the user)
is stored. A code is valid for `RESET_CODE_HOURS` hours and once; issuing a new one ends any
earlier one; `RESET_CODE_MAX_GUESSES` wrong codes for a user end her live code too, on top of the
per-address throttle the page applies. Every refusal is the same message, so the form never tells
whether the username exists, the code expired or was used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import PasswordResetCode
from core.services import user_set_password

RESET_CODE_HOURS = 24
RESET_CODE_DIGITS = 8
RESET_CODE_MAX_GUESSES = 5

RESET_CODE_INVALID = _(
    "This username and code do not match a valid code. A code works once, for 24 hours: ask "
    "an outlet manager for a new one."
)
KTP_NOT_CHECKED = _("Check the vendor's KTP in person before issuing a code.")
NOT_A_VENDOR = _("Reset codes are only for vendors' accounts.")
PASSWORD_REQUIRED = _("This field is required.")

User = get_user_model()


def _digest(user_id: int, code: str) -> str:
    key = hashlib.sha256(b"depok-reset-code-v1:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def reset_code_issue(
    *, user: AbstractBaseUser, issued_by: AbstractBaseUser, ktp_checked: bool
) -> tuple[PasswordResetCode, str]:
    """A new code for `user` (a vendor); returns the row and the plain code, shown only once."""
    from core.roles import VENDOR, has_role

    if ktp_checked is not True:
        raise ValidationError({"ktp_checked": [KTP_NOT_CHECKED]})
    if not has_role(user, VENDOR):
        raise ValidationError({"vendor": [NOT_A_VENDOR]})
    now = timezone.now()
    PasswordResetCode.objects.filter(user=user, used_at=None, expires_at__gt=now).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**RESET_CODE_DIGITS):0{RESET_CODE_DIGITS}d}"
    row = PasswordResetCode(
        user=user,
        issued_by=issued_by,
        code_hash=_digest(user.pk, code),
        expires_at=now + timedelta(hours=RESET_CODE_HOURS),
    )
    row.full_clean(exclude=["user", "issued_by"])
    row.save()
    return row, code


def reset_code_redeem(*, username: str, code: str, password: str) -> AbstractBaseUser:
    """Set a new password with a live code; ValidationError on `code` (one message for every
    reason) or on `password` (Django's validators, the code kept). The code is used up only on
    success; a wrong code counts against the user's live code."""
    now = timezone.now()
    code = (code or "").strip()
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    live = None
    with transaction.atomic():
        if user is not None:
            live = (
                PasswordResetCode.objects.select_for_update()
                .filter(user=user, used_at=None, expires_at__gt=now)
                .order_by("-created_at", "-id")
                .first()
            )
        if live is not None and hmac.compare_digest(live.code_hash, _digest(user.pk, code)):
            if not password:
                raise ValidationError({"password": [PASSWORD_REQUIRED]})
            try:
                validate_password(password, user=user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
            live.used_at = now
            live.save(update_fields=["used_at"])
            return user_set_password(user=user, password=password)
    if live is not None:
        # Its own write, kept although the request is refused: enough wrong codes end it.
        PasswordResetCode.objects.filter(pk=live.pk).update(wrong_guesses=F("wrong_guesses") + 1)
        PasswordResetCode.objects.filter(
            pk=live.pk, wrong_guesses__gte=RESET_CODE_MAX_GUESSES
        ).update(expires_at=now)
    raise ValidationError({"code": [RESET_CODE_INVALID]})
