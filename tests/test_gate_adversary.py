"""The CI gate tried as an adversary would, one test (or a few) per numbered case of the
issue "a gate and a decision record that cannot be talked out of", each on a real git
repository built here, asserting the verdict and the exit code; and the signed approvals.

1. shadowing govtool from the checkout (tests/test_action.py runs action.yml itself);
2. connector names that are not exactly a tracked broker's id;
3. a symbolic link or a submodule at a connector path;
4. approval provenance: signatures, not commit authors; no history walked;
5. statuses read at the tip of the base, not the merge base; criss-cross histories;
6. no setting read from the change when the base lacks the tracker;
7. workflow-command injection through a file name; failures that are not verdicts;
8. the default base.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import build_tracker, sign_approval, ssh_keypair, write_split_tracker

from govtool.model import dump_tracker_settings
from govtool.settings import Settings

PATHS = ["src/services/broker/{broker}-provider.ts", "src/services/broker/{broker}/**"]
STAGES = {"alpaca": "approved", "oanda": "pending", "tradestation": "rejected", "ibkr": "completed"}
PM = "pm@example.com"
MALLORY = "mallory@example.com"


def git(root: Path, *args: str, env: dict | None = None) -> str:
    full = {**os.environ, **(env or {})}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=full).stdout


def init_git(root: Path) -> None:
    """A new git repository at ``root`` (made), on main, with a committer."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Dev")
    git(root, "config", "user.email", "dev@example.com")


def write(root: Path, path: str, text: str = "// code\n") -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def commit(root: Path, message: str = "change", env: dict | None = None) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, env=env)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """SSH keys: the PM's (an approver) and Mallory's (not one)."""
    directory = tmp_path_factory.mktemp("keys")
    return {"pm": ssh_keypair(directory, "pm"), "mallory": ssh_keypair(directory, "mallory")}


def tracker_with(stages=STAGES, **gate):
    tracker = build_tracker(stages)
    tracker.settings = Settings.with_defaults({"gate": {"paths": PATHS, **gate}})
    return tracker


def new_repo(root: Path, tracker=None, signers: str | None = None) -> Path:
    """A governance repo on main (split layout) with some connector code; HEAD on a new
    branch ``feature``."""
    init_git(root)
    write_split_tracker(root, tracker or tracker_with())
    if signers is not None:
        write(root, ".github/allowed_signers", signers)
    write(root, "src/services/broker/oanda/client.ts")
    write(root, "src/services/broker/types.ts")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    return root


@pytest.fixture
def repo(tmp_path):
    return new_repo(tmp_path / "repo", tracker_with(not_brokers=["types.ts"]))


def gate_json(govtool, root: Path, *args: str) -> tuple[int, dict, str]:
    result = govtool(root, "gate", "--base", "main", "--format", "json", *args)
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, {b["broker"]: b for b in data.get("brokers", [])}, result.stderr


# 2. Every path under a connector root is connector code; names are exact ids.


@pytest.mark.parametrize(
    ("path", "name", "imitates"),
    [
        ("src/services/broker/OANDA/orders.ts", "OANDA", "it imitates oanda (case)"),
        ("src/services/broker/Oanda/orders.ts", "Oanda", "it imitates oanda (case)"),
        ("src/services/broker/TradeStation/orders.ts", "TradeStation", "it imitates tradestation (case)"),
        ("src/services/broker/oanda.v2/orders.ts", "oanda.v2", "it imitates oanda (a suffix)"),
        ("src/services/broker/_oanda/orders.ts", "_oanda", "it imitates oanda (separators)"),
        ("src/services/broker/o-anda/orders.ts", "o-anda", "it imitates oanda (separators)"),
        ("src/services/broker/\u043eanda/orders.ts", "\u043eanda", "it imitates oanda (look-alike characters)"),
        ("src/services/broker/\uff4f\uff41\uff4e\uff44\uff41/x", "\uff4f\uff41\uff4e\uff44\uff41", "oanda (look-alike"),
        ("src/services/broker/OANDA-provider.ts", "OANDA-provider.ts", "it imitates oanda (case)"),
        ("src/services/broker/alpaca\u200b/x.ts", "alpaca\u200b", "it imitates alpaca (look-alike characters)"),
    ],
)
def test_names_that_imitate_a_tracked_id_fail_and_say_which(repo, govtool, path, name, imitates):
    write(repo, path)
    commit(repo)
    code, verdicts, stderr = gate_json(govtool, repo)
    assert code == 1, stderr
    verdict = verdicts[name]
    assert verdict["kind"] == "unknown" and not verdict["passed"]
    assert imitates in verdict["message"]
    if not name.isascii():  # the escapes show what the eye cannot
        assert ascii(name)[1:-1] in verdict["message"]


