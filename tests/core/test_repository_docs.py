"""The repository's documents name only documents it has.

A clone is all a reader gets: a Markdown link, or a `*.md` file name in a comment or a page,
that points outside the repository sends her to nothing. Every tracked file (`git ls-files`) is
read; URLs are left alone. Markdown links are resolved from the linking file's folder, and a
link's `#anchor` must be a heading of the target. A path with a folder (`docs/DEVELOPING.md`)
must exist from the repository root or from the mentioning file's folder; a bare file name
(`SOURCES.md`) may also be the name of a tracked file elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Design notes kept outside the repository once; assembled here so this file does not name them.
OUTSIDE_DOCUMENTS = ("DESIGN" + ".md", "STYLE" + ".md")

URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s)>\]\"'`]*")
MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
MD_NAME = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w-][\w.-]*\.md)(?![\w/-])")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (git ls-files) of the repository")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file (or one gone from the work tree)."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as '-'."""
    anchors: set[str] = set()
    for line in FENCE.sub("", markdown).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            title = re.sub(r"[`*_]|<[^>]+>", "", match.group(1)).strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def broken_links(path: Path, text: str) -> list[str]:
    problems = []
    targets = MARKDOWN_LINK.findall(text) + REFERENCE_LINK.findall(text)
    for target in targets:
        if URL.match(target) or target.startswith(("mailto:", "tel:")):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            problems.append(f"{path.relative_to(ROOT)}: link to missing {target!r}")
            continue
        if anchor and resolved.suffix == ".md":
            if anchor.lower() not in heading_anchors(resolved.read_text(encoding="utf-8")):
                problems.append(f"{path.relative_to(ROOT)}: no heading #{anchor} in {file_part}")
    return problems


def test_every_markdown_link_names_a_file_of_the_repository():
    problems = []
    for path in tracked_files():
        if path.suffix != ".md":
            continue
        text = text_of(path)
        if text is not None:
            problems.extend(broken_links(path, FENCE.sub("", text)))
    assert problems == []


def test_every_md_file_name_mentioned_is_a_file_of_the_repository():
    files = tracked_files()
    names = {path.name for path in files}
    problems = []
    for path in files:
        text = text_of(path)
        if text is None:
            continue
        for name in MD_NAME.findall(URL.sub(" ", text)):
            found = (ROOT / name).is_file() or (path.parent / name).is_file()
            if "/" not in name:
                found = found or name in names
            if not found:
                problems.append(f"{path.relative_to(ROOT)}: names missing {name}")
    assert sorted(set(problems)) == []


def test_no_file_names_the_design_notes_kept_outside_the_repository():
    offenders = []
    for path in tracked_files():
        text = text_of(path)
        if text is not None and any(name in text for name in OUTSIDE_DOCUMENTS):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_architecture_document_is_there_and_linked_from_the_readme_and_developing():
    architecture = ROOT / "docs" / "ARCHITECTURE.md"
    assert architecture.is_file()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    developing = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
    assert "](docs/ARCHITECTURE.md" in readme
    assert "](ARCHITECTURE.md)" in developing
