"""Files on disk: finding the governance root, reading the tracker, the lock, and
atomic writes.

Writes are atomic (a temporary file in the same directory, then ``os.replace``) and
all-or-none across files (:func:`write_all` stages every file before moving any);
the lock (:func:`tracker_lock`) serialises concurrent commands (DESIGN.md,
"Architecture"). A change of the tracker goes through
:func:`govtool.unit_of_work.update_tracker`, which uses these.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from govtool import cache
from govtool.errors import InputError, ValidationError
from govtool.model import TRACKER_FILE, Tracker, dump_tracker
from govtool.validation import format_problems, tracker_from_data, validate_data
from govtool.yamlio import load_yaml, loaded_form

#: Local, uncommitted state of a governance repo: the lock, the outbox, caches.
STATE_DIR = ".govtool"
LOCK_TIMEOUT_SECONDS = 60


def find_root(start: Path, override: str | None = None) -> Path:
    """The governance root: ``override`` if given, else the nearest directory upward
    from ``start`` that holds tracker.yaml.

    Args:
        start: where to begin (the working directory).
        override: ``--root`` or ``GOVTOOL_ROOT``, if set.

    Raises:
        InputError: no tracker.yaml found (or none at the override).
    """
    if override:
        root = Path(override).resolve()
        if not (root / TRACKER_FILE).is_file():
            raise InputError(
                f"{root / TRACKER_FILE}: no tracker here",
                hint="check --root / GOVTOOL_ROOT, or run `govtool init` there",
            )
        return root
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / TRACKER_FILE).is_file():
            return candidate
    raise InputError(
        f"no {TRACKER_FILE} in {here} or any directory above it",
        hint="run `govtool init` to start a governance repo, or pass --root PATH",
    )


def atomic_write(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` by temporary file and ``os.replace``.

    A crash leaves either the old or the new file, never half of one. Files whose
    content is already ``text`` are not touched.

    Args:
        path: the destination; missing parent directories are created.
        text: the full new content (written as UTF-8).

    Returns:
        True when the file changed, False when it already held ``text``.

    Raises:
        InputError: the file or its directory is not writable.
    """
    return bool(write_all({path: text}))


def _stage(path: Path, text: str) -> str | None:
    """Write ``text`` beside ``path`` in a temporary file, ready for ``os.replace``.

    Returns:
        The temporary file's path, or None when ``path`` already holds ``text``.

    Raises:
        InputError: ``path`` is a directory or read-only, or its directory is not
            writable; no temporary file is left behind.
    """
    data = text.encode("utf-8")
    try:
        if path.is_dir():
            raise InputError(f"{path}: cannot write: it is a directory", hint="move that directory away")
        if path.is_file() and path.read_bytes() == data:
            return None
        if path.exists() and not os.access(path, os.W_OK):
            raise InputError(f"{path}: not writable", hint="check the permissions; nothing was written")
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write: {exc.strerror}", hint="check the permissions of that directory"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"{path}: cannot write: {exc.strerror}", hint="check the free space and permissions") from None
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def tracker_lock(root: Path) -> Iterator[None]:
    """Hold the governance root's lock (``.govtool/tracker.lock``) for a change.

    Raises:
        InputError: the lock could not be taken within a minute.
    """
    from filelock import FileLock, Timeout

    state = root / STATE_DIR
    try:
        state.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"{state}: cannot create: {exc.strerror}") from None
    lock = FileLock(str(state / "tracker.lock"), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        with lock:
            yield
    except Timeout:
        raise InputError(
            f"{state / 'tracker.lock'}: another govtool command has held the lock for {LOCK_TIMEOUT_SECONDS}s",
            hint="wait for it to finish; if none is running, remove the lock file",
        ) from None


def read_tracker_text(root: Path) -> str:
    """The text of ``ROOT/tracker.yaml``.

    Raises:
        InputError: missing, unreadable or not UTF-8.
    """
    path = root / TRACKER_FILE
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint="run `govtool init`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def read_tracker(root: Path) -> Tracker:
    """Read and validate ``ROOT/tracker.yaml``.

    Raises:
        InputError, ValidationError: see :func:`govtool.tracker.parse_tracker`.
    """
    text = read_tracker_text(root)
    return tracker_from_data(text, load_tracker_data(text))


def _tracker_cache_entry(text: str) -> cache.Entry:
    return cache.entry("tracker", TRACKER_FILE, text)


def load_tracker_data(text: str) -> object:
    """tracker.yaml's text loaded as YAML, from the cache when this exact text was seen.

    The cache (:mod:`govtool.cache`) is keyed by the whole text, so an edit by hand,
    a checkout or a pull simply misses it; a text that does not load is never
    cached and raises here every time.

    Raises:
        InputError: see :func:`govtool.yamlio.load_yaml`.
    """
    data = cache.read_json(_tracker_cache_entry(text))
    if data is None:
        data = load_yaml(text, TRACKER_FILE)
        remember_tracker_data(text, data)
    return data


def remember_tracker_data(text: str, data: object) -> None:
    """Cache ``data`` as what tracker.yaml's ``text`` loads to (plain JSON types only)."""
    if cache.plain_json(data):
        cache.write_json(_tracker_cache_entry(text), data)


def serialise_checked(tracker: Tracker) -> str:
    """Serialise an in-memory tracker and validate exactly what would be written.

    What is validated is the data that loading the written text gives
    (:func:`govtool.yamlio.loaded_form`, without parsing the text back); that data is
    then cached, so the next command does not parse the file either.

    Returns:
        The text of tracker.yaml.

    Raises:
        ValidationError: the change would leave an invalid tracker; nothing is written.
    """
    text = dump_tracker(tracker)
    data = loaded_form(tracker.to_dict())
    _, problems = validate_data(data)
    if problems:
        raise ValidationError(format_problems(text, problems, TRACKER_FILE), hint="nothing was written")
    remember_tracker_data(text, data)
    return text


def write_all(files: dict[Path, str]) -> list[Path]:
    """Write several files, all or none: every new content is staged in a temporary
    file beside its destination first, and only then are they moved into place.

    Returns:
        The paths whose content changed.

    Raises:
        InputError: a destination is not writable (a read-only file or directory, a
            directory where a file goes, a full disk); nothing was written.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            tmp = _stage(path, text)
            if tmp is not None:
                staged.append((tmp, path))
    except InputError:
        for tmp, _ in staged:
            with suppress(OSError):
                os.unlink(tmp)
        raise
    for tmp, path in staged:  # renames within one directory each
        os.replace(tmp, path)
    return [path for _, path in staged]
