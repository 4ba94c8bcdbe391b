"""govtool as real processes: concurrency, the installed wheel, the README's commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, modules_loaded_by, new_venv, run_process

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


@pytest.mark.fresh_venv
def test_the_wheel_installs_and_runs_outside_the_repo(tmp_path):
    """The wheel and its dependencies, installed by pip into a new venv that sees nothing
    of this interpreter's packages, run `init` and `status` away from this checkout."""
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
    assert "govtool/templates/scaffold/govtool-gate.yml.j2" in names  # what `init` scaffolds
    assert {"govtool/templates/site/index.html", "govtool/templates/site/assets/site.js"} <= set(names)  # `site`

    python, env = new_venv(tmp_path / "venv")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import govtool, typer; print(govtool.__file__); print(typer.__file__)"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(tmp_path / "venv")) for line in where.stdout.split()), where.stdout
    init = subprocess.run(["govtool", "init", "gov"], cwd=outside, env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    assert (outside / "gov/.github/workflows/govtool-gate.yml").is_file()
    status = subprocess.run(["govtool", "status"], cwd=outside / "gov", env=env, capture_output=True, text=True)
    assert status.returncode == 0, status.stderr
    assert "0/0 brokers operational" in status.stdout
    tracker_doc = (outside / "gov" / "docs/brokers/broker-integration-tracker.md").read_text()
    assert "## Status Legend" in tracker_doc  # the packaged template was found


def test_python_dash_m_and_version():
    result = run_process("--version")
    assert result.exit_code == 0 and re.fullmatch(r"govtool \d+\.\d+\.\d+\n", result.stdout)


def readme_quickstart() -> list[str]:
    """The two command lines of the README's Quickstart."""
    readme = (REPO / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in quickstart.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command_exactly():
    lines = readme_quickstart()
    assert len(lines) == 2
    assert "govtool status" in lines[0]
    assert "pytest" in lines[1]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert lines[1] in ci
    assert "export GOVTOOL_REQUIRE_CORPUS=1" in ci[: ci.index(lines[1])]
    assert Path(REPO / ".ci" / "run").stat().st_mode & 0o111


def clone_of_this_checkout(destination: Path) -> None:
    """``git clone`` this repository, then bring over what the working tree has not
    committed yet (changed, new and deleted files that git does not ignore), so that what
    is tested is this checkout as it stands."""
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout (an unpacked sdist?): nothing to clone")
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(destination)], check=True, capture_output=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source, target = REPO / name, destination / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.is_file() and not source.exists():
            target.unlink()


@pytest.mark.fresh_venv
def test_a_fresh_clone_passes_the_readme_commands_in_a_new_venv(tmp_path):
    """A newcomer's first hour: the README's two commands, in a clone with nothing beside
    it (no ../shared), in a new venv, both exit 0 and no test fails.

    The first command runs exactly as the README writes it (``pip install .`` and
    ``govtool status``). The second runs its install exactly as written
    (``pip install -e '.[test]'``), then pytest on a selection rather than the whole suite:
    the whole suite would run this test again inside itself (recursion) and take minutes.
    The selection is what proves the point: the tests that read the shared corpus
    (tests/test_repo_tracker.py, the real-spec tests of tests/test_research.py) skip with
    the documented reason ("set GOVTOOL_SHARED_DIR"), and the tests of the same rules on
    the small specs the tests write (tests/test_openapi_facts.py) pass. The corpus location is left at its default,
    ../shared, which a fresh clone does not have; GOVTOOL_REQUIRE_CORPUS is unset, as on a
    newcomer's machine. The whole suite runs in CI (.ci/run) from the same command line.
    """
    first, second = readme_quickstart()
    clone = tmp_path / "newcomer" / "govtool"
    clone_of_this_checkout(clone)
    assert sorted(p.name for p in clone.parent.iterdir()) == ["govtool"]  # nothing beside it
    _, env = new_venv(tmp_path / "venv")

    def sh(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=300)

    status = sh(first)
    assert status.returncode == 0, f"{first}\n{status.stdout[-2000:]}{status.stderr[-2000:]}"
    assert "brokers operational" in status.stdout
    install, run_tests = second.split(" && ")
    assert install == "python3 -m pip install -e '.[test]'" and run_tests == "python3 -m pytest"
    installed = sh(install)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    selection = "tests/test_repo_tracker.py tests/test_research.py tests/test_openapi_facts.py"
    tests = sh(f"{run_tests} -rs -p no:cacheprovider {selection}")
    out = tests.stdout + tests.stderr
    assert tests.returncode == 0, out[-4000:]
    assert " failed" not in out and " error" not in out, out[-4000:]
    passed = int(re.search(r"(\d+) passed", out).group(1))
    skipped = int(re.search(r"(\d+) skipped", out).group(1))
    assert passed >= 8 and skipped >= 10, out[-2000:]
    reasons = re.findall(r"^SKIPPED \[\d+\] .*$", out, re.M)
    assert reasons and all("set GOVTOOL_SHARED_DIR" in line for line in reasons), reasons


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
