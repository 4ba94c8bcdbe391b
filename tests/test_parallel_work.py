"""Thirty-five developers at once: pull requests on different brokers never conflict.

Real git repositories in temporary directories, govtool run as the README tells a
developer to run it, and plain `git merge` (no merge driver, no local git config)
unless a test installs the driver.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, filled_research_doc

from govtool.model import Tracker, dump_tracker, replay_history
from govtool.storage import read_tracker
from govtool.validation import tracker_from_texts

ENV = {
    **os.environ,
    "GOVTOOL_USER": "Test Dev",
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
ENV.pop("GOVTOOL_ROOT", None)


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, env=ENV, capture_output=True, text=True, check=check)


def govtool(root: Path, *args: str, now: str = "2026-02-02T10:00:00Z") -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "govtool", *args],
        cwd=root,
        env={**ENV, "GOVTOOL_NOW": now},
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 3), f"govtool {' '.join(args)}: {result.stderr}"
    return result


def commit_all(root: Path, message: str) -> None:
    """What the README tells a developer: commit what the command wrote."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def events_of(root: Path) -> set[str]:
    tracker = read_tracker(root)
    return {
        json.dumps({"broker": b.id, **e.to_dict()}, default=str, sort_keys=True)
        for b in tracker.brokers.values()
        for e in b.history
    }


def this_repo(tmp_path: Path) -> Path:
    """A git repo holding this repository's governance data, prepared on main so that each
    of the eight commands has a broker it may run on."""
    root = tmp_path / "gov"
    root.mkdir()
    for name in ("tracker.yaml", "PROJECT_MEMORY.md"):
        shutil.copy(REPO / name, root / name)
    for name in ("tracker.d", "docs"):
        shutil.copytree(REPO / name, root / name)
    (root / ".gitignore").write_text("/.govtool/\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "this repository's governance data")
    docs = root / "docs/brokers/api-research"
    for broker_id, name in (("oanda", "OANDA"), ("topstepx", "TopstepX"), ("groww", "Groww"), ("zerodha", "Zerodha")):
        (docs / f"{broker_id}.md").write_text(filled_research_doc(broker_id, name))
    for broker_id in ("oanda", "topstepx", "zerodha"):
        govtool(root, "notify", broker_id, "--sent-by-hand", now="2026-01-20T09:00:00Z")
    for broker_id in ("oanda", "topstepx"):
        govtool(root, "decide", broker_id, "approved", "--by", "Jane PM", now="2026-01-21T09:00:00Z")
        govtool(root, "start", broker_id, now="2026-01-22T09:00:00Z")
    govtool(
        root, "decide", "zerodha", "rejected", "--by", "Jane PM", "--reason", "out of scope", now="2026-01-21T10:00:00Z"
    )
    govtool(root, "render")
    commit_all(root, "main moves on: two implementations started, one rejection")
    return root


#: Eight branches, each one command on a different broker. research new of two brokers
#: whose ids sort next to existing ones (alpaca, oanda).
BRANCHES: list[tuple[str, list[str]]] = [
    ("decide", ["decide", "alpaca", "approved", "--by", "Jane PM"]),
    ("progress", ["progress", "oanda", "40"]),
    ("block", ["block", "topstepx", "Waiting for API keys"]),
    ("new-1", ["research", "new", "alpaca-crypto", "--name", "Alpaca Crypto"]),
    ("new-2", ["research", "new", "oanda-us", "--name", "OANDA US"]),
    ("score", ["score", "groww", "--user-demand", "4", "--cost-benefit", "3"]),
    ("notify", ["notify", "tradestation", "--kind", "cost-discovery", "--message", "Market costs", "--sent-by-hand"]),
    ("reopen", ["reopen", "zerodha", "--reason", "the partnership came through"]),
]


def make_branches(root: Path) -> set[str]:
    """Run each command on its own branch from main; return every event they recorded."""
    before = events_of(root)
    recorded: set[str] = set()
    for name, argv in BRANCHES:
        git(root, "checkout", "-q", "-b", name, "main")
        govtool(root, *argv)
        recorded |= events_of(root) - before
        commit_all(root, f"govtool {' '.join(argv[:2])}")
        git(root, "checkout", "-q", "main")
    return recorded


def merge_in_order(root: Path, order: list[str]) -> None:
    for name in order:
        result = git(root, "merge", "--no-edit", "-q", name, check=False)
        assert result.returncode == 0, f"merging {name} conflicts:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "reversed"])
def test_eight_parallel_branches_of_this_repo_merge_without_conflict(tmp_path, reverse):
    root = this_repo(tmp_path)
    recorded = make_branches(root)
    assert len(recorded) >= len(BRANCHES)
    names = [name for name, _ in BRANCHES]
    merge_in_order(root, names[::-1] if reverse else names)
    govtool(root, "render")  # the documented post-merge step (the docs workflow on GitHub)
    assert subprocess.run([sys.executable, "-m", "govtool", "validate"], cwd=root, env=ENV).returncode == 0
    check = subprocess.run([sys.executable, "-m", "govtool", "render", "--check"], cwd=root, env=ENV)
    assert check.returncode == 0
    assert recorded <= events_of(root), "an event of a branch is missing after the merges"


def test_eight_parallel_branches_of_a_repo_made_by_init_merge_without_conflict(tmp_path):
    root = tmp_path / "new"
    subprocess.run([sys.executable, "-m", "govtool", "init", str(root)], env=ENV, check=True, capture_output=True)
    git(root, "init", "-q", "-b", "main")
    docs = root / "docs/brokers/api-research"
    for broker_id, name in (("alpaca", "Alpaca"), ("oanda", "OANDA"), ("topstepx", "TopstepX")):
        govtool(root, "research", "new", broker_id, "--name", name, now="2026-01-10T09:00:00Z")
        (docs / f"{broker_id}.md").write_text(filled_research_doc(broker_id, name))
    for broker_id in ("groww", "zerodha", "tradestation"):
        govtool(root, "research", "new", broker_id, "--name", broker_id.title(), now="2026-01-10T09:00:00Z")
        (docs / f"{broker_id}.md").write_text(filled_research_doc(broker_id, broker_id.title()))
    for broker_id in ("alpaca", "oanda", "topstepx", "zerodha"):
        govtool(root, "notify", broker_id, "--sent-by-hand", now="2026-01-20T09:00:00Z")
    for broker_id in ("oanda", "topstepx"):
        govtool(root, "decide", broker_id, "approved", "--by", "Jane PM", now="2026-01-21T09:00:00Z")
        govtool(root, "start", broker_id, now="2026-01-22T09:00:00Z")
    govtool(root, "decide", "zerodha", "rejected", "--by", "Jane PM", "--reason", "no", now="2026-01-21T10:00:00Z")
    govtool(root, "render")
    commit_all(root, "a new governance repo with five brokers")
    recorded = make_branches(root)
    merge_in_order(root, [name for name, _ in BRANCHES])
    govtool(root, "render")
    assert subprocess.run([sys.executable, "-m", "govtool", "validate"], cwd=root, env=ENV).returncode == 0
    assert subprocess.run([sys.executable, "-m", "govtool", "render", "--check"], cwd=root, env=ENV).returncode == 0
    assert recorded <= events_of(root)


def two_branches_on_one_broker(tmp_path: Path, first: list[str], second: list[str]) -> Path:
    root = this_repo(tmp_path)
    git(root, "checkout", "-q", "-b", "one", "main")
    govtool(root, *first, now="2026-02-02T10:00:00Z")
    commit_all(root, "one")
    git(root, "checkout", "-q", "-b", "two", "main")
    govtool(root, *second, now="2026-02-02T11:00:00Z")
    commit_all(root, "two")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "--no-edit", "-q", "one")
    return root


