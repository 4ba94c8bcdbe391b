"""A repo's templates are untrusted code: they render in Jinja's sandbox.

A pull request can write ``templates/``, and CI runs `render --check` on it. Each
known way out of a Jinja template (the ``cycler``, ``joiner``, ``namespace`` and
``lipsum`` globals' ``__globals__``, ``__class__.__mro__``, the ``attr`` filter,
``|format``, ``str.format`` and a reference to it) is tried with secrets in the
environment: every one must exit 2 with ``templates/NAME:LINE``, put no secret in any
output or file, and run no command (the marker file a payload would create never
appears).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import filled_research_doc, run_process, snapshot

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-111111111-222222222-SECRETTOKENVALUE",
    "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/services/T0SECRET1/B0SECRET2/WEBHOOKSECRETPATH",
    "GOVTOOL_SMTP_PASSWORD": "smtp-password-SECRET",
}

TOUCH = "touch {marker}"

#: name -> template text; {marker} is the file a successful escape would create.
PAYLOADS = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.environ.SLACK_BOT_TOKEN }}",
    "joiner globals popen": "{{ joiner.__init__.__globals__.os.popen('" + TOUCH + "').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.environ }}",
    "lipsum globals popen": "{{ lipsum.__globals__['os'].popen('" + TOUCH + "').read() }}",
    "lipsum builtins import": "{{ lipsum.__globals__.__builtins__.__import__('os').system('" + TOUCH + "') }}",
    "class mro subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "tuple base subclasses": "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "attr filter class": "{{ (''|attr('__class__')|attr('__mro__'))[1] }}",
    "attr filter globals": "{{ (lipsum|attr('__globals__')).os.popen('" + TOUCH + "').read() }}",
    "attr filter on cycler": "{{ cycler|attr('__init__')|attr('__globals__') }}",
    "format filter": "{{ '%s'|format(lipsum.__globals__) }}",
    "format filter mapping": "{{ '%(x)s'|format(x=cycler.__init__.__globals__.os.environ) }}",
    "str.format": "{{ '{0.__globals__[os].environ}'.format(lipsum) }}",
    "str.format nested": "{{ '{0.__init__.__globals__[os].environ[SLACK_BOT_TOKEN]}'.format(cycler) }}",
    "str.format by reference": "{% set f = '{0.__class__.__mro__}'.format %}{{ f(1) }}",
    "str.format_map": "{{ '{x.__class__}'.format_map({'x': 1}) }}",
    "self reference": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.environ }}",
    "context object": "{{ settings.__class__.__init__.__globals__ }}",
    "a context method's globals": "{{ settings.with_defaults.__func__.__globals__.os.environ }}",
    "mutating the context": "{% set _ = brokers.append(1) %}{{ brokers }}",
    "config global": "{{ config.__class__.__init__.__globals__['os'].popen('" + TOUCH + "').read() }}",
    "huge power": "{{ 7 ** 100000000 }}",
    "huge repeat": "{{ 'x' * 1000000000 }}",
}


@pytest.fixture
def secret_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


def all_text(root: Path, *outputs: str) -> str:
    """Every output and every file under root (bytes decoded leniently), joined."""
    files = [p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return "\n".join([*outputs, *files])


def assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        for part in re.split(r"[-/:]", value):
            if len(part) >= 8 and "SECRET" in part:
                assert part not in text, f"secret part {part!r} leaked"


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_template_escape_fails_with_exit_2_no_secret_and_no_command(name, make_repo, govtool, secret_env, tmp_path):
    root = make_repo({"acme": "in_progress"})
    marker = tmp_path / "escaped"
    template = "# Priority list\n\n" + PAYLOADS[name].replace("{marker}", str(marker)) + "\n"
    (root / "templates" / "broker-priority-list.md.j2").write_text(template, encoding="utf-8")
    before = snapshot(root)
    for argv in (["render", "--check"], ["render"], ["progress", "acme", "10"]):
        started = time.monotonic()
        result = govtool(root, *argv)
        assert time.monotonic() - started < 2, argv
        assert result.exit_code == 2, (argv, result.stdout, result.stderr)
        assert re.search(r"templates/broker-priority-list\.md\.j2:3: ", result.stderr), result.stderr
        assert "Traceback" not in result.stderr
        assert_no_secret(all_text(root, result.stdout, result.stderr))
    assert not marker.exists()
    assert snapshot(root) == before


def test_every_template_a_command_renders_is_sandboxed(make_repo, govtool, secret_env, tmp_path):
    """Docs, the PM notification (its kind's template and the base), the decision's
    announcement, the weekly report, escalations, the research doc and the implementation
    guide: one payload in each, through the command that renders it."""
    root = make_repo({"acme": "pending", "beta": "approved"})
    research = root / "docs/brokers/api-research"
    research.mkdir(parents=True, exist_ok=True)
    (research / "acme.md").write_text(filled_research_doc("acme", "Acme"), encoding="utf-8")
    marker = tmp_path / "escaped"
    payload = "{{ lipsum.__globals__['os'].popen('" + TOUCH.format(marker=marker) + "').read() }}"
    cases = {
        "pm-notification-cost-discovery.txt.j2": ["notify", "acme", "--kind", "cost-discovery", "--message", "x"],
        "pm-notification-base.txt.j2": ["notify", "acme", "--kind", "issues-discovered", "--dry-run"],
        "pm-notification-subject.txt.j2": ["notify", "acme", "--kind", "cost-discovery", "--dry-run"],
        "decision.txt.j2": ["decide", "acme", "rejected", "--by", "PM", "--reason", "x"],
        "weekly-report.md.j2": ["report", "weekly", "--week-ending", "2026-01-30"],
        "escalation.txt.j2": ["escalate", "--as-of", "2026-03-02"],
        "research-doc.md.j2": ["research", "new", "gamma", "--name", "Gamma"],
        "integration-guide.md.j2": ["decide", "acme", "approved", "--by", "PM", "--no-slack"],
        "project-memory-block.md.j2": ["render", "--check"],
    }
    for template, argv in cases.items():
        path = root / "templates" / template
        path.write_text("line one\n" + payload + "\n", encoding="utf-8")
        before = snapshot(root)
        result = govtool(root, *argv)
        assert result.exit_code == 2, (template, result.stdout, result.stderr)
        assert re.search(rf"templates/{re.escape(template)}:2: unsafe template", result.stderr), result.stderr
        assert snapshot(root) == before, template
        assert_no_secret(all_text(root, result.stdout, result.stderr))
        path.unlink()
    assert not marker.exists()


def test_render_check_in_a_real_process_reads_no_secret(make_repo, tmp_path):
    """CI's view: `govtool render --check` as a process, secrets in its environment."""
    root = make_repo({"acme": "pending"})
    marker = tmp_path / "escaped"
    template = "{{ cycler.__init__.__globals__.os.popen('" + TOUCH.format(marker=marker) + "; env').read() }}\n"
    (root / "templates" / "broker-integration-tracker.md.j2").write_text(template, encoding="utf-8")
    result = run_process("--root", str(root), "render", "--check", env=SECRETS)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("govtool: error: templates/broker-integration-tracker.md.j2:1: unsafe template")
    assert_no_secret(result.stdout + result.stderr)
    assert not marker.exists()


def test_a_template_error_of_its_own_is_located_too(make_repo, govtool):
    root = make_repo({"acme": "pending"})
    (root / "templates" / "broker-priority-list.md.j2").write_text("a\nb\n{{ 1 / 0 }}\n", encoding="utf-8")
    result = govtool(root, "render")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "govtool: error: templates/broker-priority-list.md.j2:3: template error: ZeroDivisionError"
    )


