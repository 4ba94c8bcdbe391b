"""Case 1 of the issue "a gate and a decision record that cannot be talked out of": the
action's command lines, run in a checkout that holds a shadow ``govtool/__main__.py`` and
shadow ``pathspec.py`` and ``yaml.py`` at its root, run the real gate; and the README's
workflow, the action and the scaffold follow GitHub's hardening advice."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml
from conftest import REPO, build_tracker, new_venv, write_split_tracker

from govtool.settings import Settings

SHADOW = (
    "import pathlib, sys\npathlib.Path({marker!r}).write_text('shadow ran')\nprint('SHADOW GATE PASSED')\nsys.exit(0)\n"
)


def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def expand(value: str, inputs: dict[str, str], runner_temp: Path) -> str:
    """A workflow expression as the runner fills it in: inputs, github.action_path, runner.temp."""
    names = {f"inputs.{k}": v for k, v in inputs.items()}
    names.update({"github.action_path": str(REPO), "runner.temp": str(runner_temp)})

    def one(match: re.Match) -> str:
        return names[match.group(1).strip()]

    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", one, str(value))


def run_step(
    step: dict, inputs: dict[str, str], runner_temp: Path, cwd: Path, env: dict
) -> subprocess.CompletedProcess:
    """One composite step as the runner runs it: its env: filled in, then `bash -e` on its script."""
    assert step["shell"] == "bash"
    step_env = {**env, **{k: expand(v, inputs, runner_temp) for k, v in step.get("env", {}).items()}}
    where = Path(expand(step["working-directory"], inputs, runner_temp)) if "working-directory" in step else cwd
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=where,
        env=step_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def checkout_with_shadows(root: Path) -> Path:
    """A governance repo whose change adds oanda's connector code (oanda is pending) and
    modules named like govtool and what it imports, which would pass the gate if imported."""
    root.mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com"}
    env.update(GIT_COMMITTER_NAME="Dev", GIT_COMMITTER_EMAIL="dev@example.com")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    tracker = build_tracker({"alpaca": "approved", "oanda": "pending"})
    tracker.settings = Settings.with_defaults({"gate": {"paths": ["src/brokers/{broker}/**"]}})
    write_split_tracker(root, tracker)
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "feature")
    (root / "src/brokers/oanda").mkdir(parents=True)
    (root / "src/brokers/oanda/client.ts").write_text("// code\n")
    marker = root / "shadow-ran"
    (root / "govtool").mkdir()
    (root / "govtool/__init__.py").write_text("")
    (root / "govtool/__main__.py").write_text(SHADOW.format(marker=str(marker)))
    for name in ("pathspec.py", "yaml.py", "typer.py", "sitecustomize.py"):
        (root / name).write_text(SHADOW.format(marker=str(marker)))
    git("add", "-A")
    git("commit", "-qm", "oanda's connector, and a gate that always passes")
    return root


def environment(tmp_path: Path) -> dict[str, str]:
    """The runner's environment: no PYTHONPATH from this test run, a GitHub-like step summary."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GOVTOOL_ROOT", "PYTHONHOME")}
    env.update(GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), GOVTOOL_USER="CI")
    # A checkout-relative PYTHONPATH would be the next trick: -I ignores it.
    env["PYTHONPATH"] = "."
    return env


def test_the_actions_inputs_reach_its_scripts_through_env_only():
    steps = action()["runs"]["steps"]
    assert action()["runs"]["using"] == "composite"
    for step in steps:
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"
    install, gate = steps
    assert install["working-directory"] == "${{ runner.temp }}"
    assert "-I -m venv" in install["run"] and "-I -m pip install" in install["run"]
    assert install["env"]["GOVTOOL_VENV"] == gate["env"]["GOVTOOL_VENV"] == "${{ runner.temp }}/govtool-gate-venv"
    assert '"$GOVTOOL_VENV/bin/python" -I -m govtool gate' in gate["run"]