def test_two_branches_on_one_broker_conflict_in_that_brokers_file_only(tmp_path):
    root = two_branches_on_one_broker(tmp_path, ["progress", "oanda", "40"], ["progress", "oanda", "60"])
    result = git(root, "merge", "--no-edit", "two", check=False)
    assert result.returncode != 0
    conflicted = git(root, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert conflicted == ["tracker.d/oanda.yaml"]


def test_the_merge_driver_merges_two_progress_events_and_replays_them(tmp_path):
    root = two_branches_on_one_broker(tmp_path, ["progress", "oanda", "40"], ["progress", "oanda", "60"])
    before = events_of(root)
    govtool(root, "merge-driver", "--install")
    result = git(root, "merge", "--no-edit", "two", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    tracker = read_tracker(root)
    oanda = tracker.brokers["oanda"]
    assert [e.details.get("percent") for e in oanda.events("progress")] == [40, 60]
    assert oanda.progress == 60 and replay_history(oanda).progress == 60
    assert before <= events_of(root)
    assert subprocess.run([sys.executable, "-m", "govtool", "validate"], cwd=root, env=ENV).returncode == 0


def test_the_merge_driver_leaves_two_different_decisions_as_a_conflict(tmp_path):
    root = two_branches_on_one_broker(
        tmp_path,
        ["decide", "alpaca", "approved", "--by", "Jane PM"],
        ["decide", "alpaca", "rejected", "--by", "Jane PM", "--reason", "too costly"],
    )
    govtool(root, "merge-driver", "--install")
    result = git(root, "merge", "--no-edit", "two", check=False)
    assert result.returncode != 0
    text = (root / "tracker.d/alpaca.yaml").read_text()
    assert "<<<<<<<" in text and "decision: approved" in text and "decision: rejected" in text  # nothing dropped
    assert "do not replay together" in result.stdout + result.stderr


def test_the_merge_driver_orders_events_by_the_instant_not_by_how_it_is_written():
    """A time written in another zone (by hand, another tool) sorts by the instant it
    names: the base's own events keep their order and the merge replays; a side that
    reorders the base's events is a conflict, as one that drops one is."""
    from govtool.merge import merge_broker_files

    base = (
        "name: Alpaca\nstatus: researching\nprogress: 0\nhistory:\n"
        "- {at: '2026-01-05T10:00:00+01:00', event: research_started, by: Dev}\n"
        "- {at: '2026-01-05T09:30:00Z', event: note, by: Dev, note: a}\n"
    )
    ours = base + "- {at: '2026-01-06T09:00:00Z', event: note, by: Dev, note: b}\n"
    theirs = base + "- {at: '2026-01-06T08:00:00Z', event: note, by: Dev, note: c}\n"
    result = merge_broker_files("alpaca", base, ours, theirs, "tracker.d/alpaca.yaml")
    assert result.conflicts == [] and result.text is not None
    assert [line.split("note: ")[-1] for line in result.text.splitlines() if "note: " in line] == ["a", "c", "b"]
    lines = base.splitlines()
    swapped = "\n".join([*lines[:4], lines[5], lines[4]]) + "\n"
    result = merge_broker_files("alpaca", base, swapped, theirs, "tracker.d/alpaca.yaml")
    assert result.text is None
    assert result.conflicts == [
        "tracker.d/alpaca.yaml: ours removed or changed the event of 2026-01-05T09:30:00Z (note); "
        "history is append-only"
    ]


def test_migrate_this_repos_single_file_tracker_gives_identical_replays(tmp_path):
    """The pre-migration tracker is this repo's data as one file (version 1)."""
    root = tmp_path / "gov"
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "PROJECT_MEMORY.md", root / "PROJECT_MEMORY.md")
    current = read_tracker(REPO)
    single = Tracker(settings=current.settings, brokers=current.brokers, version=1)
    (root / "tracker.yaml").write_text(dump_tracker(single), encoding="utf-8")
    first = govtool(root, "migrate")
    assert "every replay is identical" in first.stdout
    migrated = read_tracker(root)
    assert migrated.split
    for broker_id, broker in single.brokers.items():
        assert migrated.brokers[broker_id].to_dict() == broker.to_dict()
        assert replay_history(migrated.brokers[broker_id]) == replay_history(broker)
    files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".govtool" not in p.parts}
    second = govtool(root, "migrate")
    assert "nothing to do" in second.stdout
    assert files == {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".govtool" not in p.parts}
    for name in ("tracker.yaml", *(f"tracker.d/{b}.yaml" for b in migrated.brokers)):
        repo_text = (REPO / name).read_text(encoding="utf-8")
        if name != "tracker.yaml":  # this repo's settings render docs on main; the copy's are the same
            assert (root / name).read_text(encoding="utf-8") == repo_text


