"""The README's tour works as written: docs/tour.sh holds exactly its commands, and running the
script against a live server takes a new asset all the way to a signed lease."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from assets_app.demo import demo_officers_join
from assets_app.models import Asset
from core.roles import ROLES
from core.services import user_create_with_roles
from outlets.models import Lease, Vendor

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
TOUR = ROOT / "docs" / "tour.sh"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the README's demo users


def readme_blocks() -> list[str]:
    """The shell blocks between `<!-- tour -->` and `<!-- /tour -->`, in order."""
    lines = README.read_text().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i] == "<!-- tour -->":
            assert lines[i + 1] == "```sh"
            end = lines.index("```", i + 2)
            assert lines[end + 1] == "<!-- /tour -->"
            blocks.append("\n".join(lines[i + 2 : end]))
            i = end
        i += 1
    return blocks


def script_commands() -> str:
    """docs/tour.sh without its header and `step` lines, with the README's API address."""
    body = TOUR.read_text().split("\nstep() {", 1)[1].split("\n", 1)[1]
    kept = [line for line in body.split("\n") if not line.startswith("step ")]
    return "\n".join(kept).replace(
        "API=${API:-http://127.0.0.1:8000/api/v1}", "API=http://127.0.0.1:8000/api/v1", 1
    )


def test_the_script_is_the_readme_tour():
    blocks = readme_blocks()

    assert len(blocks) == 8
    readme_lines = [line for block in blocks for line in block.split("\n") if line.strip()]
    assert [line for line in script_commands().split("\n") if line.strip()] == readme_lines


@pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("curl")), reason="needs bash and curl"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_tour_reaches_a_signed_lease(live_server):
    # given: the demo users `make run` creates (the demo register is not needed here)
    for role in ROLES:
        user_create_with_roles(
            username=f"demo_{role}", password=DEMO_PASSWORD, roles=[role], reset=True
        )
    demo_officers_join(password=DEMO_PASSWORD)

    # when: a newcomer runs the README's commands
    result = subprocess.run(
        ["bash", str(TOUR)],
        env={**os.environ, "API": f"{live_server.url}/api/v1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then: every step answered as the README says, ending with an active lease
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stderr == ""
    out = result.stdout
    assert "\n32.76.06.1004\nTrue\nLand area 850 m² is at least the minimum of 100 m².\n" in out
    assert "\nreviewed\napproved\ndesignated_economic\n" in out
    assert "\nD-01\nopen\n" in out
    assert "\n3276********0001\n" in out
    assert "\nclosed\nallocated\n" in out
    assert '"stall_code": "D-01", "choice_rank": 1}' in out
    assert "Kode wilayah '99' tidak dikenal" in out
    assert "Unknown district code '99'" in out
    assert out.rstrip().endswith("== The tour reached a signed lease.")
    asset = Asset.objects.get(register_code="KIB-C-2026-0001")
    assert (asset.status, asset.use) == ("outlet", "economic")
    lease = Lease.objects.get()
    assert (lease.status, lease.stall.code, lease.vendor) == (
        "active",
        "D-01",
        Vendor.objects.get(),
    )
    assert lease.stall.outlet.asset == asset
