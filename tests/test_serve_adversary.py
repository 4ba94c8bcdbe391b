"""`govtool serve` under attack and under failure: a commit that fails, a process killed
between its commit and its push, a batch whose push fails, an approver removed on the
remote while a decision was pushed. Each decision lands exactly once or not at all,
nothing of one that did not land is left in the clone or announced, and each person is
told the truth.

The service runs as a real process (tests/test_serve.py's Governance); failures are
made with git hooks in the service's clone (pre-commit, post-commit, pre-push), which
git runs as the service commits and pushes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import test_serve
import yaml
from test_serve import APPROVER, git

pytest.importorskip("slack_bolt", reason="govtool serve needs the serve extra: pip install 'govtool[serve]'")
pytest.importorskip("uvicorn", reason="govtool serve needs the serve extra: pip install 'govtool[serve]'")

governance = test_serve.governance  # the fixture: a governance repo, its bare remote, the service's clone


def hook(clone: Path, name: str, script: str) -> Path:
    """Install a git hook in the service's clone (git runs it with GIT_DIR set: a hook that
    runs git elsewhere unsets it)."""
    path = clone / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\nunset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_PREFIX\n" + script)
    path.chmod(0o755)
    return path


def outbox(clone: Path, state: str) -> list[dict]:
    folder = clone / ".govtool" / "outbox" / state
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def test_a_commit_that_fails_leaves_no_decision_and_no_announcement(governance, smtp_env):
    """git refuses the commit (here a pre-commit hook, once; a stale index.lock does the
    same): the decision written to the work tree must not stay there, where the next
    click would be told "Already decided" and its announcement would go out."""
    gov = governance(["alpaca"])
    gov.start()
    hook(gov.clone, "pre-commit", 'rm -- "$0"\necho "index.lock: File exists" >&2\nexit 1\n')
    sent_before = len(smtp_env.messages)
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="told")[0]
    assert "was not recorded: git commit failed" in answer, answer
    assert git(gov.clone, "status", "--porcelain") == ""
    assert outbox(gov.clone, "pending") == []
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval")
    assert len(gov.answers_to("alpaca")) == 1  # the second click landed: no "Already decided"
    gov.wait_for(lambda: len(smtp_env.messages) > sent_before, message="the announcement")
    time.sleep(0.5)
    assert len(smtp_env.messages) == sent_before + 1


def test_a_crash_between_commit_and_push_is_dropped_at_restart(governance, smtp_env):
    """kill -9 after the decision's commit, before its push: at restart the service (run
    by systemd with Restart=on-failure) must start, drop the commit nobody was told
    about, set its announcement aside, and take the next click."""
    gov = governance(["alpaca"])
    gov.start()
    killer = hook(gov.clone, "post-commit", f"kill -9 {gov.process.pid}\n")
    before = git(gov.remote, "rev-parse", "main")
    sent_before = len(smtp_env.messages)
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.process.wait(timeout=30)
    killer.unlink()
    assert git(gov.remote, "rev-parse", "main") == before
    assert git(gov.clone, "rev-list", "--count", "origin/main..HEAD").strip() == "1"
    assert len(outbox(gov.clone, "pending")) == 1

    gov.start()
    assert git(gov.clone, "rev-parse", "HEAD") == before
    assert git(gov.clone, "status", "--porcelain") == ""
    assert outbox(gov.clone, "pending") == []
    assert len(outbox(gov.clone, "void")) == 1
    assert "dropped 1 commit(s)" in gov.log.read_text()
    # The approver is told, through the click's response URL, that nothing was recorded.
    told = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the clicker told")
    assert told == [
        "govtool serve stopped before your decision on alpaca landed. Nothing was recorded; decide again from the "
        "latest message, or use `govtool decide`."
    ]
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval after the restart")
    assert len(gov.remote_decisions("alpaca")) == 1
    gov.wait_for(lambda: len(smtp_env.messages) > sent_before, message="the announcement")
    time.sleep(0.5)
    assert len(smtp_env.messages) == sent_before + 1


def test_a_double_click_in_a_batch_whose_push_fails_is_told_the_truth(governance):
    """Two clicks on one button wait together while the worker pushes another decision;
    their push is refused. Neither may be told "Already decided" by a decision that never
    landed."""
    gov = governance(["alpaca", "oanda"])
    gov.start()
    marker = gov.tmp / "pushed-once"
    hook(gov.clone, "pre-push", f"if [ -e {marker} ]; then echo refused >&2; exit 1; fi\ntouch {marker}\nsleep 2\n")
    gov.send(gov.click_payload("oanda", "approved"))
    time.sleep(0.5)  # the worker is pushing oanda's approval: the next two clicks wait together
    payload = gov.click_payload("alpaca", "approved")
    gov.send(payload)
    gov.send(payload)
    gov.wait_for(lambda: len(gov.answers_to("alpaca")) == 2, message="both clicks answered")
    assert gov.remote_decisions("oanda") and not gov.remote_decisions("alpaca")
    for answer in gov.answers_to("alpaca"):
        assert "could not be saved" in answer and "Already decided" not in answer, answer


def test_an_approver_removed_on_the_remote_while_pushing_is_refused(governance):
    """The remote moves on while the decision is pushed, and its settings no longer name
    the clicker as an approver: after the rebase the decision must not be pushed."""
    gov = governance(["alpaca"])
    tracker = gov.dev / "tracker.yaml"
    data = yaml.safe_load(tracker.read_text())
    data["settings"]["slack"]["approvers"] = {"U0OTHER": APPROVER[1]}
    tracker.write_text(yaml.safe_dump(data, sort_keys=False))
    git(gov.dev, "commit", "-q", "-am", "U0JANE is no longer an approver in Slack")
    gov.start()
    hook(gov.clone, "post-commit", f'rm -- "$0"\ngit -C {gov.dev} push -q origin main\n')
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="told")[0]
    assert answer.startswith("Only the approvers can decide"), answer
    assert gov.remote_decisions("alpaca") == []


def test_a_force_pushed_remote_is_followed_without_bringing_back_what_it_dropped(governance):
    """Someone rewrote the remote's branch (force-push) while the service ran: the decision
    lands on the rewritten branch, and the commit the rewrite dropped does not come back."""
    gov = governance(["alpaca"])
    (gov.dev / "docs" / "secret.md").write_text("pushed by mistake\n")
    gov.commit_and_push("a commit that is then taken back")
    gov.start()
    git(gov.dev, "reset", "-q", "--hard", "HEAD~1")
    (gov.dev / "docs" / "note.md").write_text("the rewritten branch\n")
    git(gov.dev, "add", "-A")
    git(gov.dev, "commit", "-q", "-m", "rewritten")
    git(gov.dev, "push", "-q", "--force", "origin", "main")
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message=f"the approval; told: {gov.answers_to('alpaca')}")
    assert git(gov.remote, "log", "--format=%s", "-2", "main").splitlines() == [
        f"govtool: approve alpaca (by {APPROVER[1]} in Slack)",
        "rewritten",
    ]
    assert "secret.md" not in git(gov.remote, "ls-tree", "-r", "--name-only", "main")


def test_an_attester_revoked_on_the_remote_while_serving_signs_nothing_more(governance):
    """The attester is removed from settings.gate.attesters on the main branch while the
    service runs (the README's revocation): a decision it signs would not open the gate, so
    it must not be pushed as if it would (the approver would be told "Approved")."""
    gov = governance(["alpaca"])
    gov.start()
    tracker = gov.dev / "tracker.yaml"
    data = yaml.safe_load(tracker.read_text())
    data["settings"]["gate"]["attesters"] = []
    tracker.write_text(yaml.safe_dump(data, sort_keys=False))
    gov.commit_and_push("revoke govtool serve's key")
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="told")[0]
    assert "was not recorded" in answer and "not in settings.gate.attesters" in answer, answer
    assert gov.remote_decisions("alpaca") == []
    assert not gov.requests("chat.update")


def test_a_crash_in_the_middle_of_a_rebase_is_recovered_at_restart(governance):
    """The remote moved on; the service is killed while it rebases its decision onto it
    (git's sequencer runs post-commit for each commit it picks; the hook kills the service
    and the rebase, its parent): at restart the clone is
    back on its branch, at the remote, and the next click lands once."""
    gov = governance(["alpaca"])
    gov.start()
    (gov.dev / "docs" / "note.md").write_text("a developer's change\n")
    gov.commit_and_push("a developer's change")
    count = gov.tmp / "commits"
    hook(
        gov.clone,
        "post-commit",
        f"echo x >> {count}\n[ $(wc -l < {count}) -ge 2 ] && kill -9 {gov.process.pid} $PPID\n",
    )
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.process.wait(timeout=30)
    (gov.clone / ".git" / "hooks" / "post-commit").unlink()
    assert (gov.clone / ".git" / "rebase-merge").exists()
    gov.start()
    assert git(gov.clone, "rev-parse", "HEAD") == git(gov.remote, "rev-parse", "main")
    assert git(gov.clone, "branch", "--show-current") == "main\n"
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval after the restart")
    assert len(gov.remote_decisions("alpaca")) == 1


def test_a_click_while_the_decision_is_pushed_is_not_told_it_was_decided(governance):
    """The second click of a double click comes while the first one's push is under way,
    and that push is refused: the second must not be told "Already decided" from the
    decision the clone holds and is about to drop."""
    gov = governance(["alpaca"])
    gov.start()
    marker = gov.tmp / "slow-once"
    hook(gov.clone, "pre-push", f"[ -e {marker} ] || {{ touch {marker}; sleep 2; }}\necho refused >&2\nexit 1\n")
    payload = gov.click_payload("alpaca", "approved")
    gov.send(payload)
    time.sleep(0.7)  # the first click is being pushed
    gov.send(payload)
    gov.wait_for(lambda: len(gov.answers_to("alpaca")) == 2, timeout=40, message="both clicks answered")
    for answer in gov.answers_to("alpaca"):
        assert "could not be saved" in answer and "Already decided" not in answer, answer
    assert gov.remote_decisions("alpaca") == []


def test_a_reason_submitted_after_a_restart_keeps_the_notification(governance):
    """The service restarts while the approver types the reason: the message's blocks it
    kept in memory are gone. The decision lands, and the notification in the channel must
    not be replaced by a message that holds only the decision."""
    gov = governance(["alpaca"])
    gov.start()
    gov.send(gov.click_payload("alpaca", "rejected"))
    gov.wait_for(lambda: gov.requests("views.open"), message="views.open")
    gov.stop()
    gov.start()
    gov.submit_reason("alpaca", "Too expensive")
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the rejection")
    said = gov.wait_for(lambda: gov.requests("chat.update") or gov.requests("chat.postMessage")[1:], message="said")
    for update in gov.requests("chat.update"):
        blocks = update["body"]["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        assert blocks and blocks[0]["type"] == "header", blocks
    assert any("Rejected by" in r["body"].get("text", "") for r in said)


def test_a_fetch_that_fails_is_told_as_such(governance):
    """The remote moved on and the fetch after the refused push fails: the approver is told
    the fetch failed (not that the remote kept moving), and nothing is recorded."""
    gov = governance(["alpaca"])
    gov.start()
    (gov.dev / "docs" / "note.md").write_text("a developer's change\n")
    gov.commit_and_push("a developer's change")
    git(gov.clone, "config", "remote.origin.uploadpack", "false")  # fetching fails; pushing works
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="told")[0]
    assert "could not be saved" in answer and "git fetch failed" in answer, answer
    assert gov.remote_decisions("alpaca") == []
    assert git(gov.clone, "status", "--porcelain") == ""


def test_a_remote_that_moves_during_the_push_is_fetched_and_pushed_again(governance):
    """Someone's push lands between the remote's answer to the service's push and its
    update (git says "remote rejected ... failed to update ref", GitHub "cannot lock
    ref"): a lost race, not a refusal; the decision is rebased and pushed again."""
    gov = governance(["alpaca"])
    (gov.dev / "docs" / "note.md").write_text("a developer's change\n")
    git(gov.dev, "add", "-A")
    git(gov.dev, "commit", "-q", "-m", "a developer's change")
    gov.start()
    hook(gov.clone, "pre-push", f'rm -- "$0"\ngit -C {gov.dev} push -q origin main\n')
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message=f"the approval; told: {gov.answers_to('alpaca')}")
    assert git(gov.remote, "log", "--format=%s", "-2", "main").splitlines() == [
        f"govtool: approve alpaca (by {APPROVER[1]} in Slack)",
        "a developer's change",
    ]


def test_a_crash_just_after_the_push_keeps_the_decision_and_its_announcement(governance, smtp_env):
    """kill -9 once the push landed, before the batch was closed: at restart the decision
    stands (it is on the remote), and its announcement is not set aside: it goes out with
    the next decision's."""
    gov = governance(["alpaca", "oanda"])
    gov.start()
    # git runs reference-transaction as it moves origin/main after the push
    script = f'grep -q " refs/remotes/origin/main$" && [ "$1" = committed ] && kill -9 {gov.process.pid}\nexit 0\n'
    killer = hook(gov.clone, "reference-transaction", script)
    sent_before = len(smtp_env.messages)
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.process.wait(timeout=30)
    killer.unlink()
    assert len(gov.remote_decisions("alpaca")) == 1
    gov.start()
    assert outbox(gov.clone, "void") == [] and len(outbox(gov.clone, "pending")) == 1
    # The decision landed before the stop: said in the message's thread, not "nothing recorded".
    reply = gov.wait_for(lambda: [r for r in gov.requests("chat.postMessage") if r["body"].get("thread_ts")])[0]
    assert reply["body"]["text"].startswith(f"Approved by {APPROVER[1]}, ") and gov.answers_to("alpaca") == []
    gov.send(gov.click_payload("oanda", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("oanda"), message="oanda's approval")
    gov.wait_for(lambda: len(smtp_env.messages) >= sent_before + 2, message="both announcements")
    assert outbox(gov.clone, "pending") == []


def test_a_failure_after_the_push_tells_the_approver_it_landed(governance):
    """govtool fails once the push has landed (here closing the batch fails: its journal
    was made a directory as git moved origin/main): the decision is on the remote, so the
    approver sees it decided on the message, not "nothing was recorded"."""
    gov = governance(["alpaca"])
    gov.start()
    journal = gov.clone / ".govtool" / "serve-landing.json"
    script = (
        f'grep -q " refs/remotes/origin/main$" && [ "$1" = committed ] && rm -f {journal} && mkdir {journal}\nexit 0\n'
    )
    hook(gov.clone, "reference-transaction", script)
    gov.send(gov.click_payload("alpaca", "approved"))
    update = gov.wait_for(lambda: gov.requests("chat.update"), message="the message updated")[0]
    assert update["body"]["text"].startswith(f"Approved by {APPROVER[1]}, "), update["body"]
    assert len(gov.remote_decisions("alpaca")) == 1
    assert gov.answers_to("alpaca") == []  # no "nothing was recorded"
    assert "landing 1 decision(s) failed: IsADirectoryError" in gov.log.read_text()


def test_a_non_approver_is_refused_at_once_while_a_batch_lands(governance):
    """While the worker pushes a decision, a non-approver's Reject click is refused at
    once: no reason form opens for someone who may not decide."""
    gov = governance(["alpaca", "oanda"])
    gov.start()
    marker = gov.tmp / "pushing"
    hook(gov.clone, "pre-push", f"touch {marker}\nsleep 2\n")
    gov.send(gov.click_payload("oanda", "approved"))
    gov.wait_for(marker.exists, message="the push under way")
    gov.send(gov.click_payload("alpaca", "rejected", user="U0MALLORY"))
    answers = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the ephemeral answer")
    assert answers[0].startswith("Only the approvers can decide"), answers
    gov.wait_for(lambda: gov.remote_decisions("oanda"), message="oanda's approval")
    assert not gov.requests("views.open")
    assert gov.remote_decisions("alpaca") == []


def test_a_mapping_that_gives_someone_the_pms_email_decides_nothing(governance):
    """A merged change maps Mallory's Slack user to the PM's email: Slack says her profile's
    email is hers, so her click records nothing and opens no form; the PM's still lands."""
    gov = governance(["alpaca", "oanda"])
    tracker = gov.dev / "tracker.yaml"
    data = yaml.safe_load(tracker.read_text())
    data["settings"]["slack"]["approvers"]["U0MALLORY"] = APPROVER[1]
    tracker.write_text(yaml.safe_dump(data, sort_keys=False))
    gov.commit_and_push("map U0MALLORY too")
    gov.start()
    assert "gives U0MALLORY jane@example.com, but their Slack profile's email is mallory@example.com" in (
        gov.log.read_text()
    )
    for action in ("approved", "rejected"):
        gov.send(gov.click_payload("alpaca", action, user="U0MALLORY"))
    answers = gov.wait_for(lambda: len(gov.answers_to("alpaca")) == 2 and gov.answers_to("alpaca"), message="told")
    for answer in answers:
        assert answer.startswith("Your Slack profile's email (mallory@example.com) is not jane@example.com"), answer
    gov.send(gov.click_payload("oanda", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("oanda"), message="the PM's approval")
    assert gov.remote_decisions("alpaca") == [] and not gov.requests("views.open")
