"""Git: the one module that reaches it.

- Reading git's configuration (``user.name``, ``user.email``) runs ``git config`` as a
  process: importing GitPython costs more than the rest of a small command.
- `--commit` puts exactly the files a command changed into one commit, authored by
  the person who acted (``--by``), with GitPython.
- The CI gate's reads (the range and its merge bases, the change's ``diff --raw``,
  files and trees at a commit) run git as processes too: a gate run never imports
  GitPython (about 45 ms), and every failure of git is an error with git's own message.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

from govtool.errors import InputError
from govtool.settings import Settings

CONFIG_TIMEOUT_SECONDS = 5
#: The most bytes of one object the gate reads from git (a tracker file, the allowed signers).
MAX_OBJECT_BYTES = 32 * 1024 * 1024
_HEX = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


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


class Range(NamedTuple):
    """A change to check, resolved: where the work tree is, and the commits.

    Attributes:
        top: the work tree's top directory.
        prefix: the governance root relative to it (``""``, or ``"sub/dir/"``).
        base: the tip of the base branch (a full hexsha).
        head: the change's head.
        merge_bases: every best common ancestor of the two, sorted (several in a
            criss-cross history).
        merge_base: the one ``git merge-base`` picks (the only one, usually).
    """

    top: Path
    prefix: str
    base: str
    head: str
    merge_bases: tuple[str, ...]
    merge_base: str


def git_output(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git ARGS`` in ``cwd``: its standard output.

    Raises:
        InputError: git is missing, or exits non-zero: ``git ARG0: <git's own last line>``.
    """
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise InputError(f"git: cannot run it ({exc.strerror})", hint="install git") from None
    if result.returncode != 0:
        raise git_error(args[0], result.stderr)
    return result.stdout


