"""Git: the one module that reaches it.

- Reading git's configuration (``user.name``, ``user.email``) runs ``git config`` as a
  process: importing GitPython costs more than the rest of a small command.
- `--commit` puts exactly the files a command changed into one commit, authored by
  the person who acted (``--by``), with GitPython.
- The CI gate's reads (a file at a commit, the commits that touched it, the range
  and its merge base, the change's ``--name-status``) go through GitPython's git
  command wrapper, which runs git itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

from govtool.errors import InputError
from govtool.settings import Settings

CONFIG_TIMEOUT_SECONDS = 5


def _git(cwd: Path | None, *args: str) -> tuple[int, str]:
    """Run ``git ARGS`` in ``cwd`` as a process: ``(exit code, stdout stripped)``; 127 when
    git is missing or does not answer in time."""
    try:
        result = subprocess.run(["git", *args], capture_output=True, text=True, cwd=cwd, timeout=CONFIG_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError):
        return 127, ""
    return result.returncode, result.stdout.strip()


def config_value(cwd: Path | None, key: str) -> str:
    """A value of git's configuration as seen from ``cwd`` (``user.name``), or "" when unset
    or when git is missing."""
    return _git(cwd, "config", key)[1]


class CheckoutFacts(NamedTuple):
    """What `govtool doctor` needs to know of the git checkout that holds a governance root.

    Attributes:
        is_repo: the root is inside a git work tree.
        remotes: the remotes' names.
        origin_url: ``origin``'s URL with any user and password taken out, or "".
        origin_head: what ``origin/HEAD`` points at (``origin/main``), or "" when unset.
        shallow: the history is shallow (a ``--depth`` clone).
    """

    is_repo: bool
    remotes: tuple[str, ...]
    origin_url: str
    origin_head: str
    shallow: bool


def checkout_facts(root: Path) -> CheckoutFacts:
    """The remote, default branch and depth of the checkout holding ``root`` (git as a process)."""
    code, inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if code != 0 or inside != "true":
        return CheckoutFacts(False, (), "", "", False)
    remotes = tuple(_git(root, "remote")[1].split())
    url = _git(root, "remote", "get-url", "origin")[1] if "origin" in remotes else ""
    code, head = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    shallow = _git(root, "rev-parse", "--is-shallow-repository")[1] == "true"
    return CheckoutFacts(True, remotes, re.sub(r"(?<=://)[^/@]*@", "", url), head if code == 0 else "", shallow)


def open_repo(root: Path, purpose: str) -> Any:
    """The git repository that holds ``root`` (a ``git.Repo``).

    Args:
        root: a directory inside the work tree.
        purpose: how the hint ends, e.g. "the gate runs inside a git checkout".

    Raises:
        InputError: not a git repository.
    """
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{root}: not a git repository", hint=purpose) from None


def author_of(by: str, settings: Settings, fallback_email: str | None) -> tuple[str, str]:
    """(name, email) for a ``--by`` value: ``Name <email>``, a contact's name, or the fallback email."""
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", by)
    if match:
        return match.group(1) or match.group(2), match.group(2)
    for contact in settings.escalation.levels:
        if contact.name.lower() == by.strip().lower() and contact.email:
            return by.strip(), contact.email
    return by.strip(), fallback_email or ""


def decider_author(by: str, settings: Settings) -> tuple[str, str]:
    """(name, email) of the PM who decided, for `decide --commit`: never the operator's own email.

    Args:
        by: ``--by``: ``Name <email>``, an email, or a name.
        settings: the contacts (``settings.escalation.levels``) and approvers
            (``settings.gate.approvers``, emails or ``Name <email>``).

    Returns:
        The name and email given (``Name <email>``, or an email), or those of the
        contact or approver the name (or email) belongs to, case-insensitively.

    Raises:
        InputError: a name that no contact or approver carries with an email.
    """
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", by)
    if match:
        return match.group(1) or match.group(2), match.group(2)
    wanted = by.strip().lower()
    for contact in settings.escalation.levels:
        if contact.email and wanted in (contact.name.lower(), contact.email.lower()):
            return contact.name, contact.email
    for approver in settings.gate.approvers:
        found = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", approver)
        name, email = (found.group(1), found.group(2)) if found else ("", approver.strip())
        if wanted in (name.lower(), email.lower()) and email:
            return (name or by.strip()), email
    if "@" in wanted and " " not in wanted:
        return by.strip(), by.strip()
    raise InputError(
        f"--commit: {by.strip()!r} is neither a contact (settings.escalation.levels) nor an approver "
        "(settings.gate.approvers) with an email; the commit would not be the decider's",
        hint='pass --by "Name <email>", or add the decider to the settings; nothing was recorded',
    )


def commit_as(
    root: Path, paths: list[Path], message: str, by: str, settings: Settings, fallback_email: str
) -> tuple[str, str]:
    """`--commit`: commit exactly ``paths``, authored by ``by`` (see :func:`author_of`).

    Args:
        message: the commit message; ``{author}`` in it becomes the author's name.
        fallback_email: the email when ``by`` names none (git's ``user.email``).

    Returns:
        ``(hexsha, message)`` of the new commit.

    Raises:
        InputError: not a git repository, nothing to commit, or git refused.
    """
    author = author_of(by, settings, fallback_email)
    message = message.replace("{author}", author[0])
    return commit_files(root, paths, message, author), message