def test_every_name_under_a_root_counts_and_shared_code_is_listed(repo, govtool):
    """A file of shared code beside the connectors fails until the base's settings list
    it; a _template directory too; names listed in not_brokers pass, and say so."""
    write(repo, "src/services/broker/utils.ts")
    write(repo, "src/services/broker/_template/client.ts")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert {n: v["kind"] for n, v in verdicts.items()} == {"_template": "unknown", "utils.ts": "unknown"}
    assert "neither a tracked broker's id nor listed in settings.gate.not_brokers" in verdicts["utils.ts"]["message"]
    # The base lists them (the change cannot): they pass as shared code.
    git(repo, "checkout", "-q", "main")
    write_split_tracker(repo, tracker_with(not_brokers=["types.ts", "utils.ts", "_template"]))
    commit(repo, "shared code under the connector root")
    git(repo, "checkout", "-q", "feature")
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 0
    assert {v["kind"] for v in verdicts.values()} == {"not_broker"}
    assert "listed in settings.gate.not_brokers" in verdicts["_template"]["message"]


def test_a_change_cannot_list_its_own_name_as_shared(repo, govtool):
    write_split_tracker(repo, tracker_with(not_brokers=["types.ts", "OANDA"]))
    write(repo, "src/services/broker/OANDA/orders.ts")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1 and verdicts["OANDA"]["kind"] == "unknown"


def test_roots_match_without_case_as_a_case_insensitive_checkout_sees_them(repo, govtool):
    """On macOS or Windows, Src/Services/Broker/ is src/services/broker/."""
    write(repo, "Src/Services/Broker/oanda/orders.ts")
    write(repo, "SRC/services/broker/alpaca/orders.ts")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert verdicts["oanda"]["status_at_base"] == "pending" and not verdicts["oanda"]["passed"]
    assert verdicts["alpaca"]["passed"]


def test_an_untracked_slug_is_research_first_and_exact_names_pass(repo, govtool):
    write(repo, "src/services/broker/bitget_perpetual/client.ts")
    write(repo, "src/services/broker/alpaca-provider.ts")
    write(repo, "src/services/broker/alpaca/sync/trades.ts")
    write(repo, "src/services/broker/ibkr/fix.ts")
    write(repo, "src/elsewhere/OANDA/notes.ts")  # not under a root
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert set(verdicts) == {"alpaca", "bitget_perpetual", "ibkr"}
    assert 'govtool research new bitget_perpetual --name "..."' in verdicts["bitget_perpetual"]["message"]
    assert verdicts["alpaca"]["passed"] and verdicts["ibkr"]["passed"]
    assert len(verdicts["alpaca"]["paths"]) == 2


def test_removing_code_under_any_name_passes(repo, govtool):
    git(repo, "rm", "-q", "src/services/broker/oanda/client.ts", "src/services/broker/types.ts")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 0
    assert all(v["message"] == "only removes connector code" for v in verdicts.values())


# 3. Links and submodules.


def test_a_symbolic_link_at_a_connector_path_is_that_brokers_code(repo, govtool):
    (repo / "vendor").mkdir()
    write(repo, "vendor/oanda/client.ts")
    (repo / "src/services/broker/oanda-link").symlink_to("../../../vendor/oanda")
    os.symlink("../../../vendor/oanda", repo / "src/services/broker/tradestation")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert verdicts["tradestation"]["kind"] == "broker" and not verdicts["tradestation"]["passed"]
    assert verdicts["tradestation"]["paths"] == [{"path": "src/services/broker/tradestation", "change": "added"}]
    assert verdicts["oanda-link"]["kind"] == "unknown" and "oanda (a suffix)" in verdicts["oanda-link"]["message"]


def test_a_submodule_at_a_connector_path_is_that_brokers_code(repo, govtool):
    sha = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},src/services/broker/tradestation")
    (repo / ".gitmodules").write_text('[submodule "x"]\n\tpath = src/services/broker/tradestation\n\tignore = all\n')
    git(repo, "add", ".gitmodules")
    git(repo, "commit", "-qm", "a submodule that asks to be ignored")
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert verdicts["tradestation"]["paths"] == [{"path": "src/services/broker/tradestation", "change": "added"}]
    assert verdicts["tradestation"]["status_at_base"] == "rejected"


def test_a_link_that_replaces_the_connector_root_fails(repo, govtool):
    git(repo, "rm", "-rq", "src/services/broker")
    write(repo, "vendor/brokers/oanda/client.ts")
    (repo / "src/services").mkdir(parents=True, exist_ok=True)
    (repo / "src/services/broker").symlink_to("../../vendor/brokers")
    commit(repo)
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    link = verdicts["src/services/broker"]
    assert link["kind"] == "link" and "symbolic link or submodule at the connector root" in link["message"]


