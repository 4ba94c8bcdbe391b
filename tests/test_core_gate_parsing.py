"""The CI gate's reading of ``git diff --name-status -z -M`` output, on the core alone.

With ``-z`` git writes each record as its status, a NUL, and its path (two paths, old
then new, for a rename R<score> or a copy C<score>), each followed by a NUL, and
quotes nothing: spaces, tabs, newlines and non-ASCII bytes stand as they are. The gate
checks added, modified and deleted files and both sides of a rename; a copy adds its
new path and leaves its source as it was.
"""

from __future__ import annotations

import pytest

from govtool.gate import parse_name_status


def parsed(output: str) -> list[tuple[str, str]]:
    return [(change.path, change.kind) for change in parse_name_status(output)]


def z(*fields: str) -> str:
    """Fields as git -z writes them: each one followed by a NUL."""
    return "".join(f"{field}\0" for field in fields)


def test_no_change():
    assert parse_name_status("") == []


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
    changes = parse_name_status(z("A", "a", "M", "m", "D", "d", "T", "t", "R100", "old", "new", "C100", "src", "dst"))
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


def test_what_git_wrote_for_a_real_change():
    """``git diff --cached --name-status -z -M -C`` in a repository where a file with a space
    and an umlaut in its path was copied and renamed, one deleted, a link turned into a
    file and one modified (bytes decoded as UTF-8, as the gate does)."""
    output = (
        b"C100\0con nectors/z\xc3\xbcrich/a b.py\0con nectors/z\xc3\xbcrich/c d.py\0"
        b"D\0d.txt\0T\0link\0M\0m.txt\0R100\0con nectors/z\xc3\xbcrich/a b.py\0new copy.py\0"
    ).decode("utf-8", "surrogateescape")
    assert parsed(output) == [
        ("con nectors/zürich/c d.py", "added"),
        ("d.txt", "deleted"),
        ("link", "modified"),
        ("m.txt", "modified"),
        ("con nectors/zürich/a b.py", "renamed-from"),
        ("new copy.py", "renamed-to"),
    ]
