"""URL routes for this API area."""

urlpatterns: list = []
