"""A changed password replaces the user's API token, on every path that changes one.

Whoever changes or resets a password may be shutting out someone who learnt the old one; a token
issued under it would let them in still. The pages' forms and the admin go through
`core.services.user_set_password`, but `manage.py changepassword`, `createsuperuser` on an
existing name, or `set_password()` in a shell save the user directly. So the check sits on the
user's save: before it, the stored hash is read (skipped for a save that names its fields and
not `password`, such as sign-in's `last_login`); after it, a different hash rotates the token.
A sign-in that only re-hashes the same password under a newer hasher keeps the token.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from rest_framework.authtoken.models import Token

_CHANGED = "_core_password_changed"


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if _rehash(instance, update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    setattr(instance, _CHANGED, stored is not None and stored != instance.password)


def _rehash(instance, update_fields) -> bool:
    # check_password() upgrades an old hash of the same password: set_password(), then
    # `_password = None`, then save(update_fields=["password"]). A changed password keeps the
    # raw one in `_password` until the save has told the validators.
    return (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", "") is None
    )


def _after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or created or not getattr(instance, _CHANGED, False):
        return
    setattr(instance, _CHANGED, False)
    if Token.objects.filter(user=instance).exists():
        from core.services import token_rotate

        token_rotate(user=instance)


def connect() -> None:
    user_model = get_user_model()
    pre_save.connect(_before_save, sender=user_model, dispatch_uid="core_password_before")
    post_save.connect(_after_save, sender=user_model, dispatch_uid="core_password_after")