def git_error(command: str, stderr: bytes) -> InputError:
    """An error naming the git command and giving git's own message (its last line)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return InputError(f"git {command} failed: {lines[-1] if lines else 'no message'}")


def default_branch_refs(root: Path) -> tuple[str | None, set[str]]:
    """What the default base can be: ``(what origin/HEAD points at, e.g. "origin/main",
    or None; which of origin/main, origin/master, main and master exist)``."""
    wanted = ["refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master"]
    wanted += ["refs/heads/main", "refs/heads/master"]
    out = git_output(root, "for-each-ref", "--format=%(refname)%00%(symref)", *wanted).decode("utf-8", "replace")
    origin_head, found = None, set()
    for line in out.splitlines():
        name, _, target = line.partition("\0")
        short = name.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        if short == "origin/HEAD":
            origin_head = target.removeprefix("refs/remotes/") or None
        else:
            found.add(short)
    return origin_head, found


def resolve_range(root: Path, base: str, head: str) -> Range:
    """Find the work tree, resolve BASE and HEAD to commits and find their merge bases,
    with one ``git rev-parse``.

    ``git rev-parse --show-toplevel --show-prefix B H B...H`` prints the top, the
    root's prefix, B, H, the two tips again, and ``^M`` for each merge base M; with no
    ``^`` line the histories share no commit (a shallow clone, or unrelated branches).
    With several merge bases (a criss-cross history), ``git merge-base`` names the one
    git itself would use.

    Raises:
        InputError: not a git repository, a ref that is not a commit, no merge base,
            or git failed (its own message) (exit 2).
    """
    commits = (f"{base}^{{commit}}", f"{head}^{{commit}}")
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "--show-prefix", *commits, "...".join(commits)],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise InputError(f"git: cannot run it in {root} ({exc.strerror})", hint="install git") from None
    if result.returncode != 0:
        if b"not a git repository" in result.stderr:
            raise InputError(f"{root}: not a git repository", hint="the gate runs inside a git checkout")
        for name, ref in (("base", base), ("head", head)):
            check = subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=root, capture_output=True
            )
            if check.returncode != 0:
                raise InputError(
                    f"--{name}: {ref!r} is not a commit in this repository",
                    hint="check the ref; in CI fetch it first (actions/checkout with fetch-depth: 0)",
                )
        raise git_error("rev-parse", result.stderr)
    lines = result.stdout.decode("utf-8", "surrogateescape").split("\n")
    top, prefix, base_sha, head_sha = lines[:4]
    merge_bases = tuple(sorted(line[1:] for line in lines[6:] if line.startswith("^")))
    if not merge_bases:
        shallow = git_output(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
        raise InputError(
            f"no merge base between {base} and {head}" + (" (this is a shallow clone)" if shallow else ""),
            hint="fetch the full history, e.g. actions/checkout with fetch-depth: 0, or git fetch --unshallow",
        )
    chosen = merge_bases[0]
    if len(merge_bases) > 1:
        chosen = git_output(root, "merge-base", base_sha, head_sha).decode().strip()
    return Range(Path(top), prefix, base_sha, head_sha, merge_bases, chosen)


def start_diff(top: Path, old: str, new: str) -> subprocess.Popen:
    """Start ``git diff --raw -z -M`` between two commits as a process, for the caller to
    read (:func:`finish`) while it does other work: on a 2-core runner git's rename
    detection overlaps it.

    Options that configuration (or a pull request's ``.gitmodules``) could change are
    fixed: full object names, no external diff or textconv, submodule changes always
    shown, paths from the top.
    """
    args = ["git", "diff", "--raw", "-z", "--no-abbrev", "-M", "--no-ext-diff", "--no-textconv"]
    args += ["--ignore-submodules=none", "--no-relative", old, new, "--"]
    try:
        return subprocess.Popen(args, cwd=top, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise InputError(f"git: cannot run it ({exc.strerror})", hint="install git") from None


def finish(proc: subprocess.Popen, command: str) -> bytes:
    """Wait for a git process started here: its output.

    Raises:
        InputError: git exited non-zero (git's own message).
    """
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise git_error(command, err)
    return out


class Objects:
    """Objects read at commits with one ``git cat-file --batch`` kept running: a few
    requests at a time, each answered before the next (use as a context manager)."""

    def __init__(self, top: Path) -> None:
        self.id_bytes = 20  #: the size of an object id in bytes (32 in a SHA-256 repository)
        try:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise InputError(f"git: cannot run it ({exc.strerror})", hint="install git") from None

    def __enter__(self) -> Objects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the process."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

    def read(self, specs: list[str], limit: int = MAX_OBJECT_BYTES) -> dict[str, tuple[str, bytes]]:
        """Objects by ``COMMIT:PATH`` (or object name).

        Args:
            specs: what to read, each one line.
            limit: the most bytes one object may have.

        Returns:
            spec -> (type: ``blob``/``tree``/..., content); a spec that names nothing is left out.

        Raises:
            InputError: an object over ``limit``, or git stopped answering.
        """
        if not specs:
            return {}
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        request = "".join(f"{spec}\n" for spec in specs).encode("utf-8", "surrogateescape")
        writer = None
        if len(request) > 16384:  # more than a pipe holds while git answers: write from a thread
            import threading

            writer = threading.Thread(target=self._write, args=(request,), daemon=True)
            writer.start()
        else:
            self._write(request)
        found = {}
        for spec in specs:
            header = stdout.readline()
            if not header:
                raise git_error("cat-file", self._proc.stderr.read() if self._proc.stderr else b"")
            fields = header.split()
            if len(fields) != 3 or not fields[2].isdigit() or not _HEX.fullmatch(fields[0]):
                continue  # "<spec> missing", "<spec> ambiguous"
            size = int(fields[2])
            if size > limit:
                self.close()
                raise InputError(f"{spec}: {size:,} bytes is more than the gate reads ({limit:,} bytes)")
            data = stdout.read(size)
            stdout.read(1)
            found[spec] = (fields[1].decode(), data)
            self.id_bytes = len(fields[0]) // 2
        if writer is not None:
            writer.join()
        return found

    def _write(self, request: bytes) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(request)
        self._proc.stdin.flush()


def tree_entries(data: bytes, id_bytes: int = 20) -> list[tuple[str, str, bytes]]:
    """The ``(mode, name, object id)`` of each entry of a tree object's content (``cat-file --batch``).

    Args:
        id_bytes: the size of an object id: 20 (SHA-1), 32 in a SHA-256 repository.
    """
    entries, pos = [], 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries.append((data[pos:space].decode(), name, data[nul + 1 : nul + 1 + id_bytes]))
        pos = nul + 1 + id_bytes
    return entries


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


#: What a remote says when the branch moved between its answer to a push and the update
#: (git: "failed to update ref"; GitHub: "cannot lock ref ... is at X but expected Y").
LOST_RACE = re.compile(r"failed to update ref|cannot lock ref|stale info|incorrect old value|but expected", re.I)


class PushResult(NamedTuple):
    """What pushing the branch did.

    Attributes:
        landed: the remote's branch now holds the commits.
        behind: refused because the remote's branch moved on (not a fast-forward, or
            moved while the push was under way: a race lost, :data:`LOST_RACE`): fetch,
            rebase and push again.
        message: git's (or the remote's) reason, for people; "" when it landed.
    """

    landed: bool
    behind: bool
    message: str


def _git_failure(exc: Any) -> str:
    """The last line git wrote of a GitPython ``GitCommandError``."""
    lines = [line.strip() for line in str(exc.stderr or exc.stdout or exc).splitlines() if line.strip()]
    return (lines[-1] if lines else str(exc)).strip("'")


def serve_checkout(root: Path, remote: str, branch: str) -> Any:
    """The clone `govtool serve` records decisions in, checked: on ``branch``, nothing
    changed in the files git tracks, ``remote`` configured, a committer identity set.

    Returns:
        The ``git.Repo``.

    Raises:
        InputError: one of those does not hold, with what to do.
    """
    import git

    repo = open_repo(root, "govtool serve runs in a clone of the governance repo that can push to its remote")
    if repo.head.is_detached or repo.active_branch.name != branch:
        where = "a detached HEAD" if repo.head.is_detached else f"branch {repo.active_branch.name}"
        raise InputError(f"the clone is on {where}; govtool serve records on {branch}", hint=f"git switch {branch}")
    if repo.is_dirty(untracked_files=False):
        raise InputError(
            "the clone has uncommitted changes; govtool serve owns its clone and would reset them",
            hint="use a clone of its own for the service (git clone URL), or commit or stash the changes",
        )
    if remote not in [r.name for r in repo.remotes]:
        raise InputError(f"the clone has no remote {remote!r}", hint=f"git remote add {remote} URL, or pass --remote")
    try:
        repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError:
        raise InputError(
            "git has no committer identity in the clone; the decisions' commits need one",
            hint='git config user.name "govtool serve" && git config user.email govtool-serve@example.com',
        ) from None
    return repo


#: How :func:`fetch_and_rebase`'s answer starts when the fetch failed (not the rebase).
FETCH_FAILED = "git fetch failed"


def _fetch(repo: Any, remote: str, branch: str) -> None:
    """Fetch ``remote``'s ``branch`` into ``REMOTE/BRANCH``, forced as ``git clone`` sets it up:
    a branch someone rewrote (force-pushed) is followed."""
    repo.remote(remote).fetch(f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")


def sync_with_remote(repo: Any, remote: str, branch: str) -> None:
    """Fetch ``remote``'s ``branch`` and bring the clone to it (a fast-forward, or the
    branch as someone rewrote it, when the clone holds nothing the remote did not have).

    Raises:
        InputError: the fetch failed, or the clone has commits of its own, which were never
            on the remote (a service that resets to the remote would drop them).
    """
    import git

    upstream = f"{remote}/{branch}"
    try:
        seen = repo.git.rev_parse("--verify", "-q", f"refs/remotes/{upstream}")
    except git.GitCommandError:
        seen = None
    try:
        _fetch(repo, remote, branch)
    except git.GitCommandError as exc:
        raise InputError(f"git fetch {remote} {branch} failed: {_git_failure(exc)}") from None
    ahead = repo.git.rev_list("--count", f"{upstream}..HEAD", *([f"^{seen}"] if seen else []))
    if ahead != "0":
        raise InputError(
            f"the clone has {ahead} commit(s) that are not on {upstream}; govtool serve resets to what the remote has",
            hint=f"push them first, or use a fresh clone for the service (git reset --hard {upstream} drops them)",
        )
    repo.git.reset("--hard", upstream)  # the work tree is clean (serve_checkout) and holds nothing of its own


def push_branch(repo: Any, remote: str, branch: str) -> PushResult:
    """Push HEAD to ``remote``'s ``branch`` (never forced)."""
    import git

    try:
        infos = repo.remote(remote).push(f"HEAD:refs/heads/{branch}")
    except git.GitCommandError as exc:
        return PushResult(False, False, _git_failure(exc))
    for info in infos:
        if info.flags & (info.REJECTED | info.REMOTE_REJECTED | info.REMOTE_FAILURE | info.ERROR):
            behind = bool(info.flags & info.REJECTED) or bool(
                info.flags & info.REMOTE_REJECTED and LOST_RACE.search(info.summary or "")
            )
            return PushResult(False, behind, (info.summary or "").strip() or "the push was refused")
    if not infos:
        return PushResult(False, False, "git pushed nothing")
    return PushResult(True, False, "")


