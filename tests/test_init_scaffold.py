"""`govtool init` scaffolds a GitHub-hosted governance repo: workflows, pre-commit,
CODEOWNERS, .gitattributes, .gitignore; each file is checked here: the YAML loads, and
every govtool command it runs exists with the options it passes."""

from __future__ import annotations

import re
import shlex

import yaml
from conftest import REPO, run_process, snapshot
from test_help import is_group, resolve

WORKFLOWS = (
    ".github/workflows/govtool-gate.yml",
    ".github/workflows/govtool-weekly.yml",
    ".github/workflows/govtool-docs.yml",
    ".github/workflows/govtool-site.yml",
)
CI_FILES = (*WORKFLOWS, ".pre-commit-config.yaml", ".github/CODEOWNERS")


def govtool_commands(script: str) -> list[str]:
    """The govtool command lines of a shell script (a workflow's ``run:``): each line and
    each part of ``a && b`` / ``a || b`` that starts with ``govtool``, ``python3 -m govtool``
    or ``"$GOVTOOL" -I -m govtool`` (an interpreter outside the checkout, isolated)."""
    found = []
    for line in script.splitlines():
        for part in re.split(r"&&|\|\||;", line):
            words = shlex.split(part.strip(), comments=True)
            if words[:3] == ["python3", "-m", "govtool"]:
                words = words[2:]
            if words[1:4] == ["-I", "-m", "govtool"]:
                words = words[3:]
            if words[:1] == ["govtool"]:
                found.append(shlex.join(words))
    return found


def assert_command_exists(command_line: str) -> None:
    """``govtool PATH ARGS`` names a command of the app, and PATH accepts ARGS."""
    command, path, args = resolve(shlex.split(command_line)[1:])
    assert path and not is_group(command), f"{command_line!r}: no such command"
    command.make_context(f"govtool {path}", args)  # raises on an unknown option or a bad value


