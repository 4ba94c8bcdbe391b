"""What `govtool init` sets up around the tracker for a governance repo hosted on GitHub.

- ``.github/workflows/govtool-gate.yml``: the pull-request gate (validate, gate), on
  ``pull_request`` and ``merge_group``, with ``contents: read`` and the full history;
- ``.github/workflows/govtool-weekly.yml``: the Friday report and escalations, committed;
- ``.github/workflows/govtool-docs.yml``: the derived docs rendered on main and committed,
  so parallel pull requests never re-render after each other's merges;
- ``.github/workflows/govtool-site.yml``: the dashboard site (`govtool site`) built on main
  and published to GitHub Pages;
- ``.pre-commit-config.yaml``: this project's hooks (``.pre-commit-hooks.yaml``);
- ``.github/CODEOWNERS``: a stub naming the tracker (its settings), the workflows and the
  allowed-signers file;
- ``.gitattributes`` (LF line ends, rendered docs marked generated) and ``.gitignore``.

The files are Jinja templates packaged in ``govtool/templates/scaffold/``, rendered through
:mod:`govtool.templating`. The CI files (workflows, CODEOWNERS, pre-commit) can be left
out; ``.gitattributes`` and ``.gitignore`` are line files: the lines they lack are
appended, nothing in them is removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from govtool import __version__
from govtool.derived_docs import DERIVED_DOCS
from govtool.inputs import TEMP_PREFIX
from govtool.settings import ALLOWED_SIGNERS_FILE
from govtool.site import DEFAULT_SITE_DIR
from govtool.templating import environment, render_template

#: Where govtool's source lives on GitHub, as the scaffold names it (``--govtool-repo``).
DEFAULT_GOVTOOL_REPO = "OWNER/govtool"
#: The git ref of govtool the workflows and pre-commit install (``--govtool-ref``): a branch
#: that exists in every copy. Pinning a full commit SHA is safer: main follows every change.
DEFAULT_GOVTOOL_REF = "main"
#: The owners the CODEOWNERS stub names until the team puts its own.
DEFAULT_OWNERS = "@your-org/broker-governance"
#: The workflow files, under the root.
WORKFLOWS_DIR = ".github/workflows"


class ScaffoldFile(NamedTuple):
    """One file of the scaffold: where it goes, its template, whether it is a CI file
    (left out by ``--no-ci``) and whether it is a line file (merged line by line)."""

    path: str
    template: str
    ci: bool
    lines: bool = False


SCAFFOLD: tuple[ScaffoldFile, ...] = (
    ScaffoldFile(f"{WORKFLOWS_DIR}/govtool-gate.yml", "scaffold/govtool-gate.yml.j2", ci=True),
    ScaffoldFile(f"{WORKFLOWS_DIR}/govtool-weekly.yml", "scaffold/govtool-weekly.yml.j2", ci=True),
    ScaffoldFile(f"{WORKFLOWS_DIR}/govtool-docs.yml", "scaffold/govtool-docs.yml.j2", ci=True),
    ScaffoldFile(f"{WORKFLOWS_DIR}/govtool-site.yml", "scaffold/govtool-site.yml.j2", ci=True),
    ScaffoldFile(".pre-commit-config.yaml", "scaffold/pre-commit-config.yaml.j2", ci=True),
    ScaffoldFile(".github/CODEOWNERS", "scaffold/CODEOWNERS.j2", ci=True),
    ScaffoldFile(".gitattributes", "scaffold/gitattributes.j2", ci=False, lines=True),
    ScaffoldFile(".gitignore", "scaffold/gitignore.j2", ci=False, lines=True),
)


def pip_requirement(govtool_repo: str, ref: str = DEFAULT_GOVTOOL_REF, extras: str = "") -> str:
    """The pip requirement the workflows install govtool with: ``ref`` of ``govtool_repo`` on
    GitHub, with ``extras`` (``site``) when given."""
    wanted = f"[{extras}]" if extras else ""
    return f"govtool{wanted} @ git+https://github.com/{govtool_repo}@{ref}"


def render_scaffold(
    root: Path,
    state_dir: str,
    ci: bool = True,
    govtool_repo: str = DEFAULT_GOVTOOL_REPO,
    govtool_ref: str = DEFAULT_GOVTOOL_REF,
) -> dict[Path, tuple[str, bool]]:
    """Render the scaffold of a governance repo, in memory.

    Args:
        root: the governance root the files go under.
        state_dir: govtool's local state directory (ignored by git), e.g. ``.govtool``.
        ci: include the CI files (workflows, CODEOWNERS, .pre-commit-config.yaml).
        govtool_repo: ``OWNER/NAME`` of govtool on GitHub, for pre-commit and the workflows.
        govtool_ref: the git ref of it they install (a branch, a tag or a commit SHA).

    Returns:
        ``{absolute path: (text, is a line file)}``.

    Raises:
        InputError: a template error.
    """
    env = environment(None)
    context = {
        "version": __version__,
        "govtool_repo": govtool_repo,
        "ref": govtool_ref,
        "requirement": pip_requirement(govtool_repo, govtool_ref),
        "site_requirement": pip_requirement(govtool_repo, govtool_ref, extras="site"),
        "owners": DEFAULT_OWNERS,
        "allowed_signers": ALLOWED_SIGNERS_FILE,
        "generated": sorted(DERIVED_DOCS),
        "state_dir": state_dir,
        "site_dir": DEFAULT_SITE_DIR,
        "temp_prefix": TEMP_PREFIX,
    }
    return {
        root / item.path: (render_template(env, item.template, context), item.lines)
        for item in SCAFFOLD
        if ci or not item.ci
    }


def merge_lines(current: str | None, wanted: str) -> str | None:
    """A line file (``.gitignore``) with the lines of ``wanted`` it lacks appended.

    Args:
        current: the file's text, or None when there is none.
        wanted: the scaffold's text.

    Returns:
        The new text (``wanted`` itself when there is no file; else ``current`` with the
        missing lines after a ``# govtool`` comment), or None when no line is missing.
    """
    if current is None:
        return wanted
    have = {line.strip() for line in current.splitlines()}
    missing = [line for line in wanted.splitlines() if line.strip() and not line.startswith("#") and line not in have]
    if not missing:
        return None
    sep = "" if not current or current.endswith("\n") else "\n"
    return current + sep + "# govtool\n" + "\n".join(missing) + "\n"
