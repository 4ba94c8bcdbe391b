"""The CI gate's reading of ``git diff --raw -z -M`` output, on the core alone.

With ``-z`` git writes each record as ``:OLDMODE NEWMODE OLDSHA NEWSHA STATUS``, a NUL,
and its path (two paths, old then new, for a rename R<score> or a copy C<score>), each
followed by a NUL, and quotes nothing: spaces, tabs, newlines and non-ASCII bytes stand
as they are. The gate checks added, modified and deleted files and both sides of a
rename; a copy adds its new path and leaves its source as it was. The mode tells a
symbolic link (120000) or a submodule (160000) from a file.
"""

from __future__ import annotations

import pytest

from govtool.gate import parse_raw_diff


def parsed(output: str) -> list[tuple[str, str]]:
    return [(change.path, change.kind) for change in parse_raw_diff(output)]


SHA_A, SHA_B, NO_SHA = "a" * 40, "b" * 40, "0" * 40
RECORD = {
    "A": f":000000 100644 {NO_SHA} {SHA_B} A",
    "M": f":100644 100644 {SHA_A} {SHA_B} M",
    "D": f":100644 000000 {SHA_A} {NO_SHA} D",
    "T": f":100644 120000 {SHA_A} {SHA_B} T",
}


def z(*fields: str) -> str:
    """Fields as git --raw -z writes them: each status becomes its record
    (``R100`` a rename's, ``C075`` a copy's), each field followed by a NUL."""
    out = []
    expect_status = True
    pending_paths = 0
    for field in fields:
        if expect_status:
            record = RECORD.get(field) or f":100644 100644 {SHA_A} {SHA_A} {field}"
            out.append(record)
            pending_paths = 2 if field[:1] in ("R", "C") else 1
            expect_status = False
        else:
            out.append(field)
            pending_paths -= 1
            expect_status = pending_paths == 0
    return "".join(f"{field}\0" for field in out)


def test_no_change():
    assert parse_raw_diff("") == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [("A", "added"), ("M", "modified"), ("D", "deleted"), ("T", "modified")],
)
def test_one_path_statuses(status, kind):
    assert parsed(z(status, "connectors/alpaca/client.py")) == [("connectors/alpaca/client.py", kind)]


@pytest.mark.parametrize("score", ["R100", "R087", "R050"])
def test_a_rename_gives_both_sides(score):
    assert parsed(z(score, "connectors/alpaca/old.py", "connectors/oanda/new.py")) == [
        ("connectors/alpaca/old.py", "renamed-from"),
        ("connectors/oanda/new.py", "renamed-to"),
    ]


@pytest.mark.parametrize("score", ["C100", "C075"])
def test_a_copy_adds_its_new_path_and_reads_both(score):
    output = z(score, "connectors/alpaca/client.py", "connectors/oanda/client.py", "M", "README.md")
    assert parsed(output) == [("connectors/oanda/client.py", "added"), ("README.md", "modified")]


def test_which_changes_remove_code():
    changes = parse_raw_diff(z("A", "a", "M", "m", "D", "d", "T", "t", "R100", "old", "new", "C100", "src", "dst"))
    assert {change.path: change.removes for change in changes} == {
        "a": False,
        "m": False,
        "d": True,
        "t": False,
        "old": True,
        "new": False,
        "dst": False,
    }


@pytest.mark.parametrize(
    "path",
    [
        "connectors/charles schwab/client.py",
        "connectors/zürich/ä ö ü.py",
        "connectors/東京/注文.py",
        "connectors/tab\there/new\nline.py",
        'connectors/quote"d/back\\slash.py',
        "connectors/bad\udcffbyte.py",  # a byte that is not UTF-8, as surrogateescape decodes it
        " leading and trailing space ",
    ],
)
def test_paths_stand_as_they_are(path):
    assert parsed(z("M", path)) == [(path, "modified")]
    assert parsed(z("R100", path, path + ".moved")) == [(path, "renamed-from"), (path + ".moved", "renamed-to")]


def test_paths_named_like_statuses_are_paths():
    assert parsed(z("A", "M", "D", "R100", "R100", "A", "C100")) == [
        ("M", "added"),
        ("R100", "deleted"),
        ("A", "renamed-from"),
        ("C100", "renamed-to"),
    ]


def test_records_keep_their_order():
    output = z(
        "M", "tracker.yaml",
        "A", "connectors/oanda/stream.py",
        "R100", "connectors/alpaca/a.py", "connectors/alpaca/b.py",
        "D", "connectors/binance/old.py",
        "C090", "connectors/alpaca/b.py", "connectors/tradovate/b.py",
        "T", "connectors/ibkr/link",
    )  # fmt: skip
    assert parsed(output) == [
        ("tracker.yaml", "modified"),
        ("connectors/oanda/stream.py", "added"),
        ("connectors/alpaca/a.py", "renamed-from"),
        ("connectors/alpaca/b.py", "renamed-to"),
        ("connectors/binance/old.py", "deleted"),
        ("connectors/tradovate/b.py", "added"),
        ("connectors/ibkr/link", "modified"),
    ]


def test_modes_tell_links_and_submodules():
    output = (
        f":000000 120000 {NO_SHA} {SHA_B} A\0connectors/oanda\0"
        f":000000 160000 {NO_SHA} {SHA_B} A\0connectors/ibkr\0"
        f":120000 000000 {SHA_A} {NO_SHA} D\0connectors/old-link\0"
        f":100644 100755 {SHA_A} {SHA_A} M\0connectors/alpaca/run.sh\0"
    )
    changes = parse_raw_diff(output)
    assert [(c.path, c.mode, c.is_link) for c in changes] == [
        ("connectors/oanda", "120000", True),
        ("connectors/ibkr", "160000", True),
        ("connectors/old-link", "120000", True),  # a removal keeps the mode it had
        ("connectors/alpaca/run.sh", "100755", False),
    ]


def test_what_git_wrote_for_a_real_change(tmp_path):
    """``git diff --raw -z -M -C --no-abbrev`` in a repository where a file with a space and
    an umlaut in its path was copied and renamed, one deleted, a file turned into a link
    and one modified (bytes decoded as UTF-8, as the gate does)."""
    import subprocess

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True).stdout

    git("init", "-q", "-b", "main")
    (tmp_path / "con nectors/zürich").mkdir(parents=True)
    (tmp_path / "con nectors/zürich/a b.py").write_text("x = 1\n" * 20)
    for name in ("d.txt", "link", "m.txt"):
        (tmp_path / name).write_text(name)
    git("add", "-A")
    git("-c", "user.name=a", "-c", "user.email=a@example.com", "commit", "-qm", "one")
    import shutil

    shutil.copy(tmp_path / "con nectors/zürich/a b.py", tmp_path / "con nectors/zürich/c d.py")
    (tmp_path / "con nectors/zürich/a b.py").rename(tmp_path / "new copy.py")
    (tmp_path / "d.txt").unlink()
    (tmp_path / "link").unlink()
    (tmp_path / "link").symlink_to("m.txt")
    (tmp_path / "m.txt").write_text("changed")
    git("add", "-A")
    output = git("diff", "--cached", "--raw", "-z", "-M", "-C", "--no-abbrev").decode("utf-8", "surrogateescape")
    assert sorted(parsed(output)) == [
        ("con nectors/zürich/a b.py", "renamed-from"),
        ("con nectors/zürich/c d.py", "added"),
        ("d.txt", "deleted"),
        ("link", "modified"),
        ("m.txt", "modified"),
        ("new copy.py", "renamed-to"),
    ]
    assert [c.mode for c in parse_raw_diff(output) if c.path == "link"] == ["120000"]