def workflow_runs(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True


def test_init_writes_every_scaffold_file_and_each_is_checked(tmp_path):
    result = run_process("init", "gov", "--govtool-repo", "acme/govtool", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "gov"
    for name in CI_FILES:
        assert f"wrote {name}" in result.stdout

    commands = []
    for name in WORKFLOWS:
        workflow = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        assert workflow["name"].startswith("govtool")
        for script in workflow_runs(workflow):
            assert "OWNER" not in script
            commands += govtool_commands(script)
    for line in commands:
        assert_command_exists(line)
    assert set(commands) >= {
        "govtool validate",
        "govtool gate --base '$BASE' --format github",
        "govtool report weekly",
        "govtool escalate",
        "govtool outbox flush",
        "govtool render",
        "govtool site --out _site",
    }, commands

    gate = yaml.safe_load((root / WORKFLOWS[0]).read_text(encoding="utf-8"))
    assert set(triggers(gate)) == {"pull_request", "merge_group"}
    assert gate["permissions"] == {"contents": "read"}
    checkout = gate["jobs"]["gate"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    weekly = yaml.safe_load((root / WORKFLOWS[1]).read_text(encoding="utf-8"))
    assert triggers(weekly)["schedule"] == [{"cron": "0 16 * * 5"}]  # Fridays
    docs = yaml.safe_load((root / WORKFLOWS[2]).read_text(encoding="utf-8"))
    assert triggers(docs)["push"]["branches"] == ["main"]
    assert weekly["concurrency"]["group"] == docs["concurrency"]["group"]  # one push to main at a time
    for workflow in (weekly, docs):
        install = workflow_runs(workflow)[0]
        assert install == 'python3 -m pip install "govtool @ git+https://github.com/acme/govtool@main"'
    # The gate installs govtool outside the checkout and runs it isolated (nothing the pull
    # request adds is on its import path); inputs reach the scripts through env:.
    steps = gate["jobs"]["gate"]["steps"]
    install = next(step for step in steps if "pip install" in step.get("run", ""))
    assert install["working-directory"] == "${{ runner.temp }}"
    assert "-I -m pip install" in install["run"] and "-I -m venv" in install["run"]
    assert "git+https://github.com/acme/govtool@main" in install["run"]
    assert checkout["with"]["persist-credentials"] is False
    for step in steps:
        assert "${{" not in step.get("run", ""), step
    gate_step = steps[-1]
    assert gate_step["env"]["BASE"] == "${{ github.event.merge_group.base_sha }}"
    text = (root / WORKFLOWS[0]).read_text(encoding="utf-8")
    assert "CODEOWNERS" in text and "ruleset" in text and ".github/allowed_signers" in text

    site = yaml.safe_load((root / WORKFLOWS[3]).read_text(encoding="utf-8"))
    assert set(triggers(site)) == {"push", "schedule", "workflow_dispatch"}
    assert site["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow_runs(site)[0] == (
        'python3 -m pip install "govtool[site] @ git+https://github.com/acme/govtool@main"'
    )
    build, deploy = site["jobs"]["build"]["steps"], site["jobs"]["deploy"]["steps"]
    assert build[-1]["uses"].startswith("actions/upload-pages-artifact@") and build[-1]["with"]["path"] == "_site"
    assert deploy[-1]["uses"].startswith("actions/deploy-pages@") and site["jobs"]["deploy"]["needs"] == "build"

    pre_commit = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = pre_commit["repos"]
    assert (repo["repo"], repo["rev"]) == ("https://github.com/acme/govtool", "main")
    offered = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    used = [hook["id"] for hook in repo["hooks"]]
    assert used == list(offered), "the scaffold uses every hook this project offers"
    for hook_id in used:
        assert_command_exists(offered[hook_id]["entry"])
    assert set(pre_commit["default_install_hook_types"]) == {"pre-commit", "pre-push"}

    owners = [line.split() for line in (root / ".github/CODEOWNERS").read_text().splitlines() if line[:1] == "/"]
    assert {path for path, *_ in owners} >= {"/tracker.yaml", "/.github/workflows/", "/.github/allowed_signers"}
    assert all(len(who) == 1 and who[0].startswith("@") for _, *who in owners)

    attributes = (root / ".gitattributes").read_text().splitlines()
    assert "tracker.yaml text eol=lf" in attributes
    assert "docs/brokers/broker-integration-tracker.md linguist-generated=true" in attributes
    assert {"/.govtool/", "/site/"} <= set((root / ".gitignore").read_text().splitlines())

    for check in (["validate"], ["render", "--check"]):
        assert run_process(*check, cwd=root).exit_code == 0


def test_no_ci_leaves_the_ci_files_out(tmp_path, govtool):
    root = tmp_path / "gov"
    result = govtool(None, "init", str(root), "--no-ci")
    assert result.exit_code == 0, result.stderr
    assert not (root / ".github").exists() and not (root / ".pre-commit-config.yaml").exists()
    assert (root / ".gitattributes").is_file() and (root / ".gitignore").is_file()


def test_init_keeps_what_is_there_and_adds_the_lines_it_lacks(tmp_path, govtool):
    root = tmp_path / "gov"
    (root / ".github/workflows").mkdir(parents=True)
    mine = root / ".github/workflows/govtool-gate.yml"
    mine.write_text("name: our own gate\n")
    (root / ".gitignore").write_text("node_modules/\n/.govtool/")
    result = govtool(None, "init", str(root))
    assert result.exit_code == 0, result.stderr
    assert "kept .github/workflows/govtool-gate.yml (already there)" in result.stdout
    assert mine.read_text() == "name: our own gate\n"
    added = "# govtool\n.govtool-tmp-*\n__pycache__/\n.venv/\n/site/\n"
    assert (root / ".gitignore").read_text() == "node_modules/\n/.govtool/\n" + added
    before = snapshot(root)
    again = govtool(None, "init", str(root))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert snapshot(root) == before


def test_govtool_ref_pins_what_the_scaffold_installs(tmp_path, govtool):
    sha = "0123456789abcdef0123456789abcdef01234567"
    root = tmp_path / "gov"
    assert govtool(None, "init", str(root), "--govtool-repo", "acme/govtool", "--govtool-ref", sha).exit_code == 0
    gate = (root / WORKFLOWS[0]).read_text(encoding="utf-8")
    assert f"git+https://github.com/acme/govtool@{sha}" in gate
    pre_commit = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pre_commit["repos"][0]["rev"] == sha
