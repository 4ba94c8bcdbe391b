"""YAML through parser events gives exactly what PyYAML's loader and dumper give.

govtool.yamlio builds plain documents straight from the parser's events and leaves
anything else to PyYAML's loader; it writes plain data as events straight to the
emitter and leaves anything else to ``yaml.dump``. These tests hold each pair to the
same answer, type for type (True is not 1, 1.0 is not 1) and byte for byte: on
generated documents, on documents that must take PyYAML's path, and on the real
API specs of the shared corpus (see conftest.shared_path) and the small specs the tests write.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from conftest import REPO, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st

from govtool.errors import InputError
from govtool.yamlio import _NOT_PLAIN, DUMP_OPTIONS, _data_from_events, _dumper, _loaders, dump_yaml, load_yaml

#: Plain scalars YAML 1.1 resolves to something other than a string, and near misses.
TRICKY = [
    "yes", "No", "on", "OFF", "y", "true", "False", "~", "null", "Null", "", " ",
    "0x1F", "0o17", "017", "0b101", "1_000", "1:30", "190:20:30", "-0", "+12", "1e3",
    "1.5e-3", ".inf", "-.Inf", ".NaN", "6.8523015e+5", "2026-01-17", "2026-01-17T09:00:00Z",
    "2001-12-14 21:59:43.10 -5", "<<", "=", "!", "&a", "*a", "- x", "a: b", "#c", "%TAG",
    "@x", "`x`", "|", ">", "'", '"', "null\n", "multi\nline", "tab\there", "ünï", "東京",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1)),
)
keys = st.one_of(st.sampled_from(TRICKY), st.text(max_size=8), st.integers(-5, 5), st.booleans())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)


def typed(value):
    """``value`` with every scalar paired with its type, so True != 1 and 1.0 != 1."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and value != value:
        return ("nan",)
    return (type(value).__name__, value)


def pyyaml(text: str, strict: bool):
    strict_loader, plain_loader = _loaders()
    return yaml.load(text, Loader=strict_loader if strict else plain_loader)  # noqa: S506 - safe loaders


@settings(max_examples=300, deadline=None)
@given(data=documents, flow=st.sampled_from([False, True, None]), strict=st.booleans())
def test_generated_documents_load_as_pyyaml_loads_them(data, flow, strict):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    expected = pyyaml(text, strict)
    assert typed(load_yaml(text, "gen.yaml", strict=strict)) == typed(expected)
    events = _data_from_events(text, _loaders()[0 if strict else 1], strict)
    assert events is _NOT_PLAIN or typed(events) == typed(expected)


#: Documents the event builder must hand to PyYAML's loader, which decides.
FALLBACK = {
    "anchor and alias": "base: &b {x: 1}\nother: *b\n",
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "explicit tag": "a: !!str 123\nb: !!float 1\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "set": "a: !!set {x, y}\n",
    "complex key": "? [a, b]\n: c\n",
    "mapping key": "? {a: 1}\n: c\n",
    "anchored scalar": "a: &x 1\nb: *x\n",
    "value key": "=: 1\n",
}


@pytest.mark.parametrize("text", FALLBACK.values(), ids=FALLBACK.keys())
def test_anchors_tags_and_merge_keys_go_to_pyyamls_loader(text):
    for strict in (True, False):
        assert _data_from_events(text, _loaders()[0 if strict else 1], strict) is _NOT_PLAIN
        try:
            expected = ("ok", typed(pyyaml(text, strict)))
        except yaml.YAMLError as exc:
            expected = ("error", type(exc).__name__)
        try:
            got = ("ok", typed(load_yaml(text, "doc.yaml", strict=strict)))
        except InputError:
            got = ("error", expected[1])
        assert got == expected


def test_duplicate_keys_second_documents_and_syntax_errors_are_reported_as_before():
    with pytest.raises(InputError, match=r"doc\.yaml:3: a: duplicate key 'a' \(first at line 1\)"):
        load_yaml("a: 1\nb: 2\na: 3\n", "doc.yaml")
    assert load_yaml("a: 1\nb: 2\na: 3\n", "doc.yaml", strict=False) == {"a": 3, "b": 2}
    with pytest.raises(InputError, match=r"doc\.yaml:2: YAML syntax error: but found another document"):
        load_yaml("a: 1\n---\nb: 2\n", "doc.yaml")
    with pytest.raises(InputError, match=r"doc\.yaml:2: YAML syntax error"):
        load_yaml("a: [1, 2\nb: 3\n", "doc.yaml")
    assert load_yaml("", "doc.yaml") is None and load_yaml("# only a comment\n", "doc.yaml") is None
    assert load_yaml("just text\n", "doc.yaml") == "just text"


def assert_loads_as_pyyaml_loads(texts: dict[str, tuple[str, bool]]) -> int:
    """Each ``name: (text, strict)`` parsed both ways; returns how many took the event path."""
    plain = 0
    for name, (text, strict) in texts.items():
        assert typed(load_yaml(text, name, strict=strict)) == typed(pyyaml(text, strict)), name
        plain += _data_from_events(text, _loaders()[0 if strict else 1], strict) is not _NOT_PLAIN
    return plain


def test_the_repos_tracker_and_the_small_specs_load_as_pyyaml_loads_them():
    """The specs of tests/small_specs.py (YAML and JSON, flow and block style, quoted keys, refs)."""
    from small_specs import SMALL_SPECS

    texts = {"tracker.yaml": ((REPO / "tracker.yaml").read_text(encoding="utf-8"), True)}
    texts.update({name: (text, False) for name, (text, _) in SMALL_SPECS.items()})
    assert assert_loads_as_pyyaml_loads(texts) == len(texts)


def test_the_real_specs_load_as_pyyaml_loads_them():
    """Every real spec of the shared corpus, parsed both ways; most of them take the event path."""
    texts = {spec.name: (spec.read_text(encoding="utf-8"), False) for spec in shared_path("real-specs").glob("*.y*ml")}
    assert len(texts) >= 6
    assert assert_loads_as_pyyaml_loads(texts) >= 4


dump_scalars = st.one_of(
    scalars,
    st.floats(),  # nan and the infinities too
    st.datetimes(timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5))])),
    st.text(alphabet=st.sampled_from("ab \n\t\r|:#'\"-\u2028\u0085\ufeff"), max_size=10),
)
dump_documents = st.recursive(
    dump_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(data=dump_documents)
def test_generated_data_dumps_byte_for_byte_as_pyyaml_dumps_it(data):
    assert dump_yaml(data) == yaml.dump(data, Dumper=_dumper(), **DUMP_OPTIONS)


def test_data_the_events_do_not_cover_is_dumped_by_pyyaml():
    data = {"tags": {"a", "b"}, "blob": b"\x00\x01", "when": dt.date(2026, 1, 17)}
    assert dump_yaml(data) == yaml.dump(data, Dumper=_dumper(), **DUMP_OPTIONS)
    assert "!!set" in dump_yaml(data) and "!!binary" in dump_yaml(data)