# 4 and the signature cases: approval provenance is a signature, checked at the base's tip.


def signed_repo(tmp_path, keys, signer="pm", email=PM, approvers=(PM,), edit=None, signers=None) -> Path:
    """alpaca approved on main, its approval signed with ``signer``'s key as ``email``; the
    allowed-signers file gives the PM's key to the PM and Mallory's to Mallory."""
    tracker = tracker_with({"alpaca": "approved", "oanda": "approved"}, approvers=list(approvers))
    sign_approval(tracker, "alpaca", email, keys[signer][0])
    sign_approval(tracker, "oanda", PM, keys["pm"][0])
    if edit:
        edit(tracker.brokers["alpaca"])
    if signers is None:
        signers = f"{PM} {keys['pm'][1]}\n{MALLORY} {keys['mallory'][1]}\n"
    root = new_repo(tmp_path / "signed", tracker, signers)
    write(root, "src/services/broker/alpaca/client.ts")
    commit(root, "alpaca's connector")
    return root


def test_an_approval_signed_by_the_approver_passes(tmp_path, keys, govtool):
    root = signed_repo(tmp_path, keys)
    code, verdicts, stderr = gate_json(govtool, root)
    assert code == 0, stderr
    signature = verdicts["alpaca"]["signature"]
    assert signature["state"] == "verified" and signature["email"] == PM
    assert "signed by pm@example.com (ED25519 key SHA256:" in verdicts["alpaca"]["message"]


def unsign(broker):
    broker.history[-1].details.pop("signature")


def edit_reason(broker):
    broker.history[-1].details["reason"] = "edited after signing"


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"edit": unsign}, "is not signed"),
        ({"signer": "mallory", "email": PM}, "which .github/allowed_signers gives to mallory@example.com, not to pm@"),
        ({"signer": "mallory", "email": PM, "signers": "pm@example.com {pm}\n"}, "a key .github/allowed_signers does"),
        ({"edit": edit_reason}, "does not match the decision as recorded (edited after signing?)"),
        ({"signer": "mallory", "email": MALLORY}, "signed by mallory@example.com, who is not in settings.gate.approv"),
        (
            {"signer": "mallory", "email": PM, "signers": "pm@example.com {pm}\n*@example.com {mallory}\n"},
            "allowed_signers line 2: a wildcard principal, which govtool does not honour",
        ),
    ],
    ids=[
        "unsigned",
        "another key under the approver's email",
        "a key not in allowed signers",
        "edited",
        "no approver",
        "a key listed for a wildcard principal",
    ],
)
def test_approvals_that_are_not_the_approvers_signature_fail(tmp_path, keys, govtool, kwargs, why):
    if "signers" in kwargs:
        kwargs["signers"] = kwargs["signers"].format(pm=keys["pm"][1], mallory=keys["mallory"][1])
    root = signed_repo(tmp_path, keys, **kwargs)
    code, verdicts, stderr = gate_json(govtool, root)
    assert code == 1, stderr
    assert not verdicts["alpaca"]["passed"] and why in verdicts["alpaca"]["message"], verdicts["alpaca"]["message"]
    assert "alpaca" in stderr.splitlines()[0]


def test_an_approver_list_widened_by_the_change_itself_does_not_count(tmp_path, keys, govtool):
    """Mallory signed alpaca's approval on main; her change adds her to the approvers (and
    a key of hers under the PM's email to the allowed signers): both are read at the base."""
    root = signed_repo(tmp_path, keys, signer="mallory", email=MALLORY)
    widened = tracker_with({"alpaca": "approved", "oanda": "approved"}, approvers=[PM, MALLORY])
    widened.version = 2
    write(root, "tracker.yaml", dump_tracker_settings(widened))  # the settings only
    assert "mallory@example.com" in (root / "tracker.yaml").read_text()
    write(root, ".github/allowed_signers", f"{PM} {keys['mallory'][1]}\n{MALLORY} {keys['mallory'][1]}\n")
    write(root, "src/services/broker/oanda/orders.ts")
    commit(root, "widen the approvers")
    code, verdicts, _ = gate_json(govtool, root)
    assert code == 1
    assert "who is not in settings.gate.approvers at main" in verdicts["alpaca"]["message"]
    assert verdicts["oanda"]["passed"]  # the PM's own signature still verifies against the base's file


