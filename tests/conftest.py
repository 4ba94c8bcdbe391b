"""Shared fixtures: govtool run in-process or as a real process, and governance repos
built in temporary directories."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from govtool import tracking
from govtool.cli import main
from govtool.tracker import Broker, dump_tracker, new_tracker

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def govtool(capsys, monkeypatch):
    """Run govtool in-process: ``govtool(root, "status", "--json")`` -> Result."""
    monkeypatch.setenv("GOVTOOL_USER", "Test Dev")
    monkeypatch.delenv("GOVTOOL_ROOT", raising=False)
    monkeypatch.setenv("GOVTOOL_NOW", "2026-02-02T10:00:00Z")

    def run(root: Path | None, *args: str, now: str | None = None) -> Result:
        if now:
            monkeypatch.setenv("GOVTOOL_NOW", now)
        argv = (["--root", str(root)] if root is not None else []) + list(args)
        capsys.readouterr()
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None, python: str | None = None) -> Result:
    """Run govtool as a real process (``python -m govtool``)."""
    full_env = {k: v for k, v in os.environ.items() if k != "GOVTOOL_ROOT"}
    full_env.update({"GOVTOOL_USER": "Test Dev", **(env or {})})
    proc = subprocess.run(
        [python or sys.executable, "-m", "govtool", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def ts(day: str, time: str = "09:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}+00:00")


def build_tracker(stages: dict[str, str]):
    """A tracker with one broker per entry, driven through the lifecycle to its stage.

    ``stages`` maps broker id to a status; the history is made by the real lifecycle.
    """
    tracker = new_tracker()
    day = dt.date(2026, 1, 5)
    for bid, stage in stages.items():
        at = ts(day.isoformat())
        tracking.add_broker(
            tracker, Broker(id=bid, name=bid.replace("-", " ").title(), status="researching"), "Dev", at
        )
        steps = {
            "researching": [],
            "pending": ["notify"],
            "approved": ["notify", "approve"],
            "rejected": ["notify", "reject"],
            "on_hold": ["notify", "hold"],
            "in_progress": ["notify", "approve", "start"],
            "completed": ["notify", "approve", "start", "complete"],
        }[stage]
        for step in steps:
            if step == "notify":
                tracking.record_event(tracker, bid, "research_completed", "Dev", at)
                tracking.record_event(tracker, bid, "pm_notified", "Dev", at, kind="research-completed")
            elif step in ("approve", "reject", "hold"):
                decision = {"approve": "approved", "reject": "rejected", "hold": "on_hold"}[step]
                tracking.record_event(tracker, bid, "decision", "PM", at, decision=decision, reason="test")
            elif step == "start":
                tracking.start(tracker, bid, "Dev", at)
            elif step == "complete":
                tracking.complete(tracker, bid, "Dev", at)
    return tracker


@pytest.fixture
def make_repo(tmp_path, govtool):
    """A governance repo in a temporary directory: ``make_repo({"alpaca": "approved"})`` -> root."""

    def make(stages: dict[str, str] | None = None, name: str = "gov") -> Path:
        root = tmp_path / name
        result = govtool(None, "init", str(root))
        assert result.exit_code == 0, result.stderr
        if stages:
            (root / "tracker.yaml").write_text(dump_tracker(build_tracker(stages)), encoding="utf-8")
            assert govtool(root, "render").exit_code == 0
        return root

    return make


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (but .govtool/), by relative path, for byte-identity checks."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".govtool" not in p.relative_to(root).parts
    }


@pytest.fixture
def repo_copy(tmp_path):
    """A copy of this repository's own governance data (tracker, docs, memory)."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "tracker.yaml", root / "tracker.yaml")
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "PROJECT_MEMORY.md", root / "PROJECT_MEMORY.md")
    return root
