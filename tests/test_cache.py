"""The per-user cache of parsed tracker.yaml text and holiday calendars.

The cache must never change an answer: a hit gives what parsing gives, an edit misses
it, a corrupt or forged entry is not trusted beyond its own key, and the CI gate never
reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from govtool import cache
from govtool.yamlio import load_yaml


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", str(directory))
    before = cache.cache_dir()
    cache.use_directory(directory)  # for the tests that call the core directly; the CLI reads the variable
    yield directory
    cache.use_directory(before)


def tracker_entries(directory):
    return sorted(directory.glob("tracker-*.json"))


def test_a_cache_hit_gives_what_parsing_gives(make_repo, govtool, cache_dir):
    root = make_repo({"acme": "pending", "zeta": "in_progress"})
    for entry in tracker_entries(cache_dir):
        entry.unlink()
    first = govtool(root, "status", "--json")
    assert first.exit_code == 0, first.stderr
    [entry] = tracker_entries(cache_dir)
    text = (root / "tracker.yaml").read_text(encoding="utf-8")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    assert stored["key"].endswith("\0tracker.yaml\0" + text)
    assert stored["value"] == load_yaml(text, "tracker.yaml")
    second = govtool(root, "status", "--json")
    assert second.stdout == first.stdout
    assert tracker_entries(cache_dir) == [entry]


def test_a_change_by_govtool_leaves_the_cache_equal_to_parsing_the_new_file(make_repo, govtool, cache_dir):
    root = make_repo({"acme": "in_progress"})
    assert govtool(root, "progress", "acme", "40", "--note", "yes | no: `1.0` null").exit_code == 0
    text = (root / "tracker.yaml").read_text(encoding="utf-8")
    cached = [json.loads(p.read_text(encoding="utf-8"))["value"] for p in tracker_entries(cache_dir)]
    assert load_yaml(text, "tracker.yaml") in cached


def test_an_edit_by_hand_misses_the_cache(make_repo, govtool, cache_dir):
    root = make_repo({"acme": "pending"})
    assert govtool(root, "list", "--json").exit_code == 0
    path = root / "tracker.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Acme", "name: Acme Edited"), encoding="utf-8")
    result = govtool(root, "list", "--json")
    assert json.loads(result.stdout)[0]["name"] == "Acme Edited"


def test_a_corrupt_cache_entry_is_ignored_and_replaced(make_repo, govtool, cache_dir):
    root = make_repo({"acme": "pending"})
    expected = govtool(root, "list", "--json").stdout
    for entry in tracker_entries(cache_dir):
        entry.write_text('{"version": 1, "brokers": {', encoding="utf-8")
    assert govtool(root, "list", "--json").stdout == expected
    assert govtool(root, "list", "--json").stdout == expected


def test_an_entry_stored_for_another_text_is_not_trusted(make_repo, govtool, cache_dir):
    """File names are CRC-32 buckets: what another text loaded to, found under this
    text's name (a collision, or a forged file), is a miss."""
    from govtool import storage

    root = make_repo({"acme": "pending"})
    text = (root / "tracker.yaml").read_text(encoding="utf-8")
    other = text.replace("name: Acme", "name: Forged")
    assert other != text
    name = storage._tracker_cache_entry(text).file_name
    forged = {"key": storage._tracker_cache_entry(other).key, "value": load_yaml(other, "tracker.yaml")}
    (cache_dir / name).write_text(json.dumps(forged), encoding="utf-8")
    assert json.loads(govtool(root, "list", "--json").stdout)[0]["name"] == "Acme"
    assert json.loads((cache_dir / name).read_text(encoding="utf-8"))["value"] == load_yaml(text, "tracker.yaml")


def test_an_invalid_tracker_is_reported_every_time_and_never_cached(make_repo, govtool, cache_dir):
    root = make_repo()
    path = root / "tracker.yaml"
    text = path.read_text(encoding="utf-8").replace("brokers: {}", "brokers:\n  1:\n    name: One\n")
    path.write_text(text, encoding="utf-8")
    for _ in range(2):
        result = govtool(root, "validate")
        assert result.exit_code == 2
        assert re.search(r"tracker\.yaml:\d+: brokers\[1\]: a broker id is", result.stderr)
    # An integer key would come back from JSON as the string "1": such data is not cached.
    assert not any("One" in p.read_text(encoding="utf-8") for p in tracker_entries(cache_dir))


