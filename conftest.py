"""Test-run environment: the development defaults (SECRET_KEY, NIK keys) apply under pytest.

pytest-django still runs every test with settings.DEBUG = False.
"""

import os

os.environ.setdefault("DEBUG", "true")
