"""`--commit`: put exactly the files a command changed into one git commit, with GitPython.

The commit is authored by the person who acted (``--by``), so a PM decision stands
in git history under its author; the CI gate reads that provenance.
"""

from __future__ import annotations

import re
from pathlib import Path

from govtool.errors import InputError


def author_of(by: str, settings: dict, fallback_email: str | None) -> tuple[str, str]:
    """(name, email) for a ``--by`` value: ``Name <email>``, a contact's name, or the fallback email."""
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", by)
    if match:
        return match.group(1) or match.group(2), match.group(2)
    for level in settings["escalation"]["levels"]:
        if level.get("name", "").lower() == by.strip().lower() and level.get("email"):
            return by.strip(), level["email"]
    return by.strip(), fallback_email or ""


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

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(
            f"{root}: not a git repository; --commit needs one", hint="run `git init`, or drop --commit"
        ) from None
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
