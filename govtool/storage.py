"""Files on disk: finding the governance root, reading the tracker, the lock, and
atomic writes.

Writes are atomic (a temporary file in the same directory, then ``os.replace``) and
all-or-none across files (:func:`write_all` stages every file before moving any);
the lock (:func:`tracker_lock`) serialises concurrent commands (DESIGN.md,
"Architecture"). A change of the tracker goes through
:func:`govtool.unit_of_work.update_tracker`, which uses these.

A pull request can commit symbolic links, so writes never go through one: a
destination that is a link (a linked tracker.yaml or PROJECT_MEMORY.md) is refused,
and so is one whose directory leads outside the governance root (a linked ``docs/``
or ``.govtool/``). Temporary files are named ``.govtool-tmp-*.tmp``
(:data:`govtool.inputs.TEMP_PREFIX`, which the ``.gitignore`` of `govtool init`
covers); those a killed command left behind are removed by the next command that
takes the lock, once they are a minute old.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from govtool import cache
from govtool.errors import InputError, ValidationError
from govtool.inputs import TEMP_PREFIX, inside_root, read_text, within
from govtool.model import (
    BROKERS_DIR,
    SPLIT_VERSION,
    TRACKER_FILE,
    Tracker,
    broker_file,
    dump_broker,
    dump_tracker,
    dump_tracker_settings,
)
from govtool.validation import is_split_layout_text, place_problems, tracker_from_texts, validate_data
from govtool.yamlio import load_yaml, loaded_form

#: Local, uncommitted state of a governance repo: the lock, the outbox, caches.
STATE_DIR = ".govtool"
LOCK_TIMEOUT_SECONDS = 60
#: A temporary file older than this (by the file system's clock) was left by a command that died.
STALE_TEMP_SECONDS = 60
#: Where govtool writes under a governance root, and so where its temporary files may be left:
#: (directory, whether its subdirectories too).
_WRITTEN_DIRS = ((".", False), (BROKERS_DIR, False), ("docs/brokers", True), (STATE_DIR, True))


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


def atomic_write(root: Path, path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` under the governance root by temporary file and ``os.replace``.

    A crash leaves either the old or the new file, never half of one. Files whose
    content is already ``text`` are not touched.

    Args:
        root: the governance root, which ``path`` must stay inside.
        path: the destination; missing parent directories are created.
        text: the full new content (written as UTF-8).

    Returns:
        True when the file changed, False when it already held ``text``.

    Raises:
        InputError: the file or its directory is not writable, or see :func:`write_all`.
    """
    return bool(write_all({path: text}, root))


def _check_destination(path: Path, root: Path, external: Collection[Path]) -> None:
    """Refuse to write through a symbolic link, or out of the root by a linked directory.

    Raises:
        InputError: ``path`` is a link, or (unless it is one of ``external``, files
            the user named) it or its directory leads outside ``root``.
    """
    shown = _shown(path, root)
    if path.is_symlink():
        raise InputError(
            f"{shown}: is a symbolic link; govtool does not write through links",
            hint="replace the link with the file itself; nothing was written",
        )
    if path not in external and not within(path.parent, root):
        raise InputError(
            f"{shown}: its directory leads outside the governance root (a symbolic link on the way)",
            hint="govtool writes only inside the repo; replace the link with a directory; nothing was written",
        )


