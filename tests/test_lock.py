"""Installs come from the lock: every package pyproject.toml asks for (the dev extra and the build backend included) is
pinned in requirements.lock to one version with its hashes, so a fresh machine installs what the tests saw."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", re.MULTILINE)


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]).lower()


def test_every_dependency_is_pinned_with_hashes_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    asked = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["dev"]]
    asked += project["build-system"]["requires"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_name(name): version for name, version in PIN.findall(lock)}
    assert sorted(_name(r) for r in asked if _name(r) not in pinned) == []
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock)  # one block a package: its pin, hashes and "via" comments
    unhashed = [block.split("==")[0] for block in blocks if "==" in block and "--hash=sha256:" not in block]
    assert unhashed == []
    assert "--output-file=requirements.lock" in lock and "pyproject.toml" in lock.splitlines()[4]  # written by `make lock`
