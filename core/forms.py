"""Django's password forms, saving through `core.services.user_set_password`, so a changed or
reset password also replaces the user's API token, wherever it is changed: the sign-in pages'
change and reset forms and the admin's own and per-user password forms (`web/views/auth.py`,
`core/admin.py`). Overriding the forms' one saving step keeps Django's views, validation and
templates as they are.
"""

from django.contrib.admin import forms as admin_forms
from django.contrib.auth import forms as auth_forms

from core.services import user_set_password


class TokenRotatingMixin:
    def set_password_and_save(self, user, password_field_name="password1", commit=True, **kwargs):
        if not commit:
            return super().set_password_and_save(
                user, password_field_name=password_field_name, commit=False, **kwargs
            )
        # The admin's per-user form can also turn password sign-in off.
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data[password_field_name] if usable else None
        return user_set_password(user=user, password=password)


class PasswordChangeForm(TokenRotatingMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(TokenRotatingMixin, auth_forms.SetPasswordForm):
    pass


class AdminOwnPasswordChangeForm(TokenRotatingMixin, admin_forms.AdminPasswordChangeForm):
    """The admin's "change my password" form."""


class AdminPasswordChangeForm(TokenRotatingMixin, auth_forms.AdminPasswordChangeForm):
    """The admin's form that sets another user's password."""
