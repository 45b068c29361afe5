"""The admin's user pages, with a password form that also replaces the user's API token, and
`HistoryAdmin`, the base of every admin page with history (read, never reverted)."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.forms import AdminPasswordChangeForm

User = get_user_model()

admin.site.unregister(User)

# The city's name on every admin page, not "Django administration".
admin.site.site_header = _("Kota Depok: city assets and UMKM outlets")
admin.site.site_title = _("Depok city assets and UMKM outlets")


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    change_password_form = AdminPasswordChangeForm


class HistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert. django-simple-history's revert form saves the old row
    as it was, read-only fields included, past the services that check every change (a stall a
    lease holds could be made vacant, a round's status rolled back, a status moved without four
    eyes). Each version stays viewable; a POST to one is refused."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