def fetch_and_rebase(repo: Any, remote: str, branch: str, base: str) -> tuple[bool, str]:
    """Fetch ``remote``'s ``branch`` and rebase the local commits (those after ``base``, the
    remote's commit they were made on) onto it: what a rewrite of the remote's branch
    dropped is not brought back.

    Returns:
        ``(True, "")`` when rebased; ``(False, why)`` when the fetch failed or the rebase
        met a conflict (the rebase is aborted: the branch is as it was).
    """
    import git

    try:
        _fetch(repo, remote, branch)
    except git.GitCommandError as exc:
        return False, f"{FETCH_FAILED}: {_git_failure(exc)}"
    try:
        repo.git.rebase("--onto", f"{remote}/{branch}", base)
    except git.GitCommandError as exc:
        with contextlib.suppress(git.GitCommandError):
            repo.git.rebase("--abort")
        return False, f"git rebase met a conflict: {_git_failure(exc)}"
    return True, ""


def commit_of(repo: Any, ref: str = "HEAD") -> str:
    """The hexsha of the commit ``ref`` names in the clone (``HEAD``, ``origin/main``)."""
    return repo.git.rev_parse("--verify", f"{ref}^{{commit}}")


def untracked_files(repo: Any) -> set[str]:
    """The files git neither tracks nor ignores, as paths relative to the work tree's top."""
    return {name for name in repo.git.ls_files("--others", "--exclude-standard", "-z").split("\0") if name}


def reset_to(repo: Any, ref: str, keep_untracked: Collection[str] | None = None) -> None:
    """Move the branch and the work tree to ``ref`` (``git reset --hard``): the clone's
    commits that did not land are dropped, with what was written and not committed.

    Args:
        repo: the clone's ``git.Repo``; ref: a commit or ``REMOTE/BRANCH``.
        keep_untracked: where given, the untracked files there were before (paths
            relative to the work tree's top): every other untracked file is removed too,
            as written by what is dropped (an integration guide a failed decision wrote),
            except govtool's own state under ``.govtool/``.
    """
    if any(Path(repo.git_dir, name).exists() for name in ("rebase-merge", "rebase-apply")):
        with contextlib.suppress(Exception):  # a rebase a crash interrupted: back to the branch first
            repo.git.rebase("--abort")
    repo.git.reset("--hard", ref)
    if keep_untracked is None:
        return
    top, kept = Path(repo.working_tree_dir), set(keep_untracked)
    for name in sorted(untracked_files(repo) - kept):
        if ".govtool" not in Path(name).parts:
            (top / name).unlink(missing_ok=True)
