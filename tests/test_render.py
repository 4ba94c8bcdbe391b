"""Rendered docs: tables from templates, repo overrides, the managed block, --check."""

from __future__ import annotations

import pytest

from govtool.derived_docs import BLOCK_END, merge_managed_block
from govtool.errors import InputError
from govtool.templating import md_cell


def test_project_memory_text_outside_the_block_survives_byte_for_byte(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    memory = root / "PROJECT_MEMORY.md"
    text = memory.read_text(encoding="utf-8")
    begin, rest = text.split("<!-- govtool:begin", 1)
    block, _ = rest.split(BLOCK_END, 1)
    human_before = "# Memory\r\n\nTabs\there, trailing spaces   \n`code` | pipes | ünïcödé 🚀\n\n"
    human_after = "\n## Decisions\n\n- keep this exactly\n\n\n"
    memory.write_bytes((human_before + "<!-- govtool:begin" + block + BLOCK_END + human_after).encode())
    assert govtool(root, "start", "alpaca").exit_code == 0
    new = memory.read_bytes().decode()
    assert new.startswith(human_before)
    assert new.endswith(human_after)
    assert "In Progress" in new and "In Progress" not in block


def test_memory_without_markers_gets_the_block_appended():
    assert merge_managed_block("# Mine\n\nnotes\n", "B\n") == (
        "# Mine\n\nnotes\n\n<!-- govtool:begin: this block is written by `govtool render`; edit outside it -->\n"
        "B\n<!-- govtool:end -->\n"
    )


def test_memory_with_a_broken_marker_is_refused(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    memory = root / "PROJECT_MEMORY.md"
    memory.write_text("# Mine\n\n<!-- govtool:begin -->\nold\n", encoding="utf-8")
    with pytest.raises(InputError, match="PROJECT_MEMORY.md:3: managed block"):
        merge_managed_block(memory.read_text(), "x")
    before = (root / "tracker.yaml").read_bytes()
    result = govtool(root, "start", "alpaca")
    assert result.exit_code == 2 and "PROJECT_MEMORY.md:3" in result.stderr
    assert (root / "tracker.yaml").read_bytes() == before
    assert memory.read_text() == "# Mine\n\n<!-- govtool:begin -->\nold\n"


def test_render_check_finds_stale_docs(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    assert govtool(root, "render", "--check").exit_code == 0
    doc = root / "docs/brokers/broker-priority-list.md"
    doc.write_text(doc.read_text() + "hand edit\n")
    (root / "docs/brokers/broker-integration-tracker.md").unlink()
    result = govtool(root, "render", "--check")
    assert result.exit_code == 1
    assert "docs/brokers/broker-priority-list.md: stale" in result.stderr
    assert "docs/brokers/broker-integration-tracker.md: stale" in result.stderr
    assert "hand edit" in doc.read_text()  # --check writes nothing
    rendered = govtool(root, "render")
    assert "rendered docs/brokers/broker-priority-list.md" in rendered.stdout
    assert govtool(root, "render", "--check").exit_code == 0


def test_a_repo_template_overrides_the_packaged_one(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    (root / "templates" / "broker-priority-list.md.j2").write_text(
        "# Ours\n{% for b in brokers %}- {{ b.name | md_text }}\n{% endfor %}", encoding="utf-8"
    )
    assert govtool(root, "render").exit_code == 0
    assert (root / "docs/brokers/broker-priority-list.md").read_text() == "# Ours\n- Alpaca\n"
    # The other docs still come from govtool's defaults.
    assert "## Status Legend" in (root / "docs/brokers/broker-integration-tracker.md").read_text()


def test_a_template_syntax_error_names_file_and_line(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    (root / "templates" / "broker-priority-list.md.j2").write_text("ok\n{% for b in brokers %}\n", encoding="utf-8")
    before = (root / "tracker.yaml").read_bytes()
    result = govtool(root, "start", "alpaca")
    assert result.exit_code == 2
    assert "broker-priority-list.md.j2:2: template syntax error" in result.stderr
    assert (root / "tracker.yaml").read_bytes() == before


def test_an_undefined_variable_in_a_template_is_an_error(make_repo, govtool):
    root = make_repo()
    (root / "templates" / "broker-priority-list.md.j2").write_text("{{ no_such_thing }}\n", encoding="utf-8")
    result = govtool(root, "render")
    assert result.exit_code == 2 and "'no_such_thing' is undefined" in result.stderr


@pytest.mark.parametrize(
    "text",
    ["a | b", "x\ny", "<script>alert(1)</script>", "`code`", "[link](http://x)", "*bold* _it_", "<!channel>", "# h"],
)
def test_md_cell_keeps_one_cell_and_injects_no_markup(text):
    cell = md_cell(text)
    assert "\n" not in cell
    assert "|" not in cell.replace("\\|", "")
    assert "<" not in cell.replace("<br>", "").replace("\\<", "")  # escaped the Markdown way
    assert "&lt;" not in cell and "&amp;" not in cell
    for char in "`*_[":
        assert char not in cell.replace("\\" + char, "")
