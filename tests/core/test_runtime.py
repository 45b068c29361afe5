"""A serving process, once config.wsgi has loaded the app, keeps what start-up loaded out of the
cyclic garbage collector and collects its youngest generation less often
(core.runtime.settle_after_start)."""

import os
import subprocess
import sys
from pathlib import Path

from core.runtime import YOUNG_GENERATION_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
before = gc.get_freeze_count()
import config.wsgi
import django.urls
frozen = gc.get_freeze_count()
# the URL patterns' views were imported before the freeze, so they are among the frozen
print(before, frozen, len(gc.get_objects()), gc.get_threshold()[0])
"""


def test_the_wsgi_entry_freezes_what_start_up_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    before, frozen, tracked, young = (int(n) for n in done.stdout.split()[-4:])
    assert before == 0
    assert young == YOUNG_GENERATION_THRESHOLD
    # Django, DRF, the views and the schema: far more than a bare interpreter's few thousand,
    # and more than what is still tracked after it
    assert frozen > 100_000
    assert frozen > tracked
