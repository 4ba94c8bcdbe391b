"""The CI gate on real git repositories built in temporary directories."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import build_tracker, modules_loaded_by

from govtool.model import dump_tracker
from govtool.settings import Settings

PATHS = ["src/services/broker/{broker}-provider.ts", "src/services/broker/{broker}/**"]


def git(root, *args, author: str | None = None):
    env = None
    if author:
        import os

        name, email = author.split(" <")
        env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">")}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env).stdout


def write_tracker(root, stages, approvers=()):
    tracker = build_tracker(stages)
    tracker.settings = Settings.with_defaults({"gate": {"paths": PATHS, "approvers": list(approvers)}})
    (root / "tracker.yaml").write_text(dump_tracker(tracker), encoding="utf-8")


def write(root, path, text="// code\n"):
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Dev")
    git(root, "config", "user.email", "dev@example.com")
    write_tracker(root, {"alpaca": "approved", "oanda": "pending", "tradestation": "rejected", "ibkr": "completed"})
    write(root, "src/services/broker/oanda/client.ts")
    write(root, "src/services/broker/types.ts")
    write(root, "README.md", "app\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    return root


def change(root, message="change"):
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def test_approved_broker_code_passes(repo, govtool):
    write(repo, "src/services/broker/alpaca-provider.ts")
    write(repo, "src/services/broker/alpaca/sync/trades.ts")
    write(repo, "src/services/broker/ibkr/fix.ts")
    write(repo, "docs/notes.md")
    change(repo)
    result = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    verdicts = {b["broker"]: b for b in data["brokers"]}
    assert set(verdicts) == {"alpaca", "ibkr"}
    assert govtool(repo, "gate", "--base", "main", "--json").stdout == result.stdout  # --json is --format json
    assert govtool(repo, "gate", "--base", "main", "--json", "--format", "github").exit_code == 2
    assert sorted(p["path"] for p in verdicts["alpaca"]["paths"]) == [
        "src/services/broker/alpaca-provider.ts",
        "src/services/broker/alpaca/sync/trades.ts",
    ]
    assert verdicts["alpaca"]["status_at_base"] == "approved" and data["passed"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("src/services/broker/oanda/orders.ts", "oanda is pending at main; connector code needs"),
        ("src/services/broker/tradestation-provider.ts", "tradestation is rejected at main"),
        ("src/services/broker/bitget_perpetual/client.ts", 'govtool research new bitget_perpetual --name "..."'),
    ],
)
def test_pending_rejected_and_unknown_brokers_fail(repo, govtool, path, message):
    write(repo, path)
    change(repo)
    result = govtool(repo, "gate", "--base", "main")
    assert result.exit_code == 1
    assert message in result.stderr
    assert path.split("/")[3].split("-provider")[0] in result.stdout  # the table names the broker


def test_modifying_existing_code_of_a_pending_broker_fails(repo, govtool):
    write(repo, "src/services/broker/oanda/client.ts", "// changed\n")
    change(repo)
    assert govtool(repo, "gate", "--base", "main").exit_code == 1


def test_deleting_code_of_a_broker_that_is_not_approved_passes(repo, govtool):
    git(repo, "rm", "-q", "src/services/broker/oanda/client.ts")
    change(repo)
    result = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.stdout
    (verdict,) = json.loads(result.stdout)["brokers"]
    assert verdict["paths"] == [{"path": "src/services/broker/oanda/client.ts", "change": "deleted"}]


def test_renames_into_and_out_of_a_connector_directory(repo, govtool):
    (repo / "src/shared").mkdir()
    git(repo, "mv", "src/services/broker/oanda/client.ts", "src/shared/oanda-client.ts")
    change(repo, "move out")
    out = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert out.exit_code == 0, out.stdout
    assert json.loads(out.stdout)["brokers"][0]["paths"][0]["change"] == "renamed-from"
    (repo / "src/services/broker/tradestation").mkdir()
    git(repo, "mv", "src/services/broker/types.ts", "src/services/broker/tradestation/types.ts")
    change(repo, "move in")
    into = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert into.exit_code == 1
    verdicts = {b["broker"]: b for b in json.loads(into.stdout)["brokers"]}
    assert verdicts["tradestation"]["paths"] == [
        {"path": "src/services/broker/tradestation/types.ts", "change": "renamed-to"}
    ]
    assert verdicts["oanda"]["passed"] and not verdicts["tradestation"]["passed"]


def test_a_change_cannot_approve_its_own_connector(repo, govtool):
    write_tracker(repo, {"alpaca": "approved", "oanda": "approved", "tradestation": "rejected", "ibkr": "completed"})
    write(repo, "src/services/broker/oanda/orders.ts")
    change(repo, "approve oanda and add its code")
    result = govtool(repo, "gate", "--base", "main")
    assert result.exit_code == 1
    assert "oanda is pending at main" in result.stderr
    assert "the approval must land first" in result.stderr
    # Once the approval is on main, the same code passes.
    git(repo, "checkout", "-q", "main")
    write_tracker(repo, {"alpaca": "approved", "oanda": "approved", "tradestation": "rejected", "ibkr": "completed"})
    change(repo, "approve oanda")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    assert govtool(repo, "gate", "--base", "main").exit_code == 0


def test_github_format_annotates_and_writes_the_step_summary(repo, govtool, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    write(repo, "src/services/broker/oanda/orders.ts")
    write(repo, "src/services/broker/alpaca/client.ts")
    change(repo)
    result = govtool(repo, "gate", "--base", "main", "--format", "github")
    assert result.exit_code == 1
    assert "::error file=src/services/broker/oanda/orders.ts::oanda is pending at main" in result.stdout
    assert "alpaca/client.ts" not in result.stdout
    text = summary.read_text()
    assert "## ❌ govtool gate failed" in text and "| oanda | 1 | pending | ❌ fail |" in text


def test_default_base_follows_github_base_ref(repo, govtool, monkeypatch):
    write(repo, "src/services/broker/oanda/orders.ts")
    change(repo)
    assert govtool(repo, "gate").exit_code == 1  # no origin/main: falls back to main
    monkeypatch.setenv("GITHUB_BASE_REF", "release")
    result = govtool(repo, "gate")
    assert result.exit_code == 2 and "'origin/release' is not a commit" in result.stderr


def test_a_bad_ref_and_a_shallow_clone_exit_2(repo, govtool, tmp_path):
    assert "is not a commit" in govtool(repo, "gate", "--base", "no-such-branch").stderr
    assert govtool(repo, "gate", "--base", "no-such-branch").exit_code == 2
    write(repo, "src/services/broker/alpaca/x.ts")
    change(repo)
    git(repo, "checkout", "-q", "main")
    write(repo, "README.md", "app 2\n")
    change(repo, "main moves on")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    git(clone, "checkout", "-q", "feature")
    result = govtool(clone, "gate", "--base", "origin/main")
    assert result.exit_code == 2
    assert "no merge base" in result.stderr and "shallow clone" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_a_bad_head_and_unrelated_histories_exit_2(repo, govtool):
    result = govtool(repo, "gate", "--base", "main", "--head", "v9")
    assert result.exit_code == 2 and "--head: 'v9' is not a commit" in result.stderr
    git(repo, "checkout", "-q", "--orphan", "imported")
    change(repo, "unrelated history")
    result = govtool(repo, "gate", "--base", "main")
    assert result.exit_code == 2
    assert "no merge base between main and HEAD" in result.stderr and "shallow" not in result.stderr.split("\n")[0]


def test_an_empty_change_passes_and_a_criss_cross_history_uses_gits_merge_base(repo, govtool):
    data = json.loads(govtool(repo, "gate", "--base", "main", "--format", "json").stdout)
    assert data["passed"] and data["changed_files"] == 0 and data["brokers"] == []
    write(repo, "docs/feature.md")
    change(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    write(repo, "docs/main.md")
    change(repo, "main work")
    git(repo, "merge", "-q", "--no-edit", "feature^0")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main^1")
    assert len(git(repo, "merge-base", "--all", "main", "feature").split()) == 2
    write(repo, "src/services/broker/oanda/orders.ts")
    change(repo)
    result = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["merge_base"] == git(repo, "merge-base", "main", "feature").strip()
    assert [(b["broker"], [p["path"] for p in b["paths"]]) for b in data["brokers"]] == [
        ("oanda", ["src/services/broker/oanda/orders.ts"])
    ]


def test_not_a_git_repository_exits_2(make_repo, govtool):
    root = make_repo()
    result = govtool(root, "gate")
    assert result.exit_code == 2 and "not a git repository" in result.stderr


def test_the_action_and_the_pre_commit_hooks_are_valid():
    import yaml
    from conftest import REPO

    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert all(step["shell"] == "bash" for step in action["runs"]["steps"])
    assert "govtool gate" in action["runs"]["steps"][-1]["run"]
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"govtool-validate", "govtool-render-check", "govtool-gate"}
    assert hooks["govtool-gate"]["stages"] == ["pre-push"]
    for hook in hooks.values():
        assert hook["entry"].startswith("govtool ") and hook["language"] == "python"


def test_the_gate_imports_only_what_it_uses(repo):
    """No GitPython (git runs as processes), no Slack, mail, Jinja2, holidays or asyncio in
    a CI gate run: each would cost tens of milliseconds on every pull request."""
    write(repo, "src/services/broker/alpaca/x.ts")
    change(repo)
    run, loaded = modules_loaded_by(["gate", "--base", "main", "--format", "json"], repo)
    assert json.loads(run.stdout)["passed"], run.stderr
    assert "yaml" in loaded
    assert not {"git", "pathspec", "asyncio", "slack_sdk", "smtplib", "jinja2", "holidays"} & loaded


def test_the_gate_reads_the_split_layout_at_the_merge_base(repo, govtool):
    """After `govtool migrate` lands on main, statuses come from tracker.d/ at the base, never
    from the change; an approval made in the change itself still does not count."""
    assert govtool(repo, "migrate").exit_code == 0
    git(repo, "checkout", "-q", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one file per broker")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    write(repo, "src/services/broker/alpaca/sync.ts")
    change(repo)
    passed = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert passed.exit_code == 0, passed.stderr
    assert {b["broker"]: b["status_at_base"] for b in json.loads(passed.stdout)["brokers"]} == {"alpaca": "approved"}
    assert govtool(repo, "decide", "oanda", "approved", "--by", "Jane PM", "--no-slack").exit_code == 0
    write(repo, "src/services/broker/oanda/sync.ts")
    change(repo, "approve oanda in the change itself")
    failed = govtool(repo, "gate", "--base", "main", "--format", "json")
    assert failed.exit_code == 1
    verdicts = {b["broker"]: b for b in json.loads(failed.stdout)["brokers"]}
    assert verdicts["oanda"]["status_at_base"] == "pending" and not verdicts["oanda"]["passed"]
    assert "the approval must land first" in verdicts["oanda"]["message"]
