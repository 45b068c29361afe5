"""The admin's user pages, with a password form that also replaces the user's API token."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model

from core.forms import AdminPasswordChangeForm

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    change_password_form = AdminPasswordChangeForm
