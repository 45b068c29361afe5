"""What every browser test shares: Debian's Chromium through Playwright, axe-core, screenshots.

- `launch(playwright)` starts headless Chromium from /usr/bin/chromium (Playwright never downloads
  a browser here); tests that need it carry `needs_chromium`.
- `axe_violations(page)` runs axe-core (the npm package in `node_modules/`, which `make test` and
  `.ci/run` install from `package-lock.json`) on the page as it is and returns the serious and
  critical violations; `assert_accessible(page, label)` fails with a readable list of them.
  The script is evaluated through the DevTools protocol, not added as a <script> tag, so the
  page's own Content-Security-Policy stays on while it is checked.
- `admin_page(browser, base, username)` signs in to the admin on a new page (360 px,
  Indonesian) and collects its script errors and CSP refusals.
- `shot(page, name)` saves a full-page screenshot in `test-results/`, kept with the test's output.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = Path(settings.BASE_DIR) / "test-results"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}  # the narrowest the pages are made for
DESKTOP = {"width": 1440, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"needs Debian's Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)",
)


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        message = f"axe-core is not installed at {AXE_SCRIPT}: run `npm ci` (make test does)"
        # In CI a missing checker is a failure, never a silent skip.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """The page's axe-core violations of the given impacts (WCAG 2.x A and AA rules and best
    practices), each as {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page, label: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {label}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in violations
    )


def shot(page, name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def admin_page(
    browser,
    base: str,
    username: str,
    *,
    password: str = "Pass-word-123",
    viewport: dict = SMALL_PHONE,
    locale: str = "id",
):
    """A new page signed in to the admin as `username` (Enter in the password field), and the
    list that collects its script errors and the Content-Security-Policy's refusals."""
    page = browser.new_context(viewport=viewport, locale=locale).new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{page.url}: {m.text[:80]}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/admin/")
    return page, problems