def test_a_spoofed_commit_author_proves_nothing(tmp_path, keys, govtool):
    """Case 4: the approval is committed with GIT_AUTHOR_EMAIL=pm@example.com, but unsigned."""
    tracker = tracker_with({"alpaca": "pending"}, approvers=[PM])
    root = new_repo(tmp_path / "spoof", tracker, f"{PM} {keys['pm'][1]}\n")
    git(root, "checkout", "-q", "main")
    approved = tracker_with({"alpaca": "approved"}, approvers=[PM])
    write_split_tracker(root, approved)
    commit(root, "approve alpaca", env={"GIT_AUTHOR_NAME": "John", "GIT_AUTHOR_EMAIL": PM})
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "main")
    write(root, "src/services/broker/alpaca/client.ts")
    commit(root)
    code, verdicts, _ = gate_json(govtool, root)
    assert code == 1 and "is not signed" in verdicts["alpaca"]["message"]


def test_no_history_is_walked_parallel_edits_and_a_broken_commit_do_not_matter(tmp_path, keys, govtool):
    """Case 4: tracker edits from parallel branches, and a tracker commit that does not even
    load somewhere in history: the verdict comes from the tip's signed decision alone."""
    tracker = tracker_with({"alpaca": "pending", "oanda": "pending"}, approvers=[PM])
    root = new_repo(tmp_path / "history", tracker, f"{PM} {keys['pm'][1]}\n")
    git(root, "checkout", "-q", "main")
    write(root, "tracker.d/oanda.yaml", "name: [broken\n")
    commit(root, "a broken tracker commit")
    git(root, "checkout", "-qb", "side")
    side = tracker_with({"alpaca": "pending", "oanda": "approved"}, approvers=[PM])
    sign_approval(side, "oanda", MALLORY, keys["mallory"][0])
    write_split_tracker(root, side)
    commit(root, "a non-approver approves oanda on a side branch", env={"GIT_AUTHOR_EMAIL": MALLORY})
    git(root, "checkout", "-q", "main")
    approved = tracker_with({"alpaca": "approved", "oanda": "pending"}, approvers=[PM])
    sign_approval(approved, "alpaca", PM, keys["pm"][0])
    write_split_tracker(root, approved)
    commit(root, "the PM approves alpaca")
    git(root, "merge", "-q", "-X", "theirs", "--no-edit", "side")
    assert "status: approved" in (root / "tracker.d/oanda.yaml").read_text()
    git(root, "checkout", "-q", "feature")
    write(root, "src/services/broker/alpaca/client.ts")
    write(root, "src/services/broker/oanda/orders.ts")
    commit(root)
    code, verdicts, stderr = gate_json(govtool, root)
    assert code == 1, stderr
    assert verdicts["alpaca"]["passed"]
    assert "does not verify: signed with ED25519 key" in verdicts["oanda"]["message"]


def test_no_allowed_signers_file_at_the_base_exits_2(tmp_path, keys, govtool):
    tracker = tracker_with({"alpaca": "approved"}, approvers=[PM])
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    root = new_repo(tmp_path / "nosigners", tracker)
    write(root, ".github/allowed_signers", f"{PM} {keys['pm'][1]}\n")  # in the change only
    write(root, "src/services/broker/alpaca/client.ts")
    commit(root)
    result = govtool(root, "gate", "--base", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith("govtool: error: .github/allowed_signers is not at main (")
    assert len(result.stderr.splitlines()) == 2


# 5. The base is read at its tip.


def test_a_decision_revoked_on_main_after_the_branch_point_counts(tmp_path, govtool):
    root = new_repo(tmp_path / "revoked", tracker_with({"alpaca": "pending"}))
    git(root, "checkout", "-q", "main")
    write_split_tracker(root, tracker_with({"alpaca": "approved"}))
    approval = commit(root, "approve alpaca")
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "main")
    write(root, "src/services/broker/alpaca/client.ts")
    commit(root)
    assert gate_json(govtool, root)[0] == 0
    git(root, "checkout", "-q", "main")
    git(root, "revert", "--no-edit", approval)
    git(root, "checkout", "-q", "feature")
    code, verdicts, _ = gate_json(govtool, root)
    assert code == 1 and "alpaca is pending at main" in verdicts["alpaca"]["message"]


def criss_cross(root: Path, main_first: bool) -> Path:
    """A criss-cross history whose two merge bases hold different trackers (oanda pending on
    one, approved on the other), with the dates set so that git's pick of the merge base is
    one or the other; then the feature adds oanda's connector code."""
    clock = iter(range(1_700_000_000, 1_700_100_000, 100))

    def at() -> dict:
        stamp = f"{next(clock)} +0000"
        return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    init_git(root)
    write_split_tracker(root, tracker_with({"oanda": "pending"}))
    commit(root, "base", env=at())
    git(root, "branch", "feature")
    steps = ["main", "feature"] if main_first else ["feature", "main"]
    for branch in steps:
        git(root, "checkout", "-q", branch)
        if branch == "main":
            write_split_tracker(root, tracker_with({"oanda": "approved"}))
            commit(root, "approve oanda", env=at())
        else:
            write(root, "docs/feature.md")
            commit(root, "feature work", env=at())
    main1, feature1 = git(root, "rev-parse", "main", "feature").split()
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-edit", feature1, env=at())
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "--no-edit", main1, env=at())
    write(root, "src/services/broker/oanda/orders.ts")
    commit(root, "oanda's connector", env=at())
    return root


