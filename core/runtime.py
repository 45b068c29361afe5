"""How a serving process settles once the app is loaded (the WSGI and ASGI entry points)."""

import gc

# Allocations between collections of the youngest generation (CPython's default is 700). A map
# page of 1,000 features allocates tens of thousands of short-lived rows and dicts; at 700 the
# collector ran dozens of times per request, each time walking the page's rows still in use
# (bench/assets_query.py on PostgreSQL: about 2 ms of a 9-12 ms request). Cycles are still
# collected, a few requests later.
YOUNG_GENERATION_THRESHOLD = 10_000


def settle_after_start() -> None:
    """Move what start-up loaded out of the cyclic garbage collector's reach, and collect the
    youngest generation less often (YOUNG_GENERATION_THRESHOLD).

    Modules, URL patterns, serializers and the schema are hundreds of thousands of objects that
    live as long as the process; `gc.freeze` keeps them out of every later collection (and,
    with gunicorn's preload, their memory pages shared between the forked workers). Objects made
    afterwards are collected as before.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