def test_the_actions_gate_step_runs_the_real_gate_in_a_checkout_with_shadows(tmp_path):
    """The gate step, as action.yml writes it, run in the checkout with a shadow govtool and
    shadow modules: the real gate runs (it fails oanda's code, exit 1), no shadow does. The
    environment is prepared as the install step leaves it (govtool importable from the
    venv), without pip: the whole action, pip included, runs in the fresh_venv test below."""
    checkout = checkout_with_shadows(tmp_path / "checkout")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    _, gate_step = action()["runs"]["steps"]
    venv_dir = Path(expand(gate_step["env"]["GOVTOOL_VENV"], {}, runner_temp))
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(venv_dir)
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv_dir), "platbase": str(venv_dir)})
    Path(purelib, "govtool-checkout.pth").write_text(str(REPO) + "\n")
    python = venv_dir / "bin" / "python"
    where = subprocess.run(
        [python, "-I", "-c", "import govtool; print(govtool.__file__)"], capture_output=True, text=True
    )
    assert Path(where.stdout.strip()) == REPO / "govtool" / "__init__.py", where.stderr

    inputs = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    result = run_step(gate_step, inputs, runner_temp, checkout, environment(tmp_path))
    assert "SHADOW" not in result.stdout + result.stderr and not (checkout / "shadow-ran").exists()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "::error file=src/brokers/oanda/client.ts::oanda is pending at main" in result.stdout
    assert "❌ govtool gate failed" in (tmp_path / "summary.md").read_text()

    inputs["format"] = "json"
    result = run_step(gate_step, inputs, runner_temp, checkout, environment(tmp_path))
    assert result.returncode == 1 and json.loads(result.stdout)["base"] == "main"


@pytest.mark.fresh_venv
def test_the_whole_action_installs_outside_the_checkout_and_runs_the_real_gate(tmp_path):
    """Both steps of action.yml as the runner runs them: the install (a new venv under
    runner.temp, pip installing this checkout, the action's own path) and the gate, in a
    checkout with a shadow govtool, pathspec.py and yaml.py."""
    checkout = checkout_with_shadows(tmp_path / "checkout")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    _, env = new_venv(tmp_path / "outer")  # python3 on PATH sees nothing of this test run
    env = {**environment(tmp_path), "PATH": env["PATH"], "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    inputs = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    install, gate_step = action()["runs"]["steps"]
    installed = run_step(install, inputs, runner_temp, checkout, env)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert not (checkout / "shadow-ran").exists()
    result = run_step(gate_step, inputs, runner_temp, checkout, env)
    assert "SHADOW" not in result.stdout + result.stderr and not (checkout / "shadow-ran").exists()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "::error file=src/brokers/oanda/client.ts::oanda is pending at main" in result.stdout


def readme_workflow() -> dict:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### The CI gate") : text.index("### Signed decisions")]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the README shows the gate's workflow"
    return yaml.safe_load(block.group(1)), section


def test_the_readme_workflow_is_hardened_and_names_a_version_that_resolves():
    workflow, section = readme_workflow()
    assert workflow["permissions"] == {"contents": "read"}
    assert set(workflow.get("on", workflow.get(True))) == {"pull_request", "merge_group"}
    steps = workflow["jobs"]["gate"]["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    (uses,) = [s["uses"] for s in steps if "govtool" in s.get("uses", "")]
    ref = uses.split("@", 1)[1]
    # A branch that exists in every copy of this repository, or a full commit SHA: never a tag
    # that was not made.
    assert ref == "main" or re.fullmatch(r"[0-9a-f]{40}", ref), uses
    assert "CODEOWNERS" in section and "ruleset" in section and "allowed-signers file" in section
    assert "python -I" in section and "env:" in section


def test_the_gate_step_runs_no_interpreter_from_the_checkout():
    """A second line of defence: the gate's interpreter is the venv's, by absolute path."""
    _, gate_step = action()["runs"]["steps"]
    commands = [line.strip() for line in gate_step["run"].splitlines() if "govtool" in line and "gate" in line]
    assert commands and all(line.startswith('"$GOVTOOL_VENV/bin/python" -I -m govtool') for line in commands)