def _shown(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is under it, else in full."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _stage(path: Path, text: str, durable: bool = True) -> str | None:
    """Write ``text`` beside ``path`` in a temporary file, ready for ``os.replace``.

    The temporary file is created with ``O_EXCL`` and ``O_NOFOLLOW`` under a random
    name (``.govtool-tmp-NAME.RANDOM.tmp``), so a planted link cannot redirect it.

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
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return None
        if path.exists() and not os.access(path, os.W_OK):
            raise InputError(f"{path}: not writable", hint="check the permissions; nothing was written")
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write: {exc.strerror}", hint="check the permissions of that directory"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
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

    lock_file = lock_path(root, "tracker.lock")
    lock = FileLock(str(lock_file), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        with lock:
            sweep_temporary_files(root, lock_file)
            yield
    except Timeout:
        raise InputError(
            f"{lock_file}: another govtool command has held the lock for {LOCK_TIMEOUT_SECONDS}s",
            hint="wait for it to finish; if none is running, remove the lock file",
        ) from None


def lock_path(root: Path, name: str) -> Path:
    """``ROOT/.govtool/NAME``, a lock file, with ``.govtool/`` created.

    Raises:
        InputError: ``.govtool`` cannot be created or leads out of the root, or the lock
            file is a symbolic link (a lock is opened with O_TRUNC: a link would empty
            its target).
    """
    state = state_dir(root)
    try:
        state.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"{state}: cannot create: {exc.strerror}") from None
    path = state / name
    if path.is_symlink():
        raise InputError(
            f"{STATE_DIR}/{name}: is a symbolic link; govtool does not write through links",
            hint="remove it (.govtool/ is local state, never committed); nothing was written",
        )
    return path


def state_dir(root: Path) -> Path:
    """``ROOT/.govtool``, govtool's local state (the lock, the outbox).

    Raises:
        InputError: ``.govtool`` is a link out of the root (a pull request can commit one).
    """
    return inside_root(root, STATE_DIR, STATE_DIR)


def sweep_temporary_files(root: Path, clock_file: Path) -> list[Path]:
    """Remove the temporary files that commands killed mid-write left under ``root``
    (``.govtool-tmp-*.tmp``, and the ``.NAME.RANDOM.tmp`` of earlier versions).

    Called by the holder of the lock, so no other govtool command is writing; a file
    is removed only when it is :data:`STALE_TEMP_SECONDS` older than ``clock_file``,
    which is touched first, so the file system's own clock decides (the core reads
    no clock) and a slow write of another program is never cut short.

    Args:
        root: the governance root; the directories govtool writes in are swept
            (the root itself, ``docs/brokers/`` and ``.govtool/``, without following links).
        clock_file: a file this process may touch (the lock file).

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    try:
        os.utime(clock_file)
        now = os.stat(clock_file).st_mtime
    except OSError:
        return removed
    for rel, recursive in _WRITTEN_DIRS:
        top = root / rel
        if not within(top, root):
            continue
        for directory, subdirs, names in os.walk(top):
            if not recursive:
                subdirs.clear()
            for name in names:
                if not _temporary_name(name, names):
                    continue
                path = Path(directory, name)
                with suppress(OSError):
                    info = path.lstat()
                    if info.st_mtime < now - STALE_TEMP_SECONDS and not path.is_symlink():
                        path.unlink()
                        removed.append(path)
    return removed


#: The temporary names of govtool before they were ``.govtool-tmp-*``: ``.NAME.RANDOM.tmp``
#: beside NAME (``.tracker.yaml.k3j_x9ab.tmp``), RANDOM being tempfile's eight characters.
_OLD_TEMP_RE = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")


def _temporary_name(name: str, siblings: list[str]) -> bool:
    """True for a temporary file of govtool's: ``.govtool-tmp-*.tmp``, or the older
    ``.NAME.RANDOM.tmp`` when NAME is a file beside it."""
    if name.startswith(TEMP_PREFIX):
        return name.endswith(".tmp")
    old = _OLD_TEMP_RE.fullmatch(name)
    return old is not None and old.group(1) in siblings


def read_governance_file(root: Path, rel: str) -> str:
    """The text of a file of the tracker under the governance root (``tracker.d/ID.yaml``).

    Raises:
        InputError: missing, unreadable, not UTF-8, too large, or a link out of the root.
    """
    return _read_root_file(root, rel, rel, "run `govtool validate`")


def read_tracker_text(root: Path) -> str:
    """The text of ``ROOT/tracker.yaml``.

    Raises:
        InputError: missing, unreadable, not UTF-8, too large, or a link out of the root.
    """
    return _read_root_file(root, TRACKER_FILE, str(root / TRACKER_FILE), "run `govtool init`")


def _read_root_file(root: Path, rel: str, shown: str, hint: str) -> str:
    """The text of ``ROOT/REL`` (inside the root, bounded, UTF-8); errors name it as ``shown``
    and, for a missing file, give ``hint``."""
    path = inside_root(root, rel, rel)
    try:
        return read_text(path, rel)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file", hint=hint) from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror}") from None