def test_the_cache_can_be_turned_off(make_repo, govtool, monkeypatch, cache_dir):
    root = make_repo({"acme": "pending"})
    path = root / "tracker.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    before = tracker_entries(cache_dir)
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", "none")
    assert govtool(root, "status").exit_code == 0
    assert tracker_entries(cache_dir) == before
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", str(cache_dir))
    assert govtool(root, "status").exit_code == 0
    assert len(tracker_entries(cache_dir)) == len(before) + 1


def test_an_unwritable_cache_costs_only_time(make_repo, govtool, monkeypatch, tmp_path):
    root = make_repo({"acme": "pending"})
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would be", encoding="utf-8")
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", str(blocker / "cache"))
    result = govtool(root, "status", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_the_cache_keeps_a_few_trackers_only(make_repo, govtool, cache_dir):
    root = make_repo({"acme": "in_progress"})
    for percent in range(10, 80, 10):
        assert govtool(root, "progress", "acme", str(percent)).exit_code == 0
    assert 1 <= len(tracker_entries(cache_dir)) <= 4


def fresh_holidays():
    from govtool import business_days

    business_days._holidays_in.cache_clear()
    business_days._CACHED.clear()
    return business_days


def test_holidays_come_from_the_cache_once_computed(cache_dir):
    business_days = fresh_holidays()
    computed = business_days.holidays_in("NYSE", 2026)
    assert dt.date(2026, 1, 19) in computed  # Martin Luther King Jr. Day
    [entry] = cache_dir.glob("holidays-*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))["value"]
    assert sorted(stored) == ["2026"] and len(stored["2026"]) == len(computed)
    business_days = fresh_holidays()
    assert business_days.holidays_in("NYSE", 2026) == computed
    assert business_days.holidays_in("NYSE", 2027) != computed
    assert sorted(json.loads(entry.read_text(encoding="utf-8"))["value"]) == ["2026", "2027"]


def test_a_damaged_holiday_entry_is_computed_again(cache_dir):
    business_days = fresh_holidays()
    expected = business_days.holidays_in("NYSE", 2026)
    [entry] = cache_dir.glob("holidays-*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**stored, "value": {"2026": ["not a date"]}}), encoding="utf-8")
    business_days = fresh_holidays()
    assert business_days.holidays_in("NYSE", 2026) == expected
    entry.write_text("[1, 2", encoding="utf-8")
    business_days = fresh_holidays()
    assert business_days.business_days_between(dt.date(2026, 1, 17), dt.date(2026, 1, 26)) == 5


# ---------------------------------------------------------------- a cache someone else can write


def forged_tracker_entry(root, stages):
    """An entry keyed by the tracker's real text whose value is another tracker (``stages``)."""
    from conftest import build_tracker

    from govtool import storage
    from govtool.model import dump_tracker

    text = (root / "tracker.yaml").read_text(encoding="utf-8")
    item = storage._tracker_cache_entry(text)
    forged = load_yaml(dump_tracker(build_tracker(stages)), "tracker.yaml")
    return item.file_name, json.dumps({"key": item.key, "value": forged})


def forged_holidays_entry():
    """An entry for the installed holidays package that makes every weekday of 2026 a holiday."""
    from govtool import business_days

    item = business_days._cache_entry("NYSE")
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    value = {"2026": [d.isoformat() for d in days if d.weekday() < 5]}
    return item.file_name, json.dumps({"key": item.key, "value": value})


def test_a_forged_entry_never_changes_what_a_command_writes(make_repo, govtool, cache_dir, tmp_path):
    """Before each command an entry is planted with the tracker's real text as key and
    another tracker as value (acme approved), and every weekday of 2026 is made a
    holiday: a view shows the forgery, but each command that writes does exactly what
    it does on a twin repo without any cache."""
    import shutil

    stages = {"acme": "pending", "gamma": "pending", "beta": "in_progress"}
    root = make_repo(stages)
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    forged = {**stages, "acme": "approved", "gamma": "rejected"}

    def plant() -> None:
        for name, text in (forged_tracker_entry(root, forged), forged_holidays_entry()):
            (cache_dir / name).write_text(text, encoding="utf-8")
        fresh_holidays()

    plant()
    assert json.loads(govtool(root, "show", "acme", "--json").stdout)["status"] == "approved"  # a real hit
    steps = [
        ["start", "acme"],
        ["progress", "beta", "50"],
        ["decide", "gamma", "approved", "--by", "PM", "--no-slack"],
        ["escalate", "--as-of", "2026-03-02", "--sent-by-hand"],
    ]
    for argv in steps:
        plant()
        mine = govtool(root, *argv)
        fresh_holidays()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GOVTOOL_CACHE_DIR", "none")
            theirs = govtool(twin, *argv)
        assert (mine.exit_code, mine.stdout) == (theirs.exit_code, theirs.stdout), argv
        assert (root / "tracker.yaml").read_bytes() == (twin / "tracker.yaml").read_bytes(), argv
    assert "escalated" in (root / "tracker.yaml").read_text(encoding="utf-8")
    assert govtool(root, "start", "acme").exit_code == 2  # acme is still pending


def test_a_planted_link_at_a_temporary_or_entry_name_redirects_nothing(make_repo, govtool, cache_dir, tmp_path):
    import os

    from govtool import storage

    root = make_repo({"acme": "pending"})
    path = root / "tracker.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# not cached yet\n", encoding="utf-8")
    name = storage._tracker_cache_entry(path.read_text(encoding="utf-8")).file_name
    victims = {}
    for planted in (f".{name}.{os.getpid()}.tmp", name):  # the old predictable temporary name, and the entry
        victim = tmp_path / f"victim-{len(victims)}"
        victim.write_text("precious\n", encoding="utf-8")
        (cache_dir / planted).symlink_to(victim)
        victims[planted] = victim
    result = govtool(root, "status", "--json")
    assert result.exit_code == 0, result.stderr
    for victim in victims.values():
        assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (cache_dir / name).is_symlink() and json.loads((cache_dir / name).read_text())["value"]
    leftovers = [p.name for p in cache_dir.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]
    assert leftovers == []


def test_a_cache_directory_others_can_write_is_not_used(make_repo, govtool, monkeypatch, tmp_path):
    root = make_repo({"acme": "pending"})
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    shared.chmod(0o777)
    name, text = forged_tracker_entry(root, {"acme": "approved"})
    (shared / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", str(shared))
    before = sorted(p.name for p in shared.iterdir())
    result = govtool(root, "show", "acme", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "pending"
    assert result.stderr == (
        f"govtool: warning: cache directory {shared} is writable by others (mode 0777); the cache is off "
        "(chmod 700 it, or set GOVTOOL_CACHE_DIR)\n"
    )
    assert govtool(root, "progress", "acme", "10").exit_code == 2  # pending: refused, whatever the entry says
    assert sorted(p.name for p in shared.iterdir()) == before


def test_the_cache_directory_is_made_private_and_an_entry_others_can_write_is_ignored(
    make_repo, govtool, monkeypatch, tmp_path
):
    root = make_repo({"acme": "pending"})
    private = tmp_path / "new" / "cache"
    monkeypatch.setenv("GOVTOOL_CACHE_DIR", str(private))
    assert govtool(root, "status").exit_code == 0
    assert private.stat().st_mode & 0o777 == 0o700
    name, text = forged_tracker_entry(root, {"acme": "approved"})
    (private / name).write_text(text, encoding="utf-8")
    (private / name).chmod(0o666)
    assert json.loads(govtool(root, "show", "acme", "--json").stdout)["status"] == "pending"
    (private / name).write_text(text, encoding="utf-8")  # the ignored one was replaced by the parse
    (private / name).chmod(0o600)
    assert json.loads(govtool(root, "show", "acme", "--json").stdout)["status"] == "approved"  # the control
