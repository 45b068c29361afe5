"""Sign-in pages for people: Django's own views, throttled, with password forms that replace the
API token, and the password reset only where mail can leave.

- Sign-in (`/accounts/login/`, `/admin/login/`): each POST counts against the token endpoint's
  budget for the address (`api.throttles.sign_in_throttle_wait`); past it the page answers 429 with
  Retry-After before the password is even looked at.
- Password change (`/accounts/password_change/`, `/admin/password_change/`) and reset confirm:
  Django's views with the forms of `core.forms`.
- Password reset (`/accounts/password_reset/...`): 404 unless `PASSWORD_RESET_ENABLED`; its
  POST is throttled per address (scope "password_reset"), and the user lookup and the mail run
  after the answer has been sent, so a known and an unknown address get the same redirect in
  the same time.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from api.throttles import (
    PASSWORD_RESET_SCOPE,
    SIGN_IN_SCOPE,
    SIGN_IN_THROTTLED,
    sign_in_throttle_wait,
)
from core import forms

logger = logging.getLogger(__name__)


def throttled(view, *, scope: str = SIGN_IN_SCOPE):
    """`view` with its POSTs counted per address; over the limit, a 429 page and no sign-in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            wait = sign_in_throttle_wait(request, scope)
            if wait is not None:
                response = render(
                    request,
                    "registration/throttled.html",
                    {"message": SIGN_IN_THROTTLED},
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped


def reset_enabled(view):
    """404 while password resets are off (no mail server configured)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class _RedirectThenSend(HttpResponseRedirect):
    """A redirect that does its work once the server has sent it: the server calls `close()`
    after the last byte, so the caller's wait does not depend on what the work found."""

    def __init__(self, url: str, work) -> None:
        super().__init__(url)
        self._work = work

    def close(self) -> None:
        work, self._work = self._work, None
        try:
            if work is not None:
                work()
        except Exception:
            logger.exception("Password reset mail failed")
        finally:
            super().close()


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # Django's PasswordResetView.form_valid, with form.save (the user lookup and the mail,
        # only for a known address) moved after the answer.
        opts = {
            "use_https": self.request.is_secure(),
            "token_generator": self.token_generator,
            "from_email": self.from_email,
            "email_template_name": self.email_template_name,
            "subject_template_name": self.subject_template_name,
            "request": self.request,
            "html_email_template_name": self.html_email_template_name,
            "extra_email_context": self.extra_email_context,
        }
        return _RedirectThenSend(str(self.get_success_url()), lambda: form.save(**opts))


sign_in = throttled(auth_views.LoginView.as_view())
admin_sign_in = throttled(admin.site.login)
password_change = auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm)
password_reset = reset_enabled(throttled(PasswordResetView.as_view(), scope=PASSWORD_RESET_SCOPE))
password_reset_done = reset_enabled(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = reset_enabled(
    auth_views.PasswordResetConfirmView.as_view(form_class=forms.SetPasswordForm)
)
password_reset_complete = reset_enabled(auth_views.PasswordResetCompleteView.as_view())


def _admin_password_change(request):
    # AdminSite.password_change, with the form that replaces the token.
    request.current_app = admin.site.name
    return auth_views.PasswordChangeView.as_view(
        form_class=forms.AdminOwnPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        extra_context=admin.site.each_context(request),
    )(request)


admin_password_change = admin.site.admin_view(_admin_password_change, cacheable=True)
