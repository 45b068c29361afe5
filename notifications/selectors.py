"""Reads of notifications: a user's own, newest first."""

from notifications.models import Notification


def notification_list_mine(*, user, limit: int = 50):
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit])
