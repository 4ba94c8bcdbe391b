"""Decisions made in Slack: signed by an attester (the key of `govtool serve`) for an
approver, and verified by the one verification the gate, `validate` and the site use.
Real keys made with ssh-keygen; every forgery tried here must fail."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from conftest import ssh_keypair

from govtool import signing
from govtool.field_checks import Problems
from govtool.model import Event
from govtool.settings import Settings, validate_settings
from govtool.signing import BAD_SIGNATURE, NOT_AN_APPROVER, VERIFIED, SigningKey
from govtool.validation import event_problems

PM = "pm@example.com"
ATTESTER = "govtool-serve@example.com"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    return {name: ssh_keypair(directory, name) for name in ("pm", "serve", "mallory")}


@pytest.fixture(scope="module")
def signers(keys) -> str:
    return f"{PM} {keys['pm'][1]}\n{ATTESTER} {keys['serve'][1]}\n"


def slack_decision(key, *, email: str = PM, attester: str | None = ATTESTER, user: str = "U0PM") -> Event:
    """A decision as `govtool serve` records it, signed with ``key``."""
    details = {"decision": "approved", "email": email}
    if attester is not None:
        details.update(decided_in="slack", slack_user=user, attested_by=attester)
    event = Event(dt.datetime(2026, 2, 2, 14, 2, tzinfo=dt.timezone.utc), "decision", email, details)
    event.details["signature"] = signing.sign_decision("alpaca", event, SigningKey(str(key)))
    return event


def verify(event: Event, signers: str, approvers=(PM,), attesters=(ATTESTER,), slack_approvers=None):
    mapping = {"U0PM": PM} if slack_approvers is None else slack_approvers
    return signing.verify_decision("alpaca", event, signers, approvers, attesters=attesters, slack_approvers=mapping)


def test_a_decision_attested_for_an_approver_verifies(keys, signers):
    result = verify(slack_decision(keys["serve"][0]), signers)
    assert result.state == VERIFIED, result.reason
    assert result.email == PM and result.attester == ATTESTER
    assert result.reason.startswith(f"decided in Slack by {PM}, attested by {ATTESTER} (ED25519 key SHA256:")


def test_the_attested_form_holds_the_slack_fields():
    event = Event(
        dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc),
        "decision",
        PM,
        {"decision": "approved", "email": PM, "decided_in": "slack", "slack_user": "U0PM", "attested_by": ATTESTER},
    )
    text = signing.canonical_decision("alpaca", event).decode()
    assert '"format":"govtool-decision/2"' in text
    assert '"slack_user":"U0PM"' in text and f'"attested_by":"{ATTESTER}"' in text
    plain = Event(event.at, "decision", PM, {"decision": "approved", "email": PM})
    assert '"format":"govtool-decision/1"' in signing.canonical_decision("alpaca", plain).decode()


def test_an_attester_not_in_the_settings_is_refused(keys, signers):
    result = verify(slack_decision(keys["serve"][0]), signers, attesters=())
    assert result.state == NOT_AN_APPROVER
    assert result.reason == f"attested by {ATTESTER}, who is not in settings.gate.attesters"


def test_a_slack_user_not_mapped_to_the_decider_is_refused(keys, signers):
    """Taking someone out of settings.slack.approvers revokes their decisions made in Slack."""
    event = slack_decision(keys["serve"][0])
    for mapping in ({}, {"U0PM": "cto@example.com"}, {"U0OTHER": PM}):
        result = verify(event, signers, slack_approvers=mapping)
        assert result.state == NOT_AN_APPROVER
        assert result.reason == f"made in Slack by U0PM, whom settings.slack.approvers does not give {PM}"
    assert verify(event, signers, slack_approvers={"U0PM": "PM@Example.com"}).state == VERIFIED


def test_an_attested_decider_who_is_no_approver_is_refused(keys, signers):
    result = verify(slack_decision(keys["serve"][0], email="intern@example.com"), signers)
    assert result.state == NOT_AN_APPROVER
    assert "intern@example.com, who is not among the approvers" in result.reason


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: [d.pop(k) for k in ("decided_in", "slack_user", "attested_by")], id="made-a-plain-one"),
        pytest.param(lambda d: d.update(slack_user="U0OTHER"), id="another-slack-user"),
        pytest.param(lambda d: d.update(email="cto@example.com"), id="another-decider"),
        pytest.param(lambda d: d.update(decision="rejected"), id="another-decision"),
    ],
)
def test_an_attested_decision_edited_after_signing_does_not_verify(keys, signers, tamper):
    event = slack_decision(keys["serve"][0])
    tamper(event.details)
    result = verify(event, signers, approvers=(PM, "cto@example.com"))
    assert result.state == BAD_SIGNATURE, result.reason


def test_the_attester_key_cannot_pass_as_an_approver_key(keys, signers):
    """The service's key signs a plain decision for the PM: it is not the PM's key."""
    result = verify(slack_decision(keys["serve"][0], attester=None), signers)
    assert result.state == BAD_SIGNATURE
    assert f"which the allowed-signers file gives to {ATTESTER}, not to {PM}" in result.reason


def test_a_key_that_claims_to_be_the_attester_is_refused(keys, signers):
    result = verify(slack_decision(keys["mallory"][0]), signers)
    assert result.state == BAD_SIGNATURE
    assert result.email == PM and result.attester == ATTESTER
    assert "a key the allowed-signers file does not list" in result.reason


@pytest.mark.parametrize(
    "principal", ["*", "*@example.com", "pm@example.com,*", "!nobody@example.com", "p?@example.com"]
)
def test_a_wildcard_principal_vouches_for_no_one(keys, principal):
    """ssh-keygen would let a key listed for a pattern sign as anyone it matches; govtool
    honours only principals written out, so that key verifies neither a decision made at
    the terminal nor one made in Slack, and the reason names the line."""
    signers = f"# keys\n{principal} {keys['mallory'][1]}\n{ATTESTER} {keys['serve'][1]}\n"
    assert signing.wildcard_lines(signers) == [2] and signing.signer_count(signers) == 1
    at_terminal = verify(slack_decision(keys["mallory"][0], attester=None), signers)
    in_slack = verify(slack_decision(keys["mallory"][0], attester="mallory@example.com"), signers,
                      attesters=(ATTESTER, "mallory@example.com"))  # fmt: skip
    for result in (at_terminal, in_slack):
        assert result.state == BAD_SIGNATURE, result.reason
        assert result.reason.endswith("line 2: a wildcard principal, which govtool does not honour")
    # The same key written out for its one email verifies.
    named = verify(slack_decision(keys["mallory"][0], attester=None), f"{PM} {keys['mallory'][1]}\n")
    assert named.state == VERIFIED, named.reason


@pytest.mark.parametrize(
    "principal",
    [
        '"nobody@example.com ,*"',  # quoted: ssh-keygen reads one field, `nobody@example.com ,*`
        'nobody@exam"ple.com ,*"',  # a quote inside the field opens it too
        "nobody@example.com\u00a0,*",  # Unicode spaces split for Python, not for ssh-keygen
        "nobody@example.com\u3000,*",
        "nobody@example.com\x1f,*",
        "nobody@example.com\x0c,*",  # a line break for Python's splitlines, not for ssh-keygen
        " \t*@example.com",
    ],
    ids=["quoted", "quote-inside", "nbsp", "ideographic-space", "unit-separator", "form-feed", "indented"],
)
def test_a_wildcard_hidden_from_a_whitespace_split_vouches_for_no_one(keys, principal):
    """ssh-keygen reads a principals field up to a space, a tab or a quote pair, not as
    Python's str.split() does: the wildcard is found wherever ssh-keygen would see it."""
    signers = f"# keys\n{principal} {keys['mallory'][1]}\n{ATTESTER} {keys['serve'][1]}\n"
    assert signing.wildcard_lines(signers) == [2] and signing.signer_count(signers) == 1
    result = verify(slack_decision(keys["mallory"][0], attester=None), signers)
    assert result.state == BAD_SIGNATURE, result.reason
    assert result.reason.endswith("line 2: a wildcard principal, which govtool does not honour")