def test_a_criss_cross_verdict_does_not_depend_on_commit_dates(tmp_path, govtool):
    results = []
    for main_first in (True, False):
        root = criss_cross(tmp_path / f"cc-{main_first}", main_first)
        assert len(git(root, "merge-base", "--all", "main", "feature").split()) == 2
        code, verdicts, stderr = gate_json(govtool, root)
        data = json.loads(govtool(root, "gate", "--base", "main", "--json").stdout)
        results.append((code, verdicts["oanda"]["passed"], verdicts["oanda"]["status_at_base"], data["merge_base"]))
        assert set(verdicts) == {"oanda"} and len(data["merge_bases"]) == 2
    assert [r[:3] for r in results] == [(0, True, "approved")] * 2
    picks = {r[3] for r in results}
    assert len(picks) == 2  # git picked a different merge base each time; the verdict did not change


# 6. No setting is read from the change when the base lacks it.


def test_no_tracker_at_the_base_exits_2_and_the_change_s_is_never_read(tmp_path, govtool):
    root = tmp_path / "notracker"
    init_git(root)
    write(root, "README.md", "app\n")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    write_split_tracker(root, tracker_with({"oanda": "approved"}, paths=["nothing/{broker}/**"]))
    write(root, "src/services/broker/oanda/client.ts")
    commit(root)
    result = govtool(root, "gate", "--base", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith("govtool: error: no tracker.yaml at main (") and "settings" in result.stderr


# 7. Workflow-command injection; failures that are not a verdict.


def test_a_file_name_cannot_inject_workflow_commands(repo, govtool):
    name = "src/services/broker/oanda/x\n::add-mask::secret\n::notice file=a,line=1::forged%0A.ts"
    write(repo, name)
    write(repo, "src/services/broker/OANDA,y:z/\rw.ts")
    commit(repo)
    result = govtool(repo, "gate", "--base", "main", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands and all(line.startswith("::error file=") for line in commands)
    forged = "x%0A%3A%3Aadd-mask%3A%3Asecret%0A%3A%3Anotice file=a%2Cline=1%3A%3Aforged%250A.ts::oanda is pending"
    assert any(forged in line for line in commands)
    assert any("OANDA%2Cy%3Az/%0Dw.ts::" in line for line in commands)
    assert not any(line.startswith("::") for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("src/\\{broker}", "no backslash"),
        ("{broker}/**", "needs a directory before {broker}"),
        ("src/*/{broker}/**", "the connector root and the part with {broker} are literal"),
        ("src/../{broker}/**", "no empty, '.' or '..' part"),
    ],
)
def test_a_bad_gate_path_is_refused_by_validate_and_exits_2_at_the_gate(tmp_path, govtool, pattern, message):
    root = new_repo(tmp_path / "badpath", tracker_with())
    tracker = root / "tracker.yaml"
    tracker.write_text(tracker.read_text().replace("- src/services/broker/{broker}/**", f"- '{pattern}'"))
    result = govtool(root, "validate")
    assert result.exit_code == 2 and message in result.stderr
    git(root, "checkout", "-q", "main")
    commit(root, "a bad gate path")
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "main")
    gate = govtool(root, "gate", "--base", "main")
    assert gate.exit_code == 2 and message in gate.stderr
    assert "Traceback" not in gate.stderr and len(gate.stderr.splitlines()) == 2