@dataclass
class TrackerFiles:
    """A tracker as it stands on disk: the texts of its files.

    Attributes:
        root: the governance root.
        settings_text: tracker.yaml's text.
        broker_texts: in the split layout, the broker files read (broker id -> text);
            None for the single-file layout.
        all_ids: every broker id of the split layout (from the file names), read or not.
    """

    root: Path
    settings_text: str
    broker_texts: dict[str, str] | None
    all_ids: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """True when only some broker files were read (a command on one broker)."""
        return self.broker_texts is not None and len(self.broker_texts) < len(self.all_ids)

    @property
    def split(self) -> bool:
        return self.broker_texts is not None


def broker_ids_on_disk(root: Path) -> list[str]:
    """The ids of the broker files in ``tracker.d/`` (sorted), or [] without that directory."""
    directory = root / BROKERS_DIR
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError(f"{directory}: cannot read: {exc.strerror}") from None
    return sorted(name[: -len(".yaml")] for name in names if name.endswith(".yaml") and not name.startswith("."))


def is_split_layout(root: Path, settings_text: str) -> bool:
    """True when the tracker keeps one file per broker: ``tracker.d/`` exists, or tracker.yaml
    says ``version: 2`` and holds no brokers itself (a repo with no broker yet has no
    ``tracker.d/`` in git). Validation then checks the version against the layout."""
    return (root / BROKERS_DIR).is_dir() or is_split_layout_text(settings_text)


def read_tracker_files(root: Path, only: Collection[str] | None = None) -> TrackerFiles:
    """Read the tracker's files: tracker.yaml and, in the split layout, the broker files.

    Args:
        root: the governance root.
        only: in the split layout, read only these brokers' files (a command on one
            broker reads one file); None reads them all. A named broker without a file
            is left out (the caller reports it as unknown, or adds it).

    Raises:
        InputError: a file missing, unreadable or not UTF-8.
    """
    settings_text = read_tracker_text(root)
    if not is_split_layout(root, settings_text):
        return TrackerFiles(root, settings_text, None)
    ids = broker_ids_on_disk(root)
    wanted = ids if only is None else [b for b in ids if b in set(only)]
    texts = {bid: read_governance_file(root, broker_file(bid)) for bid in wanted}
    return TrackerFiles(root, settings_text, texts, ids)


def tracker_from_files(files: TrackerFiles) -> Tracker:
    """Load (through the cache) and validate the tracker of ``files``.

    Raises:
        InputError, ValidationError: see :func:`govtool.validation.tracker_from_texts`.
    """
    if not files.split:
        return tracker_from_texts(files.settings_text, None, lambda text, _: load_tracker_data(text))
    if files.partial:  # a few small files: parsing them is cheaper than reading the whole cache entry
        tracker = tracker_from_texts(files.settings_text, files.broker_texts, known_ids=files.all_ids)
        tracker.other_ids = tuple(b for b in files.all_ids if b not in tracker.brokers)
        return tracker
    loader = _CachedLoader(files.root)
    try:
        tracker = tracker_from_texts(files.settings_text, files.broker_texts, loader.load, known_ids=files.all_ids)
    finally:
        loader.save()
    tracker.other_ids = tuple(b for b in files.all_ids if b not in tracker.brokers)
    return tracker


def _tracker_cache_entry(text: str) -> cache.Entry:
    return cache.entry("tracker", TRACKER_FILE, text)


def load_tracker_data(text: str) -> object:
    """A single-file tracker.yaml's text loaded as YAML, from the cache when this exact text was seen.

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
    """Cache ``data`` as what a single-file tracker.yaml's ``text`` loads to (plain JSON types only)."""
    if cache.plain_json(data):
        cache.write_json(_tracker_cache_entry(text), data)


def read_tracker(root: Path, only: Collection[str] | None = None) -> Tracker:
    """Read and validate the tracker of ``root`` (one file, or tracker.yaml and ``tracker.d/``).

    Args:
        only: in the split layout, the brokers to read (the others are not in the
            returned tracker); None for all.

    Raises:
        InputError, ValidationError: see :func:`govtool.validation.tracker_from_texts`.
    """
    return tracker_from_files(read_tracker_files(root, only))


