"""The CI gate: no connector code merges for a broker that is not approved.

Where it reads what:

- **The base** is the branch the change merges into, read at its **tip**: the statuses,
  ``settings.gate``, the approvers and the allowed-signers file all come from there,
  never from the change. No tracker at the base is an error (exit 2), never a reason to
  read the change's own.
- **The change** is what ``git diff --raw`` gives between the merge base and HEAD:
  added, modified and deleted paths, both sides of a rename, with their modes. In a
  criss-cross history (several merge bases) it is every path that differs from some
  merge base and from the base's tip, so the verdict never depends on which merge base
  git would pick.

Connector code: each of ``settings.gate.paths`` (``src/brokers/{broker}/**``,
``src/brokers/{broker}-provider.ts``) names a **connector root**, the literal
directories before ``{broker}``. *Every* path under a root is connector code, named by
its first part below the root: a name that is exactly a tracked broker's id (bare, or
inside the literal text around ``{broker}``) is that broker's code; a name listed in
``settings.gate.not_brokers`` is shared code; any other name is unknown and fails,
saying which tracked id it imitates (case, look-alike Unicode characters, separators,
a suffix). Roots are matched without case (a case-insensitive checkout has one
directory for ``Src/`` and ``src/``). A symbolic link or a submodule is a path like any
other: one at a connector path is that name's code, and one at or above a root (which
would make the root point elsewhere) fails.

Every broker whose code is added or changed must be in one of
``settings.gate.allowed_statuses`` at the base's tip. Where ``settings.gate.approvers``
is set, the decision that approved it must also be signed by one of them: its SSH
signature must verify (``ssh-keygen -Y verify``, :mod:`govtool.signing`) against the
base's allowed-signers file for the email it records. Only the brokers the change
touches are verified. Code that is only removed always passes.

The record is append-only: a tracker file the change touches must still hold every
history event it held at each merge base (:func:`_rewritten_histories`); a change that
takes one out or edits it fails (:data:`KIND_HISTORY`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from govtool.errors import InputError
from govtool.git_repo import (
    Objects,
    Range,
    default_branch_refs,
    finish,
    resolve_range,
    start_diff,
    tree_entries,
)
from govtool.inputs import decode_utf8
from govtool.model import (
    BROKER_ID_RE,
    BROKERS_DIR,
    TRACKER_FILE,
    Broker,
    Event,
    Tracker,
    event_identity,
    removed_events,
)
from govtool.settings import Settings, gate_path_problem
from govtool.signing import (
    BAD_SIGNATURE,
    NOT_AN_APPROVER,
    UNSIGNED,
    DecisionVerification,
    Verification,
    approving_decision,
    signer_count,
    trusted_by,
)
from govtool.templating import md_cell
from govtool.validation import is_split_layout_text, tracker_from_texts

#: What a group of changed connector paths is (:attr:`BrokerVerdict.kind`).
KIND_BROKER = "broker"
KIND_UNKNOWN = "unknown"
KIND_NOT_BROKER = "not_broker"
KIND_LINK = "link"
KIND_HISTORY = "history"

#: How a group without a status is shown.
UNTRACKED_LABELS = {
    KIND_BROKER: "not tracked",
    KIND_UNKNOWN: "unknown name",
    KIND_NOT_BROKER: "shared code",
    KIND_LINK: "link",
    KIND_HISTORY: "not tracked",
}

#: git's modes of a symbolic link and of a submodule (a gitlink).
LINK_MODES = ("120000", "160000")


@dataclass
class ChangedPath:
    """One side of a change.

    Attributes:
        path: the path from the repository's top, as git gives it.
        kind: added, modified, deleted, renamed-from or renamed-to.
        mode: git's mode on the side that stays (the old side of a removal): ``100644``,
            ``120000`` (a symbolic link), ``160000`` (a submodule)...
    """

    path: str
    kind: str
    mode: str = "100644"

    @property
    def removes(self) -> bool:
        """True for a deletion and the old side of a rename."""
        return self.kind in ("deleted", "renamed-from")

    @property
    def is_link(self) -> bool:
        """True for a symbolic link or a submodule."""
        return self.mode in LINK_MODES


_KINDS = {"A": "added", "M": "modified", "D": "deleted", "T": "modified", "C": "added", "U": "modified"}


def parse_raw_diff(output: str) -> list[ChangedPath]:
    """Parse ``git diff --raw -z -M`` output into changed paths (both sides of renames).

    Each record is ``:OLDMODE NEWMODE OLDSHA NEWSHA STATUS``, a NUL, the path (two
    paths, old then new, for a rename R<score> or a copy C<score>), each followed by a
    NUL; nothing is quoted. A copy adds its new path and leaves its source as it was.
    """
    parts = output.split("\0")
    out: list[ChangedPath] = []
    index = 0
    while index < len(parts) and parts[index].startswith(":"):
        old_mode, new_mode, _, _, status = parts[index][1:].split(" ")
        letter = status[:1]
        if letter in ("R", "C"):
            old, new = parts[index + 1], parts[index + 2]
            if letter == "R":
                out += [ChangedPath(old, "renamed-from", old_mode), ChangedPath(new, "renamed-to", new_mode)]
            else:
                out.append(ChangedPath(new, "added", new_mode))
            index += 3
        else:
            kind = _KINDS.get(letter, "modified")
            out.append(ChangedPath(parts[index + 1], kind, old_mode if kind == "deleted" else new_mode))
            index += 2
    return out


def fold(part: str) -> str:
    """A path part as a case-insensitive, normalisation-insensitive file system sees it
    (NFC, case folded, trailing dots and spaces dropped as Windows does)."""
    if part.isascii():
        return part.lower().rstrip(" .")
    return unicodedata.normalize("NFC", part).casefold().rstrip(" .")


@dataclass(frozen=True)
class ConnectorRoot:
    """A directory whose every path is connector code.

    Attributes:
        path: as the settings write it, from the repository's top, ending in ``/``.
        folded: its parts, :func:`fold`-ed.
        templates: ``(before, after)``: the literal text around ``{broker}`` in the part
            below the root, one pair per gate path under this root (``("", "")`` for
            ``{broker}/**``, ``("", "-provider.ts")`` for ``{broker}-provider.ts``).
    """

    path: str
    folded: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]


def connector_roots(paths: Iterable[str], prefix: str = "") -> list[ConnectorRoot]:
    """The connector roots of gate paths, deepest first.

    Args:
        paths: ``settings.gate.paths``.
        prefix: the governance root from the repository's top (``""`` or ``"gov/"``).

    Raises:
        InputError: a gate path the gate cannot hold (``govtool validate`` refuses it first).
    """
    by_root: dict[str, list[tuple[str, str]]] = {}
    for pattern in paths:
        problem = gate_path_problem(pattern)
        if problem:
            raise InputError(f"settings.gate.paths: {pattern!r}: {problem}", hint="fix it and run `govtool validate`")
        parts = pattern.removeprefix("/").removesuffix("/").split("/")
        index = next(i for i, part in enumerate(parts) if "{broker}" in part)
        before, _, after = parts[index].partition("{broker}")
        root = prefix + "/".join(parts[:index]) + "/"
        if (before, after) not in by_root.setdefault(root, []):
            by_root[root].append((before, after))
    roots = [
        ConnectorRoot(root, tuple(fold(p) for p in root.rstrip("/").split("/")), tuple(templates))
        for root, templates in by_root.items()
    ]
    return sorted(roots, key=lambda r: (-len(r.folded), r.path))


class Located(NamedTuple):
    """Where a changed path stands: its group's ``key``, ``kind``, ``name`` and ``root``."""

    key: str
    kind: str
    name: str
    root: ConnectorRoot


def locate(
    item: ChangedPath, roots: Sequence[ConnectorRoot], tracked: Collection[str], not_brokers: Collection[str]
) -> Located | None:
    """The connector code a changed path is, or None when it is under no connector root.

    Args:
        item: the changed path.
        roots: from :func:`connector_roots`, deepest first.
        tracked: the ids of the brokers in the tracker at the base.
        not_brokers: ``settings.gate.not_brokers``.
    """
    path = item.path
    parts: list[str] | None = None
    for root in roots:
        if path.startswith(root.path):  # spelled as the settings spell it: the usual case
            name = path[len(root.path) :].split("/", 1)[0]
            if name:
                return _located(name, root, tracked, not_brokers)
            continue
        if parts is None:
            parts = path.split("/")
        depth = len(root.folded)
        if fold(parts[0]) != root.folded[0]:
            continue
        if len(parts) <= depth:
            if item.is_link and all(fold(p) == f for p, f in zip(parts[1:], root.folded[1:], strict=False)):
                return Located(path, KIND_LINK, path, root)
            continue
        if all(fold(p) == f for p, f in zip(parts[1:depth], root.folded[1:], strict=True)):
            return _located(parts[depth], root, tracked, not_brokers)
    return None


def _located(name: str, root: ConnectorRoot, tracked: Collection[str], not_brokers: Collection[str]) -> Located:
    kind, name = name_kind(name, root, tracked, not_brokers)
    return Located(name if kind == KIND_BROKER else root.path + name, kind, name, root)


def name_kind(
    name: str, root: ConnectorRoot, tracked: Collection[str], not_brokers: Collection[str]
) -> tuple[str, str]:
    """What a name right under a connector root is: ``(kind, name)``, the name being the
    broker's id for :data:`KIND_BROKER` (``alpaca`` for ``alpaca-provider.ts``)."""
    for before, after in root.templates:
        if len(name) > len(before) + len(after) and name.startswith(before) and name.endswith(after):
            broker = name[len(before) : len(name) - len(after)]
            if broker in tracked:
                return KIND_BROKER, broker
    if name in tracked:
        return KIND_BROKER, name
    return (KIND_NOT_BROKER if name in not_brokers else KIND_UNKNOWN), name


#: Letters of other scripts that look like Latin ones (Cyrillic, Greek, Armenian, and a
#: few more), and the ASCII look-alikes (0/o, 1/l), mapped to what they look like.
_CONFUSABLES = str.maketrans(
    {
        **dict.fromkeys("аɑα⍺", "a"),
        **dict.fromkeys("ьЬвβ", "b"),
        **dict.fromkeys("сϲⅽ", "c"),
        **dict.fromkeys("ԁⅾ", "d"),
        **dict.fromkeys("еёҽε", "e"),
        **dict.fromkeys("ցɡ", "g"),
        **dict.fromkeys("һհ", "h"),
        **dict.fromkeys("іїɩιⅰ1|ӏǀ", "l"),
        **dict.fromkeys("јϳ", "j"),
        **dict.fromkeys("κкᴋ", "k"),
        **dict.fromkeys("ⅿм", "m"),
        **dict.fromkeys("ոпη", "n"),
        **dict.fromkeys("оοσօ0ᴏ", "o"),
        **dict.fromkeys("рρ", "p"),
        **dict.fromkeys("ԛ", "q"),
        **dict.fromkeys("ѕ", "s"),
        **dict.fromkeys("т", "t"),
        **dict.fromkeys("υսμ", "u"),
        **dict.fromkeys("νѵⅴ", "v"),
        **dict.fromkeys("ԝωш", "w"),
        **dict.fromkeys("хχⅹ", "x"),
        **dict.fromkeys("уүγ", "y"),
        **dict.fromkeys("ᴢ", "z"),
    }
)
_SEPARATORS = re.compile(r"[\s\-_.]+")
_NOT_WORD = re.compile(r"[\W_]+")


def skeleton(name: str) -> str:
    """What a name looks like: compatibility forms and accents undone (NFKD), invisible
    characters dropped, case folded, look-alike letters mapped to Latin ones, and every
    separator and punctuation taken out (``Оаnda`` with Cyrillic letters, ``o_anda``,
    ``OANDA`` and ``ｏａｎｄａ`` all look like ``oanda``)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf", "Cc"))
    text = text.casefold().translate(_CONFUSABLES)
    return _NOT_WORD.sub("", text)


def imitation(name: str, tracked: Iterable[str]) -> tuple[str, str] | None:
    """The tracked broker id a name imitates, and how, or None.

    Returns:
        ``(id, how)``; ``how`` is "case", "separators", "look-alike characters" or
        "a suffix" (the id, a separator, then more: ``oanda.v2``).
    """
    ids = sorted(tracked)
    looks = skeleton(name)
    for broker in ids:
        if name.casefold() == broker:
            return broker, "case"
    for broker in ids:
        if _SEPARATORS.sub("", name.casefold()) == _SEPARATORS.sub("", broker):
            return broker, "separators"
    for broker in ids:
        if looks == skeleton(broker):
            return broker, "look-alike characters"
    head = _SEPARATORS.split(name.strip(" -_."), maxsplit=1)[0]
    for broker in ids:
        if head != name and skeleton(head) == skeleton(broker):
            return broker, "a suffix"
    return None


def shown(name: str) -> str:
    """A name as messages show it: plain ASCII as it is; anything else with its escapes
    (``оanda (\\u043eanda)``), and no control character raw."""
    if name.isascii() and name.isprintable():
        return name
    escaped = ascii(name)[1:-1]
    return f"{name} ({escaped})" if name.isprintable() else escaped


@dataclass
class BrokerVerdict:
    """The gate's verdict on one group of connector changes.

    Attributes:
        broker: the name the paths stand under: a broker id, or the unknown name, the
            shared name, or the link's path.
        kind: :data:`KIND_BROKER`, :data:`KIND_UNKNOWN`, :data:`KIND_NOT_BROKER`, :data:`KIND_LINK`,
            or :data:`KIND_HISTORY` (the change removes or edits a broker's history events).
        root: the connector root the paths are under.
        paths: the changed paths with their kind.
        status_at_base: the status at the base's tip (None: not tracked).
        passed: whether the change may merge; message: why not (or what passed).
        signature: where the approval's signature was checked, what was found
            (:meth:`govtool.signing.DecisionVerification.to_dict`).
    """

    broker: str
    kind: str = KIND_BROKER
    root: str = ""
    paths: list[ChangedPath] = field(default_factory=list)
    status_at_base: str | None = None
    passed: bool = True
    message: str = ""
    signature: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "broker": self.broker,
            "kind": self.kind,
            "root": self.root,
            "paths": [{"path": p.path, "change": p.kind} for p in self.paths],
            "status_at_base": self.status_at_base,
            "passed": self.passed,
            "message": self.message,
            "signature": self.signature,
        }


@dataclass
class GateResult:
    """The gate over one change.

    Attributes:
        base: the base as named; base_sha: its tip, where everything was read.
        merge_base: the merge base git picks; merge_bases: all of them.
        head: the change's head; changed_files: how many paths changed.
        verdicts: one per group of connector changes.
    """

    base: str
    base_sha: str
    merge_base: str
    merge_bases: tuple[str, ...]
    head: str
    changed_files: int
    verdicts: list[BrokerVerdict]

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "base_sha": self.base_sha,
            "merge_base": self.merge_base,
            "merge_bases": list(self.merge_bases),
            "head": self.head,
            "changed_files": self.changed_files,
            "passed": self.passed,
            "brokers": [v.to_dict() for v in self.verdicts],
        }


def default_base(env: dict[str, str], origin_head: str | None, refs: Collection[str]) -> str:
    """BASE when none is given: ``origin/$GITHUB_BASE_REF`` (a pull request on GitHub), else
    what ``origin/HEAD`` names (the remote's default branch), else the first of
    origin/main, origin/master, main and master that exists.

    Raises:
        InputError: none of these.
    """
    if env.get("GITHUB_BASE_REF"):
        return f"origin/{env['GITHUB_BASE_REF']}"
    if origin_head:
        return origin_head
    for name in ("origin/main", "origin/master", "main", "master"):
        if name in refs:
            return name
    raise InputError(
        "no base to compare with: GITHUB_BASE_REF is unset, origin/HEAD is not set, and there is no main or master",
        hint="pass --base REF (the branch the change merges into), or git remote set-head origin --auto",
    )


class _Base:
    """The tracker at the base's tip, read from git as far as the gate needs it."""

    def __init__(self, objects: Objects, rng: Range, base: str) -> None:
        self.objects, self.commit, self.base = objects, rng.base, base
        self.where = f"@{rng.base[:10]}"
        self.rel = rng.prefix + TRACKER_FILE
        self.dir = rng.prefix + BROKERS_DIR
        found = objects.read([f"{rng.base}:{self.rel}", f"{rng.base}:{self.dir}"])
        tracker = found.get(f"{rng.base}:{self.rel}")
        if tracker is None or tracker[0] != "blob":
            raise InputError(
                f"no {self.rel} at {base} ({rng.base[:10]}): the gate reads its settings and the statuses there",
                hint="the tracker must be on the branch the change merges into; the gate never reads the change's",
            )
        self.text = decode_utf8(tracker[1], self.rel + self.where)
        listing = found.get(f"{rng.base}:{self.dir}")
        entries = tree_entries(listing[1], objects.id_bytes) if listing is not None and listing[0] == "tree" else []
        files = [n for m, n, _ in entries if m.startswith("100") and n.endswith(".yaml") and n[:1] != "."]
        self.split = bool(files) or is_split_layout_text(self.text)
        self.ids = [n[: -len(".yaml")] for n in files]
        self.tracker = self._load({} if self.split else None)
        if not self.split:
            self.ids = list(self.tracker.brokers)

    @property
    def settings(self) -> Settings:
        return self.tracker.settings

    def _load(self, broker_texts: dict[str, str] | None) -> Tracker:
        try:
            return tracker_from_texts(self.text, broker_texts, known_ids=self.ids, where=self.where)
        except InputError as exc:
            raise InputError(
                f"the tracker at {self.base} ({self.commit[:10]}) is invalid: {exc.message.splitlines()[0]}",
                hint="the base branch must hold a valid tracker (govtool validate there)",
            ) from None

    def records(self, brokers: Collection[str], extra: list[str]) -> tuple[dict[str, Broker], dict[str, bytes]]:
        """The records of some brokers at the base, and the blobs of ``extra`` paths (read at once)."""
        specs = [f"{self.commit}:{self.dir}/{b}.yaml" for b in brokers if self.split]
        specs += [f"{self.commit}:{path}" for path in extra]
        found = self.objects.read(specs)
        blobs = {path: found[f"{self.commit}:{path}"] for path in extra if f"{self.commit}:{path}" in found}
        if not self.split:
            return self.tracker.brokers, {p: data for p, (kind, data) in blobs.items() if kind == "blob"}
        texts = {}
        for broker in brokers:
            entry = found.get(f"{self.commit}:{self.dir}/{broker}.yaml")
            if entry is not None:
                texts[broker] = decode_utf8(entry[1], f"{self.dir}/{broker}.yaml{self.where}")
        tracker = self._load(texts)
        return tracker.brokers, {p: data for p, (kind, data) in blobs.items() if kind == "blob"}


def _status_at(objects: Objects, commit: str, prefix: str, broker: str) -> str | None:
    """A broker's status in the tracker at a commit, read leniently (None when there is none
    or it does not load): only for saying "this change also moves it"."""
    from govtool.yamlio import load_yaml

    split_spec, single_spec = f"{commit}:{prefix}{BROKERS_DIR}/{broker}.yaml", f"{commit}:{prefix}{TRACKER_FILE}"
    found = objects.read([split_spec, single_spec])
    try:
        if split_spec in found:
            data = load_yaml(found[split_spec][1].decode("utf-8"), "broker file")
        elif single_spec in found:
            data = load_yaml(found[single_spec][1].decode("utf-8"), TRACKER_FILE)
            data = data.get("brokers", {}).get(broker) if isinstance(data, dict) else None
        else:
            return None
        status = data.get("status") if isinstance(data, dict) else None
    except (InputError, UnicodeDecodeError, AttributeError, RecursionError):
        return None
    return status if isinstance(status, str) else None


def _changed_paths(rng: Range, procs: list[Any], tip_proc: Any) -> list[ChangedPath]:
    """The change's paths from the diffs against each merge base (and the base's tip)."""
    seen: dict[str, ChangedPath] = {}
    for proc in procs:
        for item in parse_raw_diff(finish(proc, "diff").decode("utf-8", "surrogateescape")):
            seen.setdefault(item.path, item)
    if tip_proc is None:
        return list(seen.values())
    differs = {c.path for c in parse_raw_diff(finish(tip_proc, "diff").decode("utf-8", "surrogateescape"))}
    return [item for path, item in seen.items() if path in differs]


def run_gate(
    root: Path, base: str | None, head: str, env: dict[str, str], now: dt.datetime | None = None
) -> GateResult:
    """Check the change between the merge base of ``base`` and ``head``, and ``head``.

    Args:
        root: the governance root (inside the git work tree).
        base: the base ref (the branch the change merges into), or None for :func:`default_base`.
        head: the head ref.
        env: the environment (for ``GITHUB_BASE_REF``).
        now: the time the signing keys must be valid at (None: ssh-keygen's clock).

    Returns:
        The verdicts; ``passed`` is False when any group fails.

    Raises:
        InputError: not a git repository, an unknown ref, no merge base (a shallow
            clone), a failing git command, no or an invalid tracker at the base, a bad
            gate path, no allowed-signers file where approvers are set (exit 2).
    """
    if not base:
        base = default_base(env, *default_branch_refs(root))
    # What runs side by side on a 2-core runner (benchmarks/gate_scale.py): git cat-file
    # starts with rev-parse; the diffs run while the base's tracker is read, the roots are
    # built, and the records of the brokers whose directories changed are read and their
    # approvals verified.
    with Objects(root) as objects:
        rng = resolve_range(root, base, head)
        procs = [start_diff(rng.top, merge_base, rng.head) for merge_base in rng.merge_bases]
        tip_proc = start_diff(rng.top, rng.base, rng.head) if len(rng.merge_bases) > 1 else None
        early: _Touched | None = None
        try:
            at_base = _Base(objects, rng, base)
            gate = at_base.settings.gate
            roots = connector_roots(gate.paths, rng.prefix)
            early = _Touched(at_base, rng, _changed_brokers(objects, rng, roots, at_base), now)
            changed = _changed_paths(rng, procs, tip_proc)
            verdicts = _verdicts(changed, roots, at_base, gate.not_brokers)
            _judge(verdicts, roots, at_base, rng, base, now, early)
            verdicts.update((f"{KIND_HISTORY}:{v.broker}", v) for v in _rewritten_histories(changed, at_base, rng))
        finally:
            for proc in [*procs, tip_proc]:
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait()
            if early is not None:
                early.close()
    return GateResult(base, rng.base, rng.merge_base, rng.merge_bases, rng.head, len(changed), list(verdicts.values()))


def _rewritten_histories(changed: list[ChangedPath], at_base: _Base, rng: Range) -> list[BrokerVerdict]:
    """A failing verdict for each broker whose history events at a merge base the change
    removes or edits (the broker's file deleted, an event taken out or changed).

    History is append-only (DESIGN.md, "The data"): were an event taken out, an older
    approval could become the broker's last decision again, and its signature still
    verifies. Only the tracker files the change touches are read: at each merge base
    and at HEAD, in either layout (a migration moves events between them). A file that
    does not load at HEAD holds none of its events.
    """
    tracker_rel, brokers_dir = rng.prefix + TRACKER_FILE, rng.prefix + BROKERS_DIR + "/"
    paths: dict[str, list[ChangedPath]] = {}
    whole: list[ChangedPath] = []
    for item in changed:
        name = item.path[len(brokers_dir) :] if item.path.startswith(brokers_dir) else ""
        if item.path == tracker_rel:
            whole.append(item)
        elif name.endswith(".yaml") and "/" not in name and BROKER_ID_RE.match(name[: -len(".yaml")]):
            paths.setdefault(name[: -len(".yaml")], []).append(item)
    if not paths and not whole:
        return []
    befores = {mb: _histories_at(at_base.objects, mb, rng.prefix, paths, bool(whole))[0] for mb in rng.merge_bases}
    brokers = {b for before in befores.values() for b in before}
    after, unreadable = _histories_at(at_base.objects, rng.head, rng.prefix, brokers, False, as_read=True)
    found: dict[str, BrokerVerdict] = {}
    for merge_base, before in befores.items():
        for broker, events in before.items():
            removed = removed_events(events, after.get(broker, []))
            if not removed or broker in found:
                continue
            first, at = removed[0], merge_base[:10]
            what = f"the {first.get('event')} of {first.get('at')}"
            if event_identity(first) in {event_identity(e) for e in after.get(broker, []) if isinstance(e, dict)}:
                change = f"moves {what} out of its place in its history at {at} (events replay in the order listed)"
            else:
                more = f" and {len(removed) - 1} more" if len(removed) > 1 else ""
                change = f"removes or edits {what}{more} from its history at {at}"
            why = f" ({unreadable[broker]})" if broker in unreadable else ""
            found[broker] = BrokerVerdict(
                broker,
                KIND_HISTORY,
                rng.prefix + BROKERS_DIR + "/" if at_base.split else tracker_rel,
                paths.get(broker) or list(whole),
                _status_at(at_base.objects, at_base.commit, rng.prefix, broker),
                passed=False,
                message=f"{broker}: this change {change}{why}; history is append-only: record a new event instead "
                "(a decision, a reopen)",
            )
    return [found[b] for b in sorted(found)]


def _histories_at(
    objects: Objects, commit: str, prefix: str, brokers: Collection[str], every_broker: bool, as_read: bool = False
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Brokers' histories at a commit, as loaded (lists of mappings), from their files in
    the split layout or tracker.yaml's ``brokers`` in the single one; ``every_broker``
    adds each broker tracker.yaml lists. With ``as_read`` (the change's head), only the
    layout govtool reads there counts (:func:`govtool.storage.is_split_layout`: with a
    ``tracker.d`` of any kind, tracker.yaml's ``brokers`` are not read); else both do.
    Returns the histories (a broker with none is left out) and, for each broker whose
    file does not load or is not read, why."""
    from govtool.yamlio import load_yaml

    specs = {b: f"{commit}:{prefix}{BROKERS_DIR}/{b}.yaml" for b in brokers}
    single = f"{commit}:{prefix}{TRACKER_FILE}"
    found = objects.read([*specs.values(), single])
    ignored = None
    if as_read and single in found and _split_at(objects, commit, prefix, found[single][1]):
        ignored = f"{prefix}{TRACKER_FILE} lists it, but govtool reads brokers from {prefix}{BROKERS_DIR}/ there"
    histories: dict[str, list[Any]] = {}
    unreadable: dict[str, str] = {}

    def load(spec: str) -> tuple[Any, str | None]:
        """The data of a blob, or why it does not load."""
        kind, data = found[spec]
        name = spec.split(":", 1)[1]
        if kind != "blob":
            return None, f"{name} is not a file"
        try:
            return load_yaml(decode_utf8(data, name), name), None
        except InputError as exc:
            return None, exc.message.splitlines()[0]
        except RecursionError:
            return None, f"{name}: nested too deep"

    listed: dict[str, Any] = {}
    if single in found:
        data, why = load(single)
        if why:
            unreadable.update(dict.fromkeys(brokers, why))
        elif isinstance(data, dict) and isinstance(data.get("brokers"), dict):
            listed = data["brokers"]
            if ignored:
                unreadable.update((b, ignored) for b in brokers if b in listed and specs[b] not in found)
                listed = {}
    for broker in {*brokers, *(b for b in listed if every_broker and isinstance(b, str))}:
        record = listed.get(broker)
        if specs.get(broker) in found:
            record, why = load(specs[broker])
            if why:
                unreadable[broker] = why
        history = record.get("history") if isinstance(record, dict) else None
        if isinstance(history, list) and history:
            histories[broker] = history
    return histories, unreadable


def _split_at(objects: Objects, commit: str, prefix: str, tracker_text: bytes) -> bool:
    """Whether govtool reads the split layout at a commit (:func:`govtool.storage.is_split_layout`):
    tracker.yaml says so, or ``tracker.d`` is there as anything but a plain file (a
    directory, or a link or a submodule, which check out as one)."""
    if is_split_layout_text(tracker_text.decode("utf-8", "replace")):
        return True
    top = f"{commit}:{prefix.rstrip('/')}"
    listing = objects.read([top]).get(top)
    entries = tree_entries(listing[1], objects.id_bytes) if listing is not None and listing[0] == "tree" else []
    return any(name == BROKERS_DIR and not mode.startswith("100") for mode, name, _ in entries)


def _changed_brokers(objects: Objects, rng: Range, roots: list[ConnectorRoot], at_base: _Base) -> list[str]:
    """The tracked brokers whose entry right under a connector root differs between the
    merge base and HEAD, from two tree objects per root: known long before the diff ends,
    so their approvals can be verified meanwhile. The diff still decides what changed."""
    commits = (rng.merge_base, rng.head)
    specs = {root.path: [f"{commit}:{root.path.rstrip('/')}" for commit in commits] for root in roots}
    found = objects.read([spec for pair in specs.values() for spec in pair])
    tracked, not_brokers, brokers = set(at_base.ids), at_base.settings.gate.not_brokers, set()
    for root in roots:
        old, new = (found.get(spec) for spec in specs[root.path])
        if new is None or new[0] != "tree":
            continue
        before = {}
        if old is not None and old[0] == "tree":
            before = {e[1]: e for e in tree_entries(old[1], objects.id_bytes)}
        for entry in tree_entries(new[1], objects.id_bytes):
            if before.get(entry[1]) != entry:
                kind, name = name_kind(entry[1], root, tracked, not_brokers)
                if kind == KIND_BROKER:
                    brokers.add(name)
    return sorted(brokers)


def _verdicts(
    changed: list[ChangedPath], roots: list[ConnectorRoot], at_base: _Base, not_brokers: Collection[str]
) -> dict[str, BrokerVerdict]:
    """The changed connector paths, grouped by what they are."""
    tracked = set(at_base.ids)
    groups: dict[str, BrokerVerdict] = {}
    for item in changed:
        where = locate(item, roots, tracked, not_brokers)
        if where is not None:
            group = groups.get(where.key)
            if group is None:
                group = groups[where.key] = BrokerVerdict(where.name, where.kind, where.root.path)
            group.paths.append(item)
    return dict(sorted(groups.items()))


class _Touched:
    """Some brokers' records at the base's tip and, where ``settings.gate.approvers`` is
    set, their approvals' signatures being verified against the allowed-signers file there.

    Made, it reads the records (and the allowed-signers file) and starts ``ssh-keygen``
    (only for brokers whose status allows connector code); :meth:`results` waits.

    Raises:
        InputError: no allowed-signers file at the base, or one that names no signer.
    """

    def __init__(self, at_base: _Base, rng: Range, brokers: list[str], now: dt.datetime | None) -> None:
        gate = at_base.settings.gate
        path = rng.prefix + gate.allowed_signers
        self.brokers = set(brokers)
        self.records, blobs = at_base.records(brokers, [path] if gate.approvers else []) if brokers else ({}, {})
        self.decisions: dict[str, Event | None] = {}
        self.check: Verification | None = None
        wanted = [b for b in brokers if b in self.records and self.records[b].status in gate.allowed_statuses]
        if not wanted or not gate.approvers:
            return
        if path not in blobs:
            raise InputError(
                f"{gate.allowed_signers} is not at {at_base.base} ({rng.base[:10]}): settings.gate.approvers is set, "
                "and the approvals are verified against that allowed-signers file",
                hint="commit each approver's 'EMAIL KEYTYPE KEY' line to it on the base branch; the gate never reads "
                "it from the change",
            )
        signers = decode_utf8(blobs[path], f"{gate.allowed_signers}@{rng.base[:10]}")
        if signer_count(signers) == 0:
            raise InputError(
                f"{gate.allowed_signers} at {at_base.base} ({rng.base[:10]}) names no signer",
                hint="each line is 'EMAIL KEYTYPE KEY' (ssh-keygen's ALLOWED SIGNERS format)",
            )
        self.decisions = {b: approving_decision(self.records[b]) for b in wanted}
        signed = [(b, d) for b, d in self.decisions.items() if d is not None]
        self.order = [b for b, _ in signed]
        self.check = Verification(signed, signers, at=now, **trusted_by(at_base.settings))

    def results(self) -> dict[str, DecisionVerification]:
        """Each verified broker's result (waits for ssh-keygen)."""
        if self.check is None:
            return {}
        return dict(zip(self.order, self.check.results(), strict=True))

    def close(self) -> None:
        if self.check is not None:
            self.check.close()


def _judge(
    verdicts: dict[str, BrokerVerdict],
    roots: list[ConnectorRoot],
    at_base: _Base,
    rng: Range,
    base: str,
    now: dt.datetime | None,
    early: _Touched,
) -> None:
    """Decide each verdict, in place (``early``: the brokers read, and their approvals being
    verified, before the diff ended; the others the diff shows are read now)."""
    touched = [v.broker for v in verdicts.values() if v.kind == KIND_BROKER and not all(p.removes for p in v.paths)]
    later = _Touched(at_base, rng, [b for b in touched if b not in early.brokers], now)
    try:
        signed = _decide(verdicts, roots, {**early.records, **later.records}, at_base, rng, base)
        if signed:
            results = {**early.results(), **later.results()}
            decisions = {**early.decisions, **later.decisions}
            for verdict in signed:
                _approval_verdict(verdict, decisions.get(verdict.broker), results.get(verdict.broker), base)
    finally:
        later.close()


def _decide(
    verdicts: dict[str, BrokerVerdict],
    roots: list[ConnectorRoot],
    records: dict[str, Broker],
    at_base: _Base,
    rng: Range,
    base: str,
) -> list[BrokerVerdict]:
    """Decide each verdict that needs no signature, in place: the ones that do, returned."""
    gate = at_base.settings.gate
    allowed = set(gate.allowed_statuses)
    signed = []
    for verdict in verdicts.values():
        if verdict.kind == KIND_BROKER:
            record = records.get(verdict.broker) or at_base.tracker.brokers.get(verdict.broker)
            verdict.status_at_base = record.status if record else None
        if all(p.removes for p in verdict.paths):
            verdict.message = "only removes connector code"
        elif verdict.kind == KIND_NOT_BROKER:
            verdict.message = f"{shown(verdict.broker)} is listed in settings.gate.not_brokers (shared code)"
        elif verdict.kind == KIND_LINK:
            verdict.passed = False
            verdict.message = (
                f"{shown(verdict.broker)} is a symbolic link or submodule at the connector root {verdict.root}: "
                "it would make every connector path point elsewhere"
            )
        elif verdict.kind == KIND_UNKNOWN:
            verdict.passed = False
            templates = next((r.templates for r in roots if r.path == verdict.root), ())
            verdict.message = _unknown_message(verdict, templates, at_base, base)
        elif verdict.status_at_base not in allowed:
            verdict.passed = False
            verdict.message = f"{verdict.broker} is {verdict.status_at_base} at {base}; connector code needs " + (
                " or ".join(sorted(allowed))
            )
            at_head = _status_at(at_base.objects, rng.head, rng.prefix, verdict.broker)
            at_merge_base = _status_at(at_base.objects, rng.merge_base, rng.prefix, verdict.broker)
            if at_head is not None and at_head != at_merge_base:
                verdict.message += (
                    f"; this change also moves it to {at_head}: the approval must land first, in its own change"
                )
        elif gate.approvers:
            signed.append(verdict)
        else:
            verdict.message = f"{verdict.broker} is {verdict.status_at_base} at {base}"
    return signed


def _unknown_message(verdict: BrokerVerdict, templates: Sequence[tuple[str, str]], at_base: _Base, base: str) -> str:
    """Why a name under a connector root is no broker's: the tracked id it imitates, if any."""
    name, root = verdict.broker, verdict.root
    candidates = [
        name[len(before) : len(name) - len(after)]
        for before, after in templates
        if len(name) > len(before) + len(after)
        and fold(name).startswith(fold(before))
        and fold(name).endswith(fold(after))
    ]
    for candidate in [*candidates, name]:
        found = imitation(candidate, at_base.ids)
        if found:
            broker, how = found
            return (
                f"{root}{shown(name)} is not a tracked broker's name: it imitates {broker} ({how}); "
                f"connector code goes under exactly {root}{broker}, and shared code is listed in "
                "settings.gate.not_brokers"
            )
    if BROKER_ID_RE.match(name):
        return f'{name} is not in the tracker at {base}; research comes first: govtool research new {name} --name "..."'
    return (
        f"{root}{shown(name)} is neither a tracked broker's id nor listed in settings.gate.not_brokers: every path "
        f"under {root} is connector code"
    )


def _approval_verdict(
    verdict: BrokerVerdict,
    decision: Event | None,
    result: DecisionVerification | None,
    base: str,
) -> None:
    """Where approvers are set: the verdict on a broker from its approval's verification."""
    if decision is None or result is None:
        verdict.passed = False
        verdict.message = (
            f"{verdict.broker} is {verdict.status_at_base} at {base} without an approved decision in its "
            "history; settings.gate.approvers needs one signed by an approver"
        )
        return
    verdict.signature = result.to_dict()
    when = f"the approval of {decision.date.isoformat()} by {decision.by}"
    if result.verified:
        verdict.message = f"{verdict.broker} is {verdict.status_at_base} at {base}; {when} is {result.reason}"
        return
    verdict.passed = False
    if result.state == UNSIGNED:
        verdict.message = (
            f"{verdict.broker}: {when} is not signed; settings.gate.approvers needs an approver's signature "
            "(govtool decide signs with git's SSH signing key)"
        )
    elif result.state == NOT_AN_APPROVER and result.attester:
        verdict.message = f"{verdict.broker}: {when} was {result.reason}, at {base}"
    elif result.state == NOT_AN_APPROVER:
        verdict.message = (
            f"{verdict.broker}: {when} was signed by {result.email}, who is not in settings.gate.approvers at {base}"
        )
    else:
        assert result.state == BAD_SIGNATURE
        verdict.message = f"{verdict.broker}: {when} does not verify: {result.reason}"


def escape_data(text: str) -> str:
    """Text made safe for a GitHub workflow command's message: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Text made safe for a workflow command's property (``file=``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(result: GateResult) -> list[str]:
    """``::error file=PATH::message`` lines for each failing path (GitHub Actions), with
    paths and messages escaped by the workflow-command rules: no file name can end the
    line and start a command of its own."""
    lines = []
    for verdict in result.verdicts:
        if verdict.passed:
            continue
        for item in verdict.paths:
            if not item.removes:
                lines.append(f"::error file={escape_property(item.path)}::{escape_data(verdict.message)}")
    return lines


def markdown_summary(result: GateResult) -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``."""
    head = "✅ govtool gate passed" if result.passed else "❌ govtool gate failed"
    rows = [
        f"| {md_cell(shown(v.broker))} | {len(v.paths)} | {md_cell(v.status_at_base or UNTRACKED_LABELS[v.kind])} | "
        f"{'✅ pass' if v.passed else '❌ fail'} | {md_cell(v.message)} |"
        for v in result.verdicts
    ]
    table = ["| Broker | Changed paths | Status at base | Verdict | Why |", "|---|---|---|---|---|", *rows]
    if not rows:
        table = [f"No connector code changed ({result.changed_files} files checked)."]
    return "\n".join([f"## {head}", "", *table, ""]) + "\n"
