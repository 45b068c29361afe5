"""DRF's own messages in Indonesian (by default and on request) and in English: those its
Indonesian catalogue lacks are translated in ours, the throttling one although DRF fills in the
seconds before it looks up the translation."""

import orjson
import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from api.parsers import JSON_PARSE_ERROR, JSON_TOO_DEEP, MAX_DEPTH
from tests.api.test_throttling import registration

pytestmark = pytest.mark.django_db

# Accept-Language sent (None: no header) and the language of the answer.
LANGUAGES = [("id", "id"), (None, "id"), ("en", "en")]


def headers(language: str | None) -> dict:
    return {"HTTP_ACCEPT_LANGUAGE": language} if language else {}


def signed_in(user, language: str | None) -> APIClient:
    """A client for `user` sending `Accept-Language: <language>`, or no such header at all."""
    client = APIClient(**headers(language))
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def test_an_unknown_token():
    texts = {"id": "Token tidak sah.", "en": "Invalid token."}
    for language, answered in LANGUAGES:
        client = APIClient(**headers(language))
        client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

        response = client.get("/api/v1/assets/")

        assert response.status_code == 401
        assert response.json() == {"detail": texts[answered]}, language
        assert response["Content-Language"] == answered


def test_a_method_not_allowed(make_user):
    officer = make_user("asset_officer")
    texts = {"id": 'Metode "DELETE" tidak diizinkan.', "en": 'Method "DELETE" not allowed.'}
    for language, answered in LANGUAGES:
        response = signed_in(officer, language).delete("/api/v1/assets/")

        assert response.status_code == 405
        assert response.json() == {"detail": texts[answered]}, language


def test_throttling(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "1/hour"})
    APIClient().post("/api/v1/vendors/register/", registration(1), format="json")
    for n, (language, answered) in enumerate(LANGUAGES, start=2):
        client = APIClient(**headers(language))

        response = client.post("/api/v1/vendors/register/", registration(n), format="json")

        wait = int(response["Retry-After"])
        texts = {
            "id": f"Permintaan ini telah dibatasi. Diharapkan tersedia dalam {wait} detik.",
            "en": f"Request was throttled. Expected available in {wait} seconds.",
        }
        assert response.status_code == 429
        assert response.json() == {"detail": texts[answered]}, language


def test_json_parse_errors(make_user):
    officer = make_user("asset_officer")
    try:
        orjson.loads(b'{"name": ')
    except orjson.JSONDecodeError as exc:
        reason = str(exc)
    prefixes = {"id": "Galat penguraian JSON - ", "en": "JSON parse error - "}
    for language, answered in LANGUAGES:
        client = signed_in(officer, language)

        broken = client.generic("POST", "/api/v1/assets/", b'{"name": ', "application/json")
        deep = client.generic(
            "POST", "/api/v1/assets/", b"[" * 100 + b"]" * 100, "application/json"
        )

        with translation.override(answered):
            expected = [JSON_PARSE_ERROR % {"error": reason}, JSON_TOO_DEEP % {"limit": MAX_DEPTH}]
        assert broken.status_code == deep.status_code == 400
        assert [broken.json(), deep.json()] == [{"detail": text} for text in expected]
        assert broken.json()["detail"].startswith(prefixes[answered])
        assert deep.json()["detail"].startswith(prefixes[answered])
