"""The independent verifier (#19): a round of 2,000 applications allocated through the real
service, its verification file downloaded anonymously, then checked by `tools/verify_round.py`
run as its own process in isolated mode (standard library only) and by `manage.py verify_round`;
one changed choice, one changed seed and one swapped outcome are each reported."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.roles import OUTLET_MANAGER
from outlets import services
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationChoice,
    ClaimVerification,
    Vendor,
)
from tests.conftest import english_client
from tests.outlets.helpers import BEJI_KELURAHAN, make_outlet

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_round.py"
N_APPLICATIONS = 2000
CATEGORIES = ("culinary", "fashion", "craft", "services")
KINDS = ("kiosk", "booth")


def _bulk_round(make_asset, manager, n: int) -> AllocationRound:
    """An open round over 3 outlets (8 kiosks and 6 booths each) with `n` vendors' applications
    of 1-3 choices, a reserve of 0.5 and a cap of 2 (the split rule), some claims verified;
    written with bulk creates, then closed and allocated through the services."""
    stalls = [(f"K-{k:02d}", "kiosk") for k in range(1, 9)]
    stalls += [(f"B-{k:02d}", "booth") for k in range(1, 7)]
    outlets = [make_outlet(make_asset, manager, stalls=stalls) for _ in range(3)]
    now = timezone.now()
    round_ = services.round_create(
        user=manager,
        data={
            "name": "Putaran besar",
            "outlets": [o.pk for o in outlets],
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=1),
            "women_reserve_share": 0.5,
            "category_cap": 2,
        },
    )
    round_ = services.round_open(round_=round_, user=manager)
    rng = random.Random(2000)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bulk_{i}", password="!") for i in range(n)]
    )
    vendors = []
    for i, user in enumerate(users):
        women = rng.random() < 0.4
        vendors.append(
            Vendor(
                user=user,
                full_name=f"Pedagang {i}",
                nik_encrypted="x",
                nik_hash=hashlib.sha256(f"bulk-{i}".encode()).hexdigest(),
                nik_masked="3276**********01",
                gender="F" if women else "M",
                birth_date=date(1985, 1, 1),
                phone=f"0812{i:08d}",
                business_name=f"Usaha {i}",
                product_category=rng.choice(CATEGORIES),
                wub_participant=rng.random() < 0.3,
                women_programme=women,
                home_kelurahan_id=BEJI_KELURAHAN if rng.random() < 0.5 else None,
            )
        )
    vendors = Vendor.objects.bulk_create(vendors)
    verifications = []
    for vendor in vendors:
        for claim, made in (
            ("wub_participant", vendor.wub_participant),
            ("women_programme", vendor.women_programme),
            ("domicile", vendor.home_kelurahan_id is not None),
        ):
            if made and rng.random() < 0.8:
                verifications.append(
                    ClaimVerification(
                        vendor=vendor,
                        claim=claim,
                        reason="bulk",
                        verified_by=manager,
                        verified_at=now,
                    )  # fmt: skip
                )
    ClaimVerification.objects.bulk_create(verifications)
    applications = Application.objects.bulk_create(
        [Application(round=round_, vendor=vendor) for vendor in vendors]
    )
    groups = [(o.pk, kind) for o in outlets for kind in KINDS]
    choices = []
    for application in applications:
        for rank, (outlet_id, kind) in enumerate(rng.sample(groups, rng.randint(1, 3)), 1):
            choices.append(
                ApplicationChoice(
                    application=application, rank=rank, outlet_id=outlet_id, stall_kind=kind
                )
            )
    ApplicationChoice.objects.bulk_create(choices, batch_size=1000)
    round_ = services.round_close(round_=round_, user=manager)
    return services.round_allocate(round_=round_, user=manager)


@pytest.fixture
def published(make_asset, make_user, tmp_path):
    manager = make_user(OUTLET_MANAGER)
    round_ = _bulk_round(make_asset, manager, N_APPLICATIONS)
    response = english_client().get(f"/api/v1/public/rounds/{round_.pk}/verification.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="round-{round_.pk}.json"'
    document = json.loads(response.content)
    path = tmp_path / "round.json"
    path.write_text(json.dumps(document))
    return round_, document, path


def run_verifier(path: Path, *extra: str) -> tuple[int, str]:
    """The standalone script as the public runs it: its own process, isolated mode (-I: no
    PYTHONPATH, no current directory, no user site), from a directory outside the project."""
    done = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path), *extra],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    return done.returncode, done.stdout.strip() + done.stderr.strip()


def write(tmp_path: Path, document: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_the_standalone_verifier_finds_the_published_round_identical(published):
    round_, document, path = published
    # the round is really the size the issue asks for, and the split rule ran
    assert len(document["input"]["applications"]) == N_APPLICATIONS
    assert document["input"]["params"] == {
        "women_reserve_share": 0.5, "category_cap": 2, "decline_penalty": False,
    }  # fmt: skip
    assert sum(len(g["assigned"]) for g in document["result"]["groups"]) == 3 * 14
    assert document["input"]["seed"] == round_.seed
    assert document["input_sha256"] == round_.publication.input_sha256

    assert run_verifier(path) == (0, "identical")
    assert run_verifier(path, "--input-sha256", round_.publication.input_sha256) == (0, "identical")
    call_command("verify_round", str(path))  # the project's engine agrees (raises otherwise)


def test_a_changed_choice_seed_or_outcome_is_reported_with_the_difference(published, tmp_path):
    _, document, _ = published

    # one changed choice: an application that got its first choice now lists nothing, so its
    # seat goes to someone else
    changed = copy.deepcopy(document)
    got_first = next(a for a in changed["result"]["applications"] if a["choice_rank"] == 1)
    app = next(a for a in changed["input"]["applications"] if a["id"] == got_first["id"])
    app["choices"] = []
    path = write(tmp_path, changed, "choice.json")
    code, out = run_verifier(path)
    assert code == 1
    assert out.startswith("different: result.applications[")
    with pytest.raises(CommandError, match="different: result.applications"):
        call_command("verify_round", str(path))

    # one changed choice that moves nobody (the "local" tier of a third choice never reached
    # by an application placed at its first) is caught by the input hash
    changed = copy.deepcopy(document)
    rank = {a["id"]: a["choice_rank"] for a in changed["result"]["applications"]}
    app = next(
        a for a in changed["input"]["applications"] if len(a["choices"]) == 3 and rank[a["id"]] == 1
    )
    app["choices"][2]["local"] = 1 - app["choices"][2]["local"]
    code, out = run_verifier(write(tmp_path, changed, "hash.json"))
    assert (code, out.split(":")[:2]) == (1, ["different", " input_sha256"])

    # one changed seed
    changed = copy.deepcopy(document)
    changed["input"]["seed"] = "0" * 64
    path = write(tmp_path, changed, "seed.json")
    code, out = run_verifier(path)
    expected = hashlib.sha256(("0" * 64).encode()).hexdigest()
    assert code == 1
    assert out == (
        f"different: seed: SHA-256 of the revealed seed is {expected}, but the commitment "
        f"published at opening is {document['input']['seed_commitment']}"
    )
    with pytest.raises(CommandError, match="different: seed"):
        call_command("verify_round", str(path))

    # one swapped outcome: an assigned and an unassigned application trade
    changed = copy.deepcopy(document)
    apps = changed["result"]["applications"]
    first = next(a for a in apps if a["outcome"] is not None)
    second = next(a for a in apps if a["outcome"] is None)
    first["outcome"], second["outcome"] = second["outcome"], first["outcome"]
    path = write(tmp_path, changed, "swap.json")
    code, out = run_verifier(path)
    low = min(first["id"], second["id"])
    assert code == 1
    assert out.startswith(f"different: result.applications[{low}].outcome: the file says ")
    with pytest.raises(CommandError, match=rf"result\.applications\[{low}\]"):
        call_command("verify_round", str(path))


def test_the_verifier_imports_nothing_but_the_standard_library():
    source = VERIFIER.read_text()
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imported == {"__future__", "argparse", "hashlib", "json", "sys", "collections",
                        "decimal", "math"}  # fmt: skip
    assert imported <= sys.stdlib_module_names | {"__future__"}
