"""Small database helpers shared by the apps."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def fetch_rows(queryset: QuerySet) -> list[tuple]:
    """A `.values_list()` queryset's rows in one fetch.

    Map queries read a thousand small rows (ids, bbox columns) per request, and the ORM's chunked
    iteration costs more than the query. Only for value lists whose columns need no converters
    (numbers, text): the rows are the driver's own values.
    """
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