def test_an_error_in_an_included_template_names_that_template(make_repo, govtool):
    root = make_repo({"acme": "pending"})
    (root / "templates" / "broker-priority-list.md.j2").write_text('x\n{% include "part.j2" %}\n', encoding="utf-8")
    (root / "templates" / "part.j2").write_text("\n\n\n{{ ''.__class__ }}\n", encoding="utf-8")
    result = govtool(root, "render")
    assert result.exit_code == 2
    assert "templates/part.j2:4: unsafe template" in result.stderr


def test_a_template_linked_out_of_the_root_is_refused(make_repo, govtool, tmp_path):
    root = make_repo({"acme": "pending"})
    outside = tmp_path / "outside-secret.md"
    outside.write_text("TOP SECRET CONTENT\n", encoding="utf-8")
    (root / "templates" / "broker-priority-list.md.j2").symlink_to(outside)
    before = snapshot(root)
    result = govtool(root, "render")
    assert result.exit_code == 2
    assert "templates/broker-priority-list.md.j2: leads outside the governance root" in result.stderr
    assert "TOP SECRET" not in all_text(root, result.stdout, result.stderr)
    assert snapshot(root) == before


def test_an_include_cannot_climb_out_of_templates(make_repo, govtool, tmp_path):
    root = make_repo({"acme": "pending"})
    (root / "secret.txt").write_text("TOP SECRET CONTENT\n", encoding="utf-8")
    (root / "templates" / "broker-priority-list.md.j2").write_text('{% include "../secret.txt" %}\n')
    result = govtool(root, "render")
    assert result.exit_code == 2
    assert "TOP SECRET" not in result.stdout + result.stderr
    assert "TOP SECRET" not in (root / "docs/brokers/broker-priority-list.md").read_text(encoding="utf-8")
