"""The one list of geographic rows (assets, outlets): a map query paged by its selector.

A map query (bbox, near, district) in a map ordering (id or distance) matches few rows of many:
the view's selector reads their ids with the candidates, pages them and fetches just the page
(no COUNT, no ordered table walk). Any other list is the queryset narrowed exactly, paged by
DRF. Distances reach the items through the serializer context (`distances`), never the request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from api.filters import MapFilterBackend, map_query_from_request
from api.properties import ALWAYS, project_items, properties_from_request
from api.renderers import FeatureList
from geodata.map_query import MapPage, MapQuery, map_filter, map_matches


class MapListMixin:
    """For a viewset whose `list` answers map queries; the view provides `map_page` (its
    selector) and may override how a page becomes items (`map_page_items`, `page_items`).

    Items carry only what `properties=` asks (`self.properties`, set by `list`; None for all):
    the default item methods cut the serialized items (`only`); an override may read just those
    fields instead (what the asset list does), and `list` cuts whatever still carries more.
    """

    request: Request
    action: str
    # Where the rows keep their geometry when on a related model (e.g. "asset__").
    geo_prefix = ""
    # The names `properties=` asks for, or None for every property.
    properties: tuple[str, ...] | None = None

    def map_page(self, queryset: QuerySet, query: MapQuery, *, limit: int, offset: int) -> MapPage:
        raise NotImplementedError

    def map_page_items(self, page: MapPage) -> list:
        """The response items of a map page (by default its rows serialized)."""
        return self.serialized(page.items, page.distances)

    def page_items(self, queryset: QuerySet, distances: dict | None) -> list:
        """The response items of a plain list: one page of the queryset, serialized."""
        return self.serialized(self.paginate_queryset(queryset), distances)

    def serialized(self, rows: list, distances: dict | None) -> Any:
        context = {**self.get_serializer_context(), "distances": distances}
        return self.only(self.get_serializer(rows, many=True, context=context).data)

    def only(self, items: list) -> list:
        """The items with only what `properties=` asks (all of them when it is not given)."""
        return _only(items, self.properties)

    def list(self, request, *args, **kwargs):
        queryset, query = self.filtered_for_list(self.get_queryset())
        # `properties=`: only these, with id and geometry (checked once, before any query).
        self.properties = names = properties_from_request(request, self)
        if query.pages_ids:
            paginator = self.paginator
            limit, offset = paginator.get_limit(request), paginator.get_offset(request)
            page = self.map_page(queryset, query, limit=limit, offset=offset)
            _paged(paginator, request, limit=limit, offset=offset, count=page.count)
            return self.get_paginated_response(_checked(self.map_page_items(page), names))
        distances = None
        if query.spatial:
            queryset, distances = map_filter(queryset, query, prefix=self.geo_prefix)
        return self.get_paginated_response(_checked(self.page_items(queryset, distances), names))

    def filtered_for_list(self, queryset: QuerySet) -> tuple[QuerySet, MapQuery]:
        """The queryset through the filter backends, in their order (so the first bad
        parameter is the one named), less the spatial ones, which only parse: their query is
        the list's to answer."""
        parts: dict = {}
        for backend_class in self.filter_backends:
            backend = backend_class()
            if not isinstance(backend, MapFilterBackend):
                queryset = backend.filter_queryset(self.request, queryset, self)
            if hasattr(backend, "query_part"):
                parts.update(backend.query_part(self.request, self))
        return queryset, MapQuery(**parts)

    def get_serializer_context(self) -> dict:
        """With `near`, one object read (detail) shows its distance too."""
        context = super().get_serializer_context()
        if self.action == "retrieve" and "near" in self.request.query_params:
            query = map_query_from_request(self.request, self)
            if query.near is not None:
                pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
                rows = self.get_queryset().filter(pk=pk)
                near_only = MapQuery(near=query.near)
                matches = map_matches(rows, near_only, prefix=self.geo_prefix)
                context["distances"] = matches.distances
        return context


def _only(items: list, names: tuple[str, ...] | None) -> list:
    return items if names is None else project_items(items, names)


def _checked(items: list, names: tuple[str, ...] | None) -> list:
    """The items, cut to `names` unless their item methods did (all items of a list have the
    same keys, so the first tells)."""
    if names is None or not items:
        return items
    first = items[0]
    keys = first["properties"] if isinstance(items, FeatureList) else first
    if set(keys) <= {*ALWAYS, *names}:
        return items
    return project_items(items, names)


def _paged(paginator, request, *, limit: int, offset: int, count: int) -> None:
    """Set what `get_paginated_response` reads, for a page the selector read itself."""
    paginator.request = request
    paginator.limit = limit
    paginator.offset = offset
    paginator.count = count
    if count > limit and paginator.template is not None:
        paginator.display_page_controls = True