def commit_files(root: Path, paths: list[Path], message: str, author: tuple[str, str]) -> str:
    """Commit exactly ``paths`` (other staged changes stay staged, uncommitted).

    Args:
        root: a directory inside the git work tree.
        paths: absolute paths of the files to commit.
        message: the commit message.
        author: (name, email) of the author.

    Returns:
        The new commit's hexsha.

    Raises:
        InputError: not a git repository, or git refused the commit.
    """
    import git

    repo = open_repo(root, "--commit needs one: run `git init`, or drop --commit")
    top = Path(repo.working_tree_dir).resolve()
    rel = [str(Path(p).resolve().relative_to(top)) for p in paths]
    if not rel:
        raise InputError("--commit: nothing changed to commit")
    name, email = author
    try:
        repo.git.add("--", *rel)
        repo.git.commit("-m", message, f"--author={name} <{email}>", "--only", "--", *rel)
    except git.GitCommandError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()
        raise InputError(f"git commit failed: {detail[-1] if detail else exc}") from None
    return repo.head.commit.hexsha


def commits_touching(repo: Any, ref: str, path: str) -> list[tuple[str, str, str]]:
    """The commits reachable from ``ref`` that changed ``path``, newest first.

    Returns:
        ``(hexsha, author name, author email)`` per commit.
    """
    log = repo.git.log("--format=%H%x00%an%x00%ae", ref, "--", path).splitlines()
    return [tuple(line.split("\0")) for line in log]  # type: ignore[misc]


def start_name_status_diff(repo: Any, base: str, head: str) -> Any:
    """Start ``git diff --name-status -z -M`` between two commits as a process.

    The caller reads ``.proc.stdout`` while it does other work (on a 2-core runner
    git's rename detection overlaps it), then ``wait()``s, or kills ``.proc`` on failure.
    """
    return repo.git.diff("--name-status", "-z", "-M", "--no-ext-diff", base, head, as_process=True)


def ref_names(repo: Any) -> set[str]:
    """The names of the repository's refs (``main``, ``origin/main``, tags)."""
    return {r.name for r in repo.refs}


def resolve_range(repo: Any, base: str, head: str) -> tuple[str, str]:
    """Resolve BASE and HEAD to commits and find their merge base, with one ``git rev-parse``.

    ``git rev-parse B H B...H`` prints B, H, the two tips again, and ``^M`` for
    each merge base M; with no ``^`` line the histories share no commit (a shallow
    clone, or unrelated branches). A criss-cross history has several merge bases,
    and ``git merge-base`` picks the one git itself would use.

    Returns:
        ``(head sha, merge base sha)``.

    Raises:
        InputError: a ref that is not a commit, or no merge base (exit 2).
    """
    import git

    commits = (f"{base}^{{commit}}", f"{head}^{{commit}}")
    try:
        lines = repo.git.rev_parse(*commits, "...".join(commits)).split()
    except git.GitCommandError:
        for name, ref in (("base", base), ("head", head)):
            try:
                repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
            except git.GitCommandError:
                raise InputError(
                    f"--{name}: {ref!r} is not a commit in this repository",
                    hint="check the ref; in CI fetch it first (actions/checkout with fetch-depth: 0)",
                ) from None
        raise
    base_sha, head_sha = lines[:2]
    merge_bases = [line[1:] for line in lines[2:] if line.startswith("^")]
    if len(merge_bases) == 1:
        return head_sha, merge_bases[0]
    if merge_bases:
        return head_sha, repo.git.merge_base(base_sha, head_sha)
    shallow = repo.git.rev_parse("--is-shallow-repository") == "true"
    raise InputError(
        f"no merge base between {base} and {head}" + (" (this is a shallow clone)" if shallow else ""),
        hint="fetch the full history, e.g. actions/checkout with fetch-depth: 0, or git fetch --unshallow",
    )


def list_files(repo: Any, commit: str, directory: str) -> list[str]:
    """The paths of the files directly in ``directory`` at ``commit`` (``git ls-tree``), sorted."""
    import git

    try:
        out = repo.git.ls_tree("-z", "--name-only", commit, "--", directory.rstrip("/") + "/")
    except git.GitCommandError:
        return []
    return sorted(p for p in out.split("\0") if p)


def read_files(repo: Any, commit: str, paths: list[str]) -> dict[str, str]:
    """The texts of files at ``commit``, all with one ``git cat-file --batch``.

    Returns:
        path -> text (UTF-8, undecodable bytes escaped); a path missing at the commit is left out.
    """
    if not paths:
        return {}
    request = "".join(f"{commit}:{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    result = subprocess.run(
        ["git", "cat-file", "--batch"], input=request, capture_output=True, cwd=repo.working_tree_dir, check=True
    )
    out, texts, pos = result.stdout, {}, 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":  # "<name> missing", or not a file
            continue
        size = int(header[2])
        texts[path] = out[pos : pos + size].decode("utf-8", "surrogateescape")
        pos += size + 1
    return texts


def merge_file_markers(ours: Path, base: Path, theirs: Path, label: str) -> None:
    """Leave git's own conflict markers in ``ours`` (``git merge-file``), as git would have."""
    subprocess.run(
        [
            "git",
            "merge-file",
            "-L",
            f"ours:{label}",
            "-L",
            "base",
            "-L",
            f"theirs:{label}",
            str(ours),
            str(base),
            str(theirs),
        ],
        capture_output=True,
        check=False,
    )


def set_config(root: Path, key: str, value: str) -> None:
    """Set a value of git's configuration of the clone that holds ``root``.

    Raises:
        InputError: not a git repository, or git refused.
    """
    result = subprocess.run(["git", "config", key, value], capture_output=True, text=True, cwd=root)
    if result.returncode != 0:
        raise InputError(f"git config {key}: {result.stderr.strip() or 'failed'}", hint="run it inside a git clone")
