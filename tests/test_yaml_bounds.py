"""YAML and JSON from a pull request are bounded: size, nesting, anchors and aliases, numbers.

A 1 KB alias bomb used to hang every command for minutes, 50,000 nested ``[`` ended in
a RecursionError; now each is refused with its file and line, exit 2, in well under a
second, wherever the YAML comes from (tracker.yaml, a research doc's front matter, an
OpenAPI file, the deliveries ledger), with the cache on or off.
"""

from __future__ import annotations

import resource
import time

import pytest
from conftest import filled_research_doc, run_process, snapshot

from govtool.errors import InputError
from govtool.yamlio import MAX_ALIAS_EXPANSION, MAX_DEPTH, load_json, load_yaml


def alias_bomb(indent: str = "") -> str:
    """The 9x9 "billion laughs": ten anchors, each nine aliases of the one before (~350 bytes)."""
    lines = [f'{indent}a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for index in range(1, 10):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        lines.append(f"{indent}{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_the_alias_that_passes_the_bound():
    started = time.process_time()  # CPU time: the machine may be shared and loaded
    with pytest.raises(InputError, match=r"^bomb\.yaml:6: YAML aliases stand for more than 100,000 nodes"):
        load_yaml(alias_bomb(), "bomb.yaml")
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    "text, line",
    [
        ("x: " + "[" * 50_000, 1),
        ("x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000)), MAX_DEPTH + 1),
        ("x: " + "{a: " * 200 + "1" + "}" * 200, 1),
    ],
    ids=["50000 [", "3000 nested mappings", "flow mappings"],
)
def test_deep_nesting_is_refused_without_a_recursion_error(text, line):
    with pytest.raises(InputError, match=rf"^deep\.yaml:{line}: nested deeper than {MAX_DEPTH} levels"):
        load_yaml(text, "deep.yaml")


def test_nesting_counts_aliases_expanded():
    text = f"a: &a {'[' * 60}1{']' * 60}\nb: &b {'[' * 45}*a{']' * 45}\n"
    with pytest.raises(InputError, match=r"^deep\.yaml:2: nested deeper than"):
        load_yaml(text, "deep.yaml")


def test_an_alias_inside_the_node_it_names_is_refused():
    with pytest.raises(InputError, match=r"^loop\.yaml:2: alias \*a stands inside the node it names"):
        load_yaml("a: &a\n  - *a\n", "loop.yaml")


def test_a_5000_digit_number_is_refused_with_its_line():
    for text in ("version: 1\nprogress: " + "9" * 5000 + "\n", "a: &x 1\nprogress: " + "9" * 5000 + "\n"):
        with pytest.raises(InputError, match=r"^t\.yaml:2: a number of 5,000 characters is too large"):
            load_yaml(text, "t.yaml")


def test_an_impossible_date_in_a_spec_is_refused_with_its_line():
    with pytest.raises(InputError, match=r"^spec\.yaml:3: '2026-02-30' cannot be read as timestamp"):
        load_yaml("openapi: 3.0.0\ninfo: {}\nexample: 2026-02-30\n", "spec.yaml", strict=False)


def test_ordinary_anchors_and_aliases_still_load():
    text = "defaults: &d {tier: 2, team: core}\nacme:\n  <<: *d\n  name: Acme\nlist: [*d, *d]\n"
    data = load_yaml(text, "ok.yaml", strict=False)
    assert data["acme"] == {"tier": 2, "team": "core", "name": "Acme"}
    assert data["list"] == [{"tier": 2, "team": "core"}] * 2


def test_the_bound_on_aliases_leaves_room_for_real_use():
    block = "{" + ", ".join(f"k{i}: {i}" for i in range(50)) + "}"
    aliases = "\n".join(f"u{i}: *b" for i in range(MAX_ALIAS_EXPANSION // 200))
    assert len(load_yaml(f"b: &b {block}\n{aliases}\n", "ok.yaml")) > 500


def test_json_is_bounded_too():
    with pytest.raises(InputError, match=r"^s\.json:1: nested deeper than"):
        load_json("[" * 50_000, "s.json")
    with pytest.raises(InputError, match=r"^s\.json:2: a number of 5,000 digits is too large"):
        load_json('{"a":\n' + "9" * 5000 + "}", "s.json")


SPEC_ARGS = ["research", "new", "gamma", "--name", "Gamma", "--from-openapi"]


HOSTILE_FILES = [
    (where, bomb, cache)
    for where in ("tracker", "front matter", "openapi yaml", "openapi json", "deliveries ledger")
    for bomb in ("alias bomb", "50000 [")
    for cache in (("on", "off") if where == "tracker" else ("off",))
    if not (where == "openapi json" and bomb == "alias bomb")  # JSON has no aliases
]


@pytest.mark.parametrize("where, bomb, cache", HOSTILE_FILES, ids=["-".join(case) for case in HOSTILE_FILES])
def test_a_hostile_file_fails_in_a_real_process_in_under_2_seconds(where, bomb, cache, make_repo, tmp_path):
    root = make_repo({"acme": "pending"})
    research = root / "docs/brokers/api-research"
    research.mkdir(parents=True, exist_ok=True)
    doc = filled_research_doc("acme", "Acme")
    (research / "acme.md").write_text(doc, encoding="utf-8")
    hostile = alias_bomb() if bomb == "alias bomb" else "x: " + "[" * 50_000 + "\n"
    if where == "tracker":
        path, argv = root / "tracker.yaml", ["status"]
        text = path.read_text(encoding="utf-8") + hostile.replace("a: &a", "zz: &a", 1)
        path.write_text(text, encoding="utf-8")
        shown = "tracker.yaml"
    elif where == "front matter":
        argv, shown = ["score", "acme"], "docs/brokers/api-research/acme.md"
        (research / "acme.md").write_text(doc.replace("---\n", "---\n" + hostile, 1), encoding="utf-8")
    elif where == "openapi yaml":
        (root / "spec.yaml").write_text("openapi: 3.0.0\n" + hostile, encoding="utf-8")
        argv, shown = [*SPEC_ARGS, str(root / "spec.yaml")], "spec.yaml"
    elif where == "openapi json":
        (root / "spec.json").write_text('{"openapi": "3.0.0", "x": ' + "[" * 50_000, encoding="utf-8")
        argv, shown = [*SPEC_ARGS, str(root / "spec.json")], "spec.json"
    else:
        ledger = root / "docs/brokers/reports/deliveries.yaml"
        ledger.parent.mkdir(parents=True, exist_ok=True)
        ledger.write_text(hostile, encoding="utf-8")
        argv, shown = ["report", "weekly", "--sent-by-hand"], "docs/brokers/reports/deliveries.yaml"
    before = snapshot(root)
    env = {"GOVTOOL_CACHE_DIR": "none"} if cache == "off" else {"GOVTOOL_CACHE_DIR": str(tmp_path / "cache")}
    # The child's own CPU time: on a shared, loaded machine the wall clock also counts the
    # time the child waited for a core.
    before_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_process("--root", str(root), *argv, env=env)
    after_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after_usage.ru_utime - before_usage.ru_utime) + (after_usage.ru_stime - before_usage.ru_stime)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"govtool: error: {shown}:"), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 2
    assert elapsed < 2, f"{elapsed:.2f} s"
    assert snapshot(root) == before
