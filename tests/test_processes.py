"""govtool as real processes: concurrency, the installed wheel, the README's commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, modules_loaded_by, run_process

from govtool.storage import read_tracker


def test_twenty_concurrent_progress_commands_lose_no_event(make_repo):
    root = make_repo({"alpaca": "in_progress"})
    env = {"GOVTOOL_ROOT": str(root)}

    def progress(percent: int):
        return run_process("progress", "alpaca", str(percent), "--note", f"run {percent}", env=env)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(progress, range(1, 21)))
    assert [r.exit_code for r in results] == [0] * 20, [r.stderr for r in results if r.exit_code]
    broker = read_tracker(root).broker("alpaca")
    notes = sorted(e.details["note"] for e in broker.events("progress"))
    assert notes == sorted(f"run {p}" for p in range(1, 21))
    assert broker.progress == broker.events("progress")[-1].details["percent"]
    assert run_process("validate", env=env).exit_code == 0
    assert run_process("render", "--check", env=env).exit_code == 0
    leftovers = [p.name for p in root.rglob("*.tmp")]
    assert leftovers == []


def test_the_wheel_installs_and_runs_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("govtool-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "govtool/templates/broker-integration-tracker.md.j2" in names
    assert "govtool/templates/project-memory-block.md.j2" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"PYTHONPATH": "", "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}"}
    where = subprocess.run(
        [python, "-c", "import govtool; print(govtool.__file__)"],
        cwd=outside,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert str(env_dir) in where.stdout, where.stdout  # the wheel, not the checkout
    script = env_dir / "bin" / "govtool"
    init = subprocess.run(
        [str(script), "init", "gov"], cwd=outside, env={**os.environ, **env}, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    status = subprocess.run(
        [str(script), "status"], cwd=outside / "gov", env={**os.environ, **env}, capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert "0/0 brokers operational" in status.stdout
    tracker_doc = (outside / "gov" / "docs/brokers/broker-integration-tracker.md").read_text()
    assert "## Status Legend" in tracker_doc  # the packaged template was found


def test_python_dash_m_and_version():
    result = run_process("--version")
    assert result.exit_code == 0 and re.fullmatch(r"govtool \d+\.\d+\.\d+\n", result.stdout)


def test_ci_runs_the_readme_test_command_exactly():
    readme = (REPO / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line for line in quickstart.splitlines() if line.strip()]
    assert len(lines) == 2
    assert "govtool status" in lines[0]
    assert "pytest" in lines[1]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert lines[1] in ci
    assert Path(REPO / ".ci" / "run").stat().st_mode & 0o111


HEAVY_MODULES = ("git", "slack_sdk", "jinja2", "pathspec", "smtplib", "holidays", "yaml")


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["status"], ["validate"], ["show", "alpaca"]])
def test_read_only_commands_do_not_import_what_they_do_not_use(argv, tmp_path):
    """git, Slack, Jinja2 and mail stay out of the commands that show the tracker; YAML and
    holidays too once the cache holds this tracker text and this year's calendar."""
    env = {**os.environ, "GOVTOOL_CACHE_DIR": str(tmp_path / "cache"), "GOVTOOL_NOW": "2026-02-02T10:00:00Z"}
    (cold_run, cold), (warm_run, warm) = (modules_loaded_by(argv, REPO, env) for _ in range(2))
    for run in (cold_run, warm_run):
        assert run.exit_code == 0, run.stderr
    assert not {"git", "slack_sdk", "jinja2", "pathspec", "smtplib"} & cold
    assert not set(HEAVY_MODULES) & warm
