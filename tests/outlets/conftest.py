import pytest

from tests.outlets.helpers import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Vendors register with a password; hash it quickly in tests (PBKDF2 takes ~0.5 s)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
