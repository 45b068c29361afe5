"""The ranked choices of an application, edited with buttons that post (no drag, no script).

The page posts the current list (`choice`, in rank order, each `outlet:kind`) and one `op`:
`add` (with `add_choice`), `remove:<i>`, `up:<i>`, `down:<i>` rearrange the list and show it again
without writing; `save` sends it to the service, which checks it (round open, groups of the
round, distinct, at most `max_choices`).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

CHOICE_RE = re.compile(r"^([0-9]{1,10}):([a-z]{1,16})$")
OP_RE = re.compile(r"^(add|save|remove|up|down)(?::([0-9]{1,3}))?$")
MAX_POSTED = 20
CHOICE_UNKNOWN = _("Choose an outlet and stall kind from the list.")


def parse_choice(value: str) -> tuple[int, str] | None:
    match = CHOICE_RE.match(value or "")
    return (int(match.group(1)), match.group(2)) if match else None


class ChoicesEdit:
    """The list being edited, the operation asked for, and any message about the list."""

    def __init__(self, data, groups: list[dict]) -> None:
        self.known = {(g["outlet"], g["stall_kind"]) for g in groups}
        posted = data.getlist("choice")[:MAX_POSTED] if data is not None else []
        self.choices: list[tuple[int, str]] = []
        self.errors: list[str] = []
        for value in posted:
            key = parse_choice(value)
            if key is None or key not in self.known:
                self.errors.append(str(CHOICE_UNKNOWN))
            elif key not in self.choices:
                self.choices.append(key)
        match = OP_RE.match(data.get("op", "") if data is not None else "")
        self.op = match.group(1) if match else None
        self.index = int(match.group(2)) if match and match.group(2) else None
        self.add_value = data.get("add_choice", "") if data is not None else ""

    def apply(self) -> None:
        """Rearrange the list as asked (a no-op for `save` or an index out of range)."""
        i, items = self.index, self.choices
        if self.op == "add":
            key = parse_choice(self.add_value)
            if key is None or key not in self.known:
                self.errors.append(str(CHOICE_UNKNOWN))
            elif key not in items:
                items.append(key)
        elif i is None or not 0 <= i < len(items):
            return
        elif self.op == "remove":
            items.pop(i)
        elif self.op == "up" and i > 0:
            items[i - 1], items[i] = items[i], items[i - 1]
        elif self.op == "down" and i < len(items) - 1:
            items[i + 1], items[i] = items[i], items[i + 1]

    def service_choices(self) -> list[dict]:
        return [{"outlet": outlet, "stall_kind": kind} for outlet, kind in self.choices]