class _CachedLoader:
    """``load(text, filename)`` through the per-user cache for the split layout: what each
    file's exact text loads to, kept in one cache entry per governance root
    (file name -> [text, data]); 1,000 broker files are one cache file, not 1,000.

    A file whose text differs from the cached one is loaded again, so an edit by hand,
    a checkout or a pull misses for exactly the files it changed; a text that does not
    load is never cached and raises every time.
    """

    def __init__(self, root: Path) -> None:
        self.entry = cache.entry("tracker-files", str(root.resolve()))
        stored = cache.read_json(self.entry)
        self.files: dict[str, list] = stored if isinstance(stored, dict) else {}
        self.dirty = False

    def load(self, text: str, filename: str) -> object:
        known = self.files.get(filename)
        if isinstance(known, list) and len(known) == 2 and known[0] == text:
            return known[1]
        data = load_yaml(text, filename)
        self.remember(filename, text, data)
        return data

    def remember(self, filename: str, text: str, data: object) -> None:
        if cache.plain_json(data):
            self.files[filename] = [text, data]
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            cache.write_json(self.entry, self.files)


def serialise_checked(tracker: Tracker, before: TrackerFiles) -> dict[Path, str]:
    """The files that write an in-memory tracker, after validating exactly what would be written.

    What is validated is the data that loading the written text gives
    (:func:`govtool.yamlio.loaded_form`, without parsing the text back); that data is
    then cached, so the next command does not parse the files either.

    Args:
        tracker: the changed tracker (all brokers, or those ``before`` read).
        before: the files as they were read.

    Returns:
        Path -> new text: tracker.yaml in the single-file layout; in the split layout
        the broker files whose text changed (and tracker.yaml only if its settings did).

    Raises:
        ValidationError: the change would leave an invalid tracker; nothing is written.
    """
    root = before.root
    if not before.split:
        text = dump_tracker(tracker)
        data = loaded_form(tracker.to_dict())
        _, problems = validate_data(data, version=tracker.version)
        if problems:
            raise ValidationError(place_problems(problems, text, None), hint="nothing was written")
        remember_tracker_data(text, data)
        return {root / TRACKER_FILE: text}
    assert before.broker_texts is not None
    settings_text = dump_tracker_settings(tracker)
    texts = {bid: dump_broker(broker) for bid, broker in tracker.brokers.items()}
    data = {
        **loaded_form({"version": tracker.version, "settings": tracker.settings.to_dict()}),
        "brokers": {bid: loaded_form(broker.to_dict()) for bid, broker in tracker.brokers.items()},
    }
    _, problems = validate_data(data, known_ids=before.all_ids, version=SPLIT_VERSION)
    if problems:
        raise ValidationError(place_problems(problems, settings_text, texts), hint="nothing was written")
    out: dict[Path, str] = {}
    if settings_text != before.settings_text:
        out[root / TRACKER_FILE] = settings_text
    loader = None if before.partial else _CachedLoader(root)
    for bid, text in texts.items():
        if before.broker_texts.get(bid) != text:
            out[root / broker_file(bid)] = text
            if loader is not None:
                loader.remember(broker_file(bid), text, data["brokers"][bid])
    if loader is not None:
        loader.save()
    return out


def write_all(files: dict[Path, str], root: Path, external: Collection[Path] = (), durable: bool = True) -> list[Path]:
    """Write several files, all or none: every new content is staged in a temporary
    file beside its destination first, and only then are they moved into place.

    Args:
        files: destination -> full new content.
        root: the governance root: every destination must stay inside it, links resolved.
        external: destinations the user named on the command line (``--out``), which
            may lie outside the root; they are still never written through a link.
        durable: flush each file to the disk (fsync) before it replaces the old one, so a
            power cut leaves the old or the new content; False for files rebuilt from
            the tracker at will (the site), where a thousand fsyncs would cost seconds.

    Returns:
        The paths whose content changed.

    Raises:
        InputError: a destination is a symbolic link or leads outside the root, or is
            not writable (a read-only file or directory, a directory where a file
            goes, a full disk); nothing was written.
    """
    for path in files:
        _check_destination(path, root, external)
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            tmp = _stage(path, text, durable)
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