def test_the_attester_cannot_decide_in_its_own_name(keys, signers):
    result = verify(slack_decision(keys["serve"][0], email=ATTESTER, attester=None), signers)
    assert result.state == NOT_AN_APPROVER


def test_approvers_written_with_a_name_verify(keys, signers):
    result = verify(slack_decision(keys["pm"][0], attester=None), signers, approvers=("Jane PM <PM@example.com>",))
    assert result.state == VERIFIED, result.reason


def test_slack_settings_are_checked():
    def problems(raw):
        found = Problems()
        validate_settings(copy.deepcopy(raw), found)
        return [(".".join(map(str, path)), message) for path, message in found.items]

    assert problems({"slack": {"approvers": {"U0PM": PM}}, "gate": {"approvers": [PM], "attesters": [ATTESTER]}}) == []
    assert problems({"slack": {"approvers": {"jane": PM}}}) == [
        (
            "settings.slack.approvers.jane",
            "expected a Slack user id (U0123ABCD: the member ID in the person's Slack profile) (got 'jane')",
        )
    ]
    assert problems({"slack": {"approvers": {"U0PM": "not an email"}}})[0][0] == "settings.slack.approvers.U0PM"
    assert problems({"slack": {"approvers": {"U0PM": "cto@example.com"}}, "gate": {"approvers": [PM]}}) == [
        (
            "settings.slack.approvers.U0PM",
            "not in settings.gate.approvers: the gate would refuse this approver's decisions (got 'cto@example.com')",
        )
    ]
    assert problems({"slack": {"approvers": ["U0PM"]}})[0][0] == "settings.slack.approvers"
    assert problems({"gate": {"attesters": "serve"}})[0][0] == "settings.gate.attesters"
    settings = Settings.with_defaults({"slack": {"approvers": {"U0PM": PM}}, "gate": {"attesters": [ATTESTER]}})
    assert settings.slack_approvers == {"U0PM": PM} and settings.gate.attesters == (ATTESTER,)


def test_the_slack_fields_of_an_event_are_checked():
    at = dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc)
    good = Event(at, "decision", PM, {"decision": "approved", "decided_in": "slack", "slack_user": "U0PM"})
    assert event_problems(good) == []
    bad = Event(
        at,
        "decision",
        PM,
        {"decision": "approved", "decided_in": "email", "slack_user": "<!channel>", "attested_by": "x"},
    )
    assert [p.split(":")[0] for p in event_problems(bad)] == ["decided_in", "slack_user", "attested_by"]