def test_a_failing_git_command_exits_2_with_gits_own_message(repo, govtool):
    write(repo, "src/services/broker/alpaca/deep/client.ts")
    commit(repo)
    tree = git(repo, "rev-parse", "HEAD:src/services/broker/alpaca").strip()
    (repo / ".git/objects" / tree[:2] / tree[2:]).unlink()
    result = govtool(repo, "gate", "--base", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith("govtool: error: git diff failed: fatal: unable to read")
    assert tree in result.stderr.splitlines()[0] or "tree" in result.stderr


# 8. The default base.


def test_the_default_base_is_the_remotes_default_branch_else_main_or_master(tmp_path, govtool, monkeypatch):
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    upstream = new_repo(tmp_path / "upstream", tracker_with({"oanda": "pending"}))
    git(upstream, "branch", "-m", "main", "develop")
    git(upstream, "checkout", "-q", "develop")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    assert git(clone, "symbolic-ref", "refs/remotes/origin/HEAD").strip() == "refs/remotes/origin/develop"
    git(clone, "config", "user.email", "dev@example.com")
    git(clone, "config", "user.name", "Dev")
    git(clone, "checkout", "-qb", "feature")
    write(clone, "src/services/broker/oanda/orders.ts")
    commit(clone)
    result = govtool(clone, "gate", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["base"] == "origin/develop"

    alone = new_repo(tmp_path / "master", tracker_with({"oanda": "pending"}))
    git(alone, "branch", "-m", "main", "master")
    write(alone, "src/services/broker/oanda/orders.ts")
    commit(alone)
    result = govtool(alone, "gate", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["base"] == "master"
    monkeypatch.setenv("GITHUB_BASE_REF", "master")
    assert "'origin/master' is not a commit" in govtool(alone, "gate").stderr
    monkeypatch.delenv("GITHUB_BASE_REF")
    git(alone, "branch", "-m", "master", "trunk")
    result = govtool(alone, "gate")
    assert result.exit_code == 2 and "no base to compare with" in result.stderr and "--base" in result.stderr


def test_the_pre_commit_hook_uses_the_same_default():
    import yaml
    from conftest import REPO

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["govtool-gate"]["entry"] == "govtool gate"


def test_signed_approvals_in_the_single_file_layout(tmp_path, keys, govtool):
    """One tracker.yaml holding every broker: the approvals are verified the same way."""
    from govtool.model import dump_tracker

    tracker = tracker_with({"alpaca": "approved", "oanda": "approved", "ibkr": "approved"}, approvers=[PM])
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    sign_approval(tracker, "ibkr", PM, keys["mallory"][0])
    root = tmp_path / "single"
    init_git(root)
    (root / "tracker.yaml").write_text(dump_tracker(tracker), encoding="utf-8")
    write(root, ".github/allowed_signers", f"{PM} {keys['pm'][1]}\n")
    commit(root, "base")
    git(root, "checkout", "-qb", "feature")
    for broker in ("alpaca", "oanda", "ibkr"):
        write(root, f"src/services/broker/{broker}/client.ts")
    commit(root)
    code, verdicts, _ = gate_json(govtool, root)
    assert code == 1
    assert verdicts["alpaca"]["passed"] and verdicts["alpaca"]["signature"]["state"] == "verified"
    assert "is not signed" in verdicts["oanda"]["message"]
    assert verdicts["ibkr"]["signature"]["state"] == "bad_signature"


def test_an_empty_base_is_the_default(repo, govtool, monkeypatch):
    """The action and the scaffolded workflow pass --base "$BASE", empty for a pull request."""
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    write(repo, "src/services/broker/oanda/orders.ts")
    commit(repo)
    result = govtool(repo, "gate", "--base", "", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["base"] == "main"


def test_approvals_the_diff_finds_late_are_verified_too(tmp_path, keys, govtool):
    """The approvals of brokers whose directory changed are verified while the diff runs; a
    broker that only the diff shows (here under a root spelled in another case) is verified
    after it, the same way."""
    root = signed_repo(tmp_path, keys)
    write(root, "SRC/Services/Broker/oanda/orders.ts")
    commit(root)
    code, verdicts, stderr = gate_json(govtool, root)
    assert code == 0, stderr
    assert verdicts["oanda"]["signature"]["state"] == "verified"
    assert verdicts["oanda"]["paths"] == [{"path": "SRC/Services/Broker/oanda/orders.ts", "change": "added"}]


def test_a_governance_root_in_a_subdirectory(tmp_path, keys, govtool):
    """Gate paths, the tracker and the allowed-signers file are all under the governance root."""
    top = tmp_path / "mono"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Dev")
    git(top, "config", "user.email", "dev@example.com")
    tracker = tracker_with({"alpaca": "approved", "oanda": "pending"}, approvers=[PM])
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    (top / "gov").mkdir()
    write_split_tracker(top / "gov", tracker)
    write(top, "gov/.github/allowed_signers", f"{PM} {keys['pm'][1]}\n")
    commit(top, "base")
    git(top, "checkout", "-qb", "feature")
    write(top, "gov/src/services/broker/alpaca/client.ts")
    write(top, "gov/src/services/broker/oanda/client.ts")
    write(top, "src/services/broker/oanda/elsewhere.ts")  # outside the governance root: not its code
    commit(top)
    code, verdicts, stderr = gate_json(govtool, top / "gov")
    assert code == 1, stderr
    assert set(verdicts) == {"alpaca", "oanda"}
    assert verdicts["alpaca"]["passed"] and verdicts["alpaca"]["root"] == "gov/src/services/broker/"
    assert verdicts["oanda"]["paths"] == [{"path": "gov/src/services/broker/oanda/client.ts", "change": "added"}]


# 9. The record itself: history is append-only, so a change may add events, never take
# one out or edit it (who decided what, and when, stays as it was recorded).


def broker_file(root: Path, broker: str) -> Path:
    return root / "tracker.d" / f"{broker}.yaml"


def edit_event(root: Path, broker: str, old: str, new: str) -> None:
    path = broker_file(root, broker)
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_change_that_rewrites_who_decided_fails(repo, govtool):
    """alpaca's decision was the PM's; a change says someone else made it."""
    edit_event(repo, "alpaca", "by: PM", "by: Mallory")
    commit(repo, "who decided alpaca")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert code == 1, stderr
    verdict = verdicts["alpaca"]
    assert verdict["kind"] == "history" and not verdict["passed"] and verdict["status_at_base"] == "approved"
    assert verdict["paths"] == [{"path": "tracker.d/alpaca.yaml", "change": "modified"}]
    assert verdict["message"].startswith("alpaca: this change removes or edits the decision of 2026-01-05")
    assert verdict["message"].endswith("history is append-only: record a new event instead (a decision, a reopen)")
    result = govtool(repo, "gate", "--base", "main")
    assert result.exit_code == 1
    assert result.stderr.startswith("govtool: error: gate: the history of alpaca is rewritten: alpaca: this change")


def test_a_change_that_takes_events_out_or_deletes_the_broker_fails(repo, govtool):
    import yaml

    data = yaml.safe_load(broker_file(repo, "oanda").read_text())
    data["history"] = data["history"][:1]  # the notification taken out: the escalation clock never started
    data["status"] = "researching"
    broker_file(repo, "oanda").write_text(yaml.safe_dump(data, sort_keys=False))
    broker_file(repo, "tradestation").unlink()
    commit(repo, "tidy the tracker")
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    assert "removes or edits the research_completed of 2026-01-05" in verdicts["oanda"]["message"]
    assert "and 1 more" in verdicts["oanda"]["message"]
    assert verdicts["tradestation"]["paths"] == [{"path": "tracker.d/tradestation.yaml", "change": "deleted"}]
    assert verdicts["tradestation"]["status_at_base"] == "rejected"
    assert "removes or edits the research_started of" in verdicts["tradestation"]["message"]
    assert "and 3 more" in verdicts["tradestation"]["message"]


def test_a_broker_file_that_does_not_load_at_head_holds_none_of_its_events(repo, govtool):
    broker_file(repo, "alpaca").write_text("history: [unclosed\n")
    commit(repo, "broken")
    code, verdicts, _ = gate_json(govtool, repo)
    assert code == 1
    message = verdicts["alpaca"]["message"]
    assert "removes or edits the research_started of" in message and "(tracker.d/alpaca.yaml:" in message


def test_events_appended_in_the_change_and_merged_from_main_pass(tmp_path, govtool):
    """The everyday change: events added by govtool, on the branch and on main, merged."""
    tracker = build_tracker(STAGES)
    tracker.settings = Settings.with_defaults({"gate": {"paths": PATHS}, "docs": {"render_on_change": False}})
    repo = new_repo(tmp_path / "appends", tracker)
    assert govtool(repo, "merge-driver", "--install").exit_code == 0
    assert govtool(repo, "start", "alpaca").exit_code == 0
    commit(repo, "start alpaca")
    git(repo, "checkout", "-q", "main")
    assert govtool(repo, "reopen", "tradestation", "--reason", "new pricing").exit_code == 0
    commit(repo, "reopen tradestation")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")
    assert govtool(repo, "progress", "alpaca", "40").exit_code == 0
    commit(repo, "alpaca at 40%")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert (code, verdicts) == (0, {}), stderr


def test_single_file_layout_edits_fail_and_a_migration_passes(tmp_path, govtool):
    from govtool.model import dump_tracker

    root = tmp_path / "single"
    init_git(root)
    (root / "tracker.yaml").write_text(dump_tracker(tracker_with()), encoding="utf-8")
    commit(root, "base")
    git(root, "checkout", "-qb", "migrate")
    assert govtool(root, "migrate").exit_code == 0
    assert (root / "tracker.d" / "alpaca.yaml").exists()
    commit(root, "one file per broker")
    code, verdicts, stderr = gate_json(govtool, root)
    assert (code, verdicts) == (0, {}), stderr
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-qb", "forge")
    text = (root / "tracker.yaml").read_text()
    (root / "tracker.yaml").write_text(text.replace("reason: test", "reason: approved long ago", 1))
    commit(root, "forge")
    code, verdicts, _ = gate_json(govtool, root)
    assert code == 1
    assert verdicts["alpaca"]["paths"] == [{"path": "tracker.yaml", "change": "modified"}]
    assert "alpaca: this change removes or edits the decision of 2026-01-05" in verdicts["alpaca"]["message"]


def test_a_change_that_reorders_events_fails(repo, govtool):
    """Events of the same second replay in the order they are listed: swapping two of
    them rewrites what happened as surely as editing one (validation's chronology
    cannot see it)."""
    import yaml

    data = yaml.safe_load(broker_file(repo, "ibkr").read_text())
    history = data["history"]
    history[3], history[4] = history[4], history[3]  # the decision and the start of work
    assert history[3]["at"] == history[4]["at"]
    broker_file(repo, "ibkr").write_text(yaml.safe_dump(data, sort_keys=False))
    commit(repo, "tidy the order")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert code == 1, stderr
    message = verdicts["ibkr"]["message"]
    assert message.startswith("ibkr: this change moves the implementation_started of 2026-01-05T09:00:00Z out"), message
    assert "(events replay in the order listed)" in message


@pytest.mark.parametrize("how", ["beside tracker.d", "tracker.d a link"])
def test_events_kept_only_where_govtool_does_not_read_them_fail(repo, govtool, how):
    """tracker.yaml keeps alpaca's events word for word, but govtool reads brokers from
    tracker.d/ whenever it is there (as a directory, or a link that checks out as one)."""
    import yaml

    record = yaml.safe_load(broker_file(repo, "alpaca").read_text())
    settings = yaml.safe_load((repo / "tracker.yaml").read_text())
    brokers = {"alpaca": record}
    if how == "tracker.d a link":  # every broker in tracker.yaml; tracker.d a link to forged files
        brokers = {b: yaml.safe_load(broker_file(repo, b).read_text()) for b in STAGES}
        settings["version"] = 1
        git(repo, "mv", "tracker.d", "forged")
        os.symlink("forged", repo / "tracker.d")
    broker_file(repo, "alpaca").unlink()
    (repo / "tracker.yaml").write_text(yaml.safe_dump({**settings, "brokers": brokers}, sort_keys=False))
    commit(repo, "alpaca back in tracker.yaml")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert code == 1, stderr
    message = verdicts["alpaca"]["message"]
    assert "removes or edits the research_started of 2026-01-05T09:00:00Z and 3 more" in message
    assert "(tracker.yaml lists it, but govtool reads brokers from tracker.d/ there)" in message


def test_events_govtool_rewrites_as_it_always_writes_them_pass(repo, govtool):
    """An event recorded with a fraction of a second or in another zone (by hand, another
    tool) is rewritten by the next command to touch its broker as govtool writes every
    time (UTC, to the second): the same event, so the everyday change passes."""
    git(repo, "checkout", "-q", "main")
    text = broker_file(repo, "alpaca").read_text()
    head, third, last = text.rsplit("2026-01-05T09:00:00Z", 2)  # the notification, the decision
    text = f"{head}'2026-01-05 10:00:00+01:00'{third}2026-01-05T09:00:00.250Z{last}"
    broker_file(repo, "alpaca").write_text(text)
    commit(repo, "events recorded by another tool")
    assert govtool(repo, "validate").exit_code == 0
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")
    assert govtool(repo, "start", "alpaca").exit_code == 0
    assert ".250" not in broker_file(repo, "alpaca").read_text()
    commit(repo, "start alpaca")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert (code, verdicts) == (0, {}), stderr


def test_keys_of_mixed_or_other_types_are_events_too(repo, govtool):
    """A key written 1 in place of '1' edits an event; keys of mixed types are no crash."""
    from govtool.model import event_identity, removed_events

    event = {"at": "2026-01-05T09:00:00Z", "event": "note", "by": "Dev", "note": "x"}
    assert removed_events([{**event, 1: "a"}], [{**event, "1": "a"}]) == [{**event, 1: "a"}]
    assert event_identity({**event, 1: "a", None: "b"}) != event_identity({**event, "1": "a", "null": "b"})
    import yaml

    data = yaml.safe_load(broker_file(repo, "alpaca").read_text())
    data["history"][0][1] = "a"
    broker_file(repo, "alpaca").write_text(yaml.safe_dump(data, sort_keys=False))
    commit(repo, "a key that is a number")
    code, verdicts, stderr = gate_json(govtool, repo)
    assert code == 1 and "Traceback" not in stderr
    assert "removes or edits the research_started of 2026-01-05T09:00:00Z" in verdicts["alpaca"]["message"]