def test_migrate_a_generated_thousand_broker_tracker(tmp_path):
    from conftest import build_tracker

    stages = {f"broker-{n:04d}": ("in_progress", "pending", "completed", "rejected")[n % 4] for n in range(1000)}
    single = build_tracker(stages)
    root = tmp_path / "big"
    root.mkdir()
    (root / "tracker.yaml").write_text(dump_tracker(single), encoding="utf-8")
    govtool(root, "migrate")
    broker_texts = {p.stem: p.read_text(encoding="utf-8") for p in (root / "tracker.d").glob("*.yaml")}
    migrated = tracker_from_texts((root / "tracker.yaml").read_text(encoding="utf-8"), broker_texts)
    assert len(migrated.brokers) == 1000
    assert all(replay_history(migrated.brokers[b]) == replay_history(single.brokers[b]) for b in stages)
    assert "nothing to do" in govtool(root, "migrate").stdout


def test_a_command_on_one_broker_writes_that_brokers_file_only(tmp_path):
    root = this_repo(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    govtool(root, "progress", "oanda", "55")
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    changed = sorted(str(p.relative_to(root)) for p in after if before.get(p) != after[p] and ".govtool" not in p.parts)
    assert changed == ["tracker.d/oanda.yaml"]


def test_a_bad_broker_file_is_reported_in_its_own_file_and_line(tmp_path):
    root = this_repo(tmp_path)
    path = root / "tracker.d/oanda.yaml"
    path.write_text(path.read_text().replace("progress: 0", "progress: 140"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "govtool", "validate"], cwd=root, env=ENV, capture_output=True, text=True
    )
    assert result.returncode == 2
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text == "progress: 140")
    assert f"tracker.d/oanda.yaml:{line}: progress: expected a whole percent 0-100 (got 140)" in result.stderr
