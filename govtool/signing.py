"""Signed decisions: the PM's decision signed with the decider's SSH key, and verified
against an OpenSSH allowed-signers file.

- :func:`canonical_decision` is the one form of a decision that is signed: one line of
  JSON, keys sorted, UTF-8, no spaces, holding the format (``govtool-decision/1``), the
  broker, the decision, the decider's email and name (``by``), the time (UTC, ``Z``),
  the reason and the weighted score (a float, or null). The band and
  ``differs_from_band`` follow from the score and the settings, and are not signed.
- :func:`sign_decision` signs it with ``ssh-keygen -Y sign -n govtool-decision`` and
  the decider's key (git's ``user.signingkey`` with ``gpg.format=ssh``, or
  ``--signing-key``); the event keeps the signature's base64 body, one line, in its
  ``signature`` field (:func:`armor` puts the armour back).
- :func:`verify_decision` and :func:`verify_decisions` check a decision with
  ``ssh-keygen -Y verify`` for the email the event records, against the text of an
  allowed-signers file (each caller reads it from where it trusts it: the gate at the
  tip of the base branch, ``validate`` in the work tree), and against the approvers'
  emails. ssh-keygen checks one signature per process, so many are checked by
  processes running side by side. A line of that file whose principal is a pattern
  (``*@example.com``) is not honoured (:func:`honoured_signers`): ssh-keygen would let
  its one key sign for everyone the pattern matches.

Everything runs ssh-keygen as a process (``program``, git's ``gpg.ssh.program``); no
cryptography is done here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.errors import InputError
from govtool.model import Broker, Event
from govtool.settings import Settings, approver_email
from govtool.validation import EMAIL_RE, SIGNATURE_RE
from govtool.yamlio import format_timestamp

#: The namespace of every decision signature (``ssh-keygen -Y sign -n``): a signature made
#: for git commits or anything else never verifies as a decision.
NAMESPACE = "govtool-decision"
#: The first field of the canonical form: what the signed bytes are, and their version.
CANONICAL_FORMAT = "govtool-decision/1"
#: The canonical form of a decision an attester signed for an approver (made in Slack).
ATTESTED_FORMAT = "govtool-decision/2"
#: The fields of a decision made in Slack, signed in :data:`ATTESTED_FORMAT`.
ATTESTED_FIELDS = ("decided_in", "slack_user", "attested_by")
#: The program that signs and verifies, unless git's ``gpg.ssh.program`` names another.
SSH_KEYGEN = "ssh-keygen"
#: The most ssh-keygen processes that verify at once.
MAX_PARALLEL = 32
#: Seconds one verification may take.
VERIFY_TIMEOUT_SECONDS = 20

_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"

#: The states of a verified decision (:class:`DecisionVerification`).
VERIFIED = "verified"
UNSIGNED = "unsigned"
BAD_SIGNATURE = "bad_signature"
NOT_AN_APPROVER = "not_an_approver"


class SigningKey(NamedTuple):
    """The decider's SSH key.

    Attributes:
        key: a key file (a private key, or a public key whose private half ssh-agent
            holds), or a public key itself as git writes it (``key::ssh-ed25519 AAAA...``).
        program: the ssh-keygen to run (git's ``gpg.ssh.program``).
    """

    key: str
    program: str = SSH_KEYGEN


@dataclass(frozen=True)
class DecisionVerification:
    """What checking one decision's signature found.

    Attributes:
        state: :data:`VERIFIED`, :data:`UNSIGNED`, :data:`BAD_SIGNATURE` (it does not
            verify for the email recorded: edited after signing, another key, a key the
            allowed-signers file does not give that email) or :data:`NOT_AN_APPROVER`
            (it verifies, for an email not among the approvers).
        reason: one line saying why, for people.
        email: the decider's email the decision records, or None.
        key: the signing key as ssh-keygen names it (``ED25519 key SHA256:...``), when known.
        attester: for a decision made in Slack, the attester whose key signed it (the
            principal it was checked for; otherwise that is ``email``).
    """

    state: str
    reason: str
    email: str | None = None
    key: str | None = None
    attester: str | None = None

    @property
    def verified(self) -> bool:
        """True when the signature verifies for an approver (or no approvers were given)."""
        return self.state == VERIFIED

    def to_dict(self) -> dict[str, Any]:
        """``{state, verified, reason, email, key, attester}`` for JSON."""
        return {
            "state": self.state,
            "verified": self.verified,
            "reason": self.reason,
            "email": self.email,
            "key": self.key,
            "attester": self.attester,
        }


def canonical_decision(broker_id: str, event: Event) -> bytes:
    """The bytes a decision's signature is made over (see the module's docstring).

    A decision made in Slack (``decided_in``, ``slack_user``, ``attested_by``: an
    attester's signature for an approver) is signed in the form
    ``govtool-decision/2``, which holds those three fields too; any other decision in
    ``govtool-decision/1``. Adding or removing one of them after signing changes the
    bytes, so the signature no longer verifies.

    Args:
        broker_id: the broker decided on.
        event: a ``decision`` event (its ``signature`` field, if any, is not part of it).

    Returns:
        One line of UTF-8 JSON, without a line end.
    """
    details = event.details
    score = details.get("score")
    data = {
        "format": CANONICAL_FORMAT,
        "broker": broker_id,
        "decision": details.get("decision"),
        "email": details.get("email"),
        "by": event.by,
        "at": format_timestamp(event.at),
        "reason": details.get("reason"),
        "score": None if score is None else float(score),
    }
    if any(details.get(key) is not None for key in ATTESTED_FIELDS):
        data["format"] = ATTESTED_FORMAT
        data.update({key: details.get(key) for key in ATTESTED_FIELDS})
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def signing_principal(event: Event) -> str | None:
    """Whose key must have signed a decision: its attester (a decision made in Slack), else
    its decider's email; None when it records neither."""
    principal = event.details.get("attested_by") or event.details.get("email")
    return principal if isinstance(principal, str) else None


def armor(body: str) -> str:
    """An SSH signature's armoured text from the base64 body an event stores."""
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([_BEGIN, *lines, _END]) + "\n"


def dearmor(text: str) -> str:
    """The base64 body of an armoured SSH signature (``ssh-keygen -Y sign``'s output).

    Raises:
        ValueError: not an armoured SSH signature.
    """
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _BEGIN or lines[-1] != _END:
        raise ValueError("not an SSH signature")
    body = "".join(lines[1:-1])
    if not SIGNATURE_RE.match(body):
        raise ValueError("not an SSH signature")
    return body


def _run(args: list[str], payload: bytes, what: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ssh-keygen with ``payload`` on its standard input.

    Raises:
        InputError: the program is missing or does not answer in time.
    """
    try:
        return subprocess.run(args, input=payload, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise InputError(
            f"{args[0]}: not found; {what} needs OpenSSH's ssh-keygen (8.2 or later)",
            hint="install OpenSSH (the openssh-client package), or set git's gpg.ssh.program",
        ) from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{args[0]} -Y {args[2]} did not answer within {timeout:.0f} s") from None
    except OSError as exc:
        raise InputError(f"{args[0]}: cannot run it ({exc.strerror})") from None


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def sign_decision(broker_id: str, event: Event, key: SigningKey) -> str:
    """Sign a decision with the decider's key (``ssh-keygen -Y sign -n govtool-decision``).

    ssh-keygen asks for the key's passphrase on the terminal, or uses ssh-agent for a
    public key file or a ``key::`` key.

    Args:
        broker_id: the broker decided on.
        event: the decision event, with its ``email``.
        key: the decider's key.

    Returns:
        The signature's base64 body, for the event's ``signature`` field.

    Raises:
        InputError: ssh-keygen is missing or refused (no such key, a wrong passphrase,
            no agent for a public key), with its own message.
    """
    payload = canonical_decision(broker_id, event)
    with tempfile.TemporaryDirectory(prefix="govtool-sign-") as tmp:
        key_file = key.key
        if key.key.startswith("key::"):
            key_file = os.path.join(tmp, "signing_key.pub")
            Path(key_file).write_text(key.key[len("key::") :].strip() + "\n", encoding="utf-8")
        result = _run([key.program, "-Y", "sign", "-n", NAMESPACE, "-f", key_file], payload, "signing a decision")
    if result.returncode != 0:
        raise InputError(
            f"{key.program} -Y sign with {key.key}: {_last_line(result.stderr) or 'failed'}",
            hint="the key is git's user.signingkey (gpg.format ssh) or --signing-key PATH; a .pub needs ssh-agent",
        )
    try:
        return dearmor(result.stdout.decode("utf-8", "replace"))
    except ValueError:
        raise InputError(f"{key.program} -Y sign wrote no SSH signature") from None


def approving_decision(broker: Broker) -> Event | None:
    """The decision that made a broker approved: its last ``approved`` decision, or None."""
    for event in reversed(broker.history):
        if event.event == "decision" and event.details.get("decision") == lifecycle.APPROVED:
            return event
    return None


def trusted_by(settings: Settings) -> dict[str, Any]:
    """Whom a policy trusts, as :class:`Verification`'s keyword arguments: ``approvers``,
    ``attesters`` and ``slack_approvers`` of ``settings``, and ``signers_shown`` (the
    allowed-signers file's path). Every reader judges signatures with these."""
    gate = settings.gate
    return {
        "approvers": gate.approvers,
        "attesters": gate.attesters,
        "slack_approvers": settings.slack_approvers,
        "signers_shown": gate.allowed_signers,
    }


#: The characters of an ssh_config pattern (``*``, ``?``, ``!``): a principal written with
#: one names no one person, so one key would vouch for many.
PATTERN_CHARS = frozenset("*?!")


def _is_signer_line(fields: list[str]) -> bool:
    return bool(fields) and fields[0][0] != "#" and any(f.startswith(("ssh-", "ecdsa-", "sk-")) for f in fields[1:])


#: What ends an allowed-signers field for ssh-keygen (OpenSSH's ``strdelimw``): these four
#: and a quote; no other character, however Unicode or Python's ``str.split`` see it.
_SSH_FIELD_ENDS = re.compile('[ \t\r\n"]')


def ssh_principals(line: str) -> str | None:
    """The principals field of one allowed-signers line as ssh-keygen reads it, or None
    for a blank or comment line.

    ssh-keygen skips spaces and tabs, then reads up to a space, a tab, a CR or LF, or
    up to the quote that closes one opened in the field (``"a b,*"`` is the one field
    ``a b,*``). ``str.split`` ends a field at many more characters (``\u00a0``,
    ``\x1f``...), so it would show ``a`` where ssh-keygen honours ``a\u00a0,*``.
    """
    text = line.lstrip(" \t")
    if not text or text[0] in "#\r\n":
        return None
    end = _SSH_FIELD_ENDS.search(text)
    if end is None:
        return text
    if text[end.start()] != '"':
        return text[: end.start()]
    close = text.find('"', end.start() + 1)
    return text[: end.start()] + text[end.start() + 1 : close if close >= 0 else len(text)]


def wildcard_lines(allowed_signers: str) -> list[int]:
    """The lines (numbered from 1, as ssh-keygen numbers them: ended by LF only) of an
    allowed-signers file whose principals, as ssh-keygen reads them (:func:`ssh_principals`),
    are or hold patterns (``*@example.com``, ``*``, ``!jane@example.com``) rather than emails.

    ssh-keygen honours such a line for every principal it matches; govtool does not
    (:func:`honoured_signers`), since one key would then sign for anyone it matches.
    """
    return [
        number
        for number, line in enumerate(allowed_signers.split("\n"), 1)
        if PATTERN_CHARS & set(ssh_principals(line) or "")
    ]


def honoured_signers(allowed_signers: str) -> str:
    """The allowed-signers text govtool verifies against: each :func:`wildcard_lines` line
    made a comment (lines split and numbered as ssh-keygen does, so numbers stay), so
    that its key verifies for no one."""
    lines = allowed_signers.split("\n")
    for number in wildcard_lines(allowed_signers):
        lines[number - 1] = "# not honoured by govtool (a wildcard principal): " + lines[number - 1]
    text = "\n".join(lines)
    return text if text.endswith("\n") else text + "\n"


def signer_count(allowed_signers: str) -> int:
    """How many lines of an allowed-signers file name a signer (``EMAIL [OPTIONS] KEYTYPE KEY``);
    comments and blank lines are not signers, nor is a line without a key type, nor one
    whose principal is a wildcard (:func:`wildcard_lines`)."""
    return sum(1 for line in honoured_signers(allowed_signers).split("\n") if _is_signer_line(line.split()))


def verify_decision(
    broker_id: str, event: Event, allowed_signers: str, approvers: Collection[str] = (), **options: Any
) -> DecisionVerification:
    """Check one decision's signature (see :class:`Verification` for the arguments and the rules).

    Returns:
        Its :class:`DecisionVerification`.

    Raises:
        InputError: ssh-keygen is missing or does not answer in time.
    """
    return Verification([(broker_id, event)], allowed_signers, approvers, **options).results()[0]


def verify_decisions(
    decisions: Sequence[tuple[str, Event]], allowed_signers: str, approvers: Collection[str] = (), **options: Any
) -> list[DecisionVerification]:
    """Check decisions' signatures, processes side by side (see :class:`Verification`).

    Returns:
        One :class:`DecisionVerification` per decision, in order.

    Raises:
        InputError: ssh-keygen is missing or does not answer in time.
    """
    return Verification(decisions, allowed_signers, approvers, **options).results()


class Verification:
    """Decisions' signatures being checked by ``ssh-keygen -Y verify``, processes side by side.

    Each decision must be signed, its signature must verify (namespace
    ``govtool-decision``) over its canonical form for the email it records, by a key
    the allowed-signers file gives that email by name (a wildcard principal is not
    honoured: :func:`honoured_signers`), and, when ``approvers`` are given, the
    email must be one of them (compared without case). A decision made in Slack
    (``attested_by``) must verify for its attester instead, who must be one of
    ``attesters``, and its decider's email must still be an approver's. Made, it starts the first batch
    of processes (up to :data:`MAX_PARALLEL`) and returns at once, so the caller can do
    other work while they run; :meth:`results` waits for them (and runs any further
    batches). A failure is explained by two more ssh-keygen runs (``check-novalidate``,
    ``find-principals``): edited after signing, or which email the key belongs to.

    Args:
        decisions: ``(broker id, decision event)`` pairs.
        allowed_signers: the text of an OpenSSH allowed-signers file
            (``EMAIL [OPTIONS] KEYTYPE BASE64``, one signer a line).
        approvers: the approvers (``jane@example.com`` or ``Jane <jane@example.com>``);
            empty checks the signature only.
        attesters: ``settings.gate.attesters``: the principals whose signature vouches
            for a decision made in Slack; a decision attested by anyone else is
            :data:`NOT_AN_APPROVER`.
        slack_approvers: ``settings.slack.approvers`` (Slack user id -> email): a decision
            made in Slack is :data:`NOT_AN_APPROVER` unless its Slack user is mapped to its
            decider there, so taking someone out of the mapping revokes their decisions.
        program: the ssh-keygen to run.
        at: the time the keys must be valid at (their ``valid-after``/``valid-before``
            options); None for ssh-keygen's clock.
        signers_shown: how reasons name the allowed-signers file.

    Raises:
        InputError: (from :meth:`results`) ssh-keygen is missing or does not answer in time.
    """

    def __init__(
        self,
        decisions: Sequence[tuple[str, Event]],
        allowed_signers: str,
        approvers: Collection[str] = (),
        *,
        attesters: Collection[str] = (),
        slack_approvers: Mapping[str, str] | None = None,
        program: str = SSH_KEYGEN,
        at: dt.datetime | None = None,
        signers_shown: str = "the allowed-signers file",
    ) -> None:
        self._program, self._shown = program, signers_shown
        self._wanted = {approver_email(a) for a in approvers}
        self._attesters = {a.strip().lower() for a in attesters}
        self._slack_approvers = {user: email.strip().lower() for user, email in (slack_approvers or {}).items()}
        self._deciders: dict[int, tuple[str, str | None, Any]] = {}
        self._when = f"{at.astimezone(dt.timezone.utc):%Y%m%d%H%M%SZ}" if at else ""
        self._results: list[DecisionVerification | None] = [None] * len(decisions)
        self._pending: list[tuple[int, str, bytes]] = []
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._running: tuple[subprocess.Popen, list[tuple[int, str, bytes]]] | None = None
        for index, (broker_id, event) in enumerate(decisions):
            signature, email = event.details.get("signature"), event.details.get("email")
            attester = event.details.get("attested_by")
            if not signature:
                self._results[index] = DecisionVerification(UNSIGNED, "the decision is not signed", email)
            elif not isinstance(email, str) or not EMAIL_RE.match(email):
                why = "signed, but no decider's email is recorded"
                self._results[index] = DecisionVerification(BAD_SIGNATURE, why, None)
            elif attester is not None and not (isinstance(attester, str) and EMAIL_RE.match(attester)):
                why = "signed, but its attester is not a principal (an email)"
                self._results[index] = DecisionVerification(BAD_SIGNATURE, why, email)
            elif not isinstance(signature, str) or not SIGNATURE_RE.match(signature):
                why = "the signature is not an SSH signature"
                self._results[index] = DecisionVerification(BAD_SIGNATURE, why, email, attester=attester)
            else:
                self._deciders[index] = (email, attester, event.details.get("slack_user"))
                self._pending.append((index, attester or email, canonical_decision(broker_id, event)))
                self._sig(index, signature)
        self._wildcards = wildcard_lines(allowed_signers)
        if self._pending:
            self._signers = os.path.join(self._dir(), "allowed_signers")
            Path(self._signers).write_text(honoured_signers(allowed_signers), encoding="utf-8")
            self._start_next()

    def _dir(self) -> str:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="govtool-verify-")
        return self._tmp.name

    def _sig(self, index: int, signature: str) -> None:
        Path(self._dir(), f"{index}.sig").write_text(armor(signature), encoding="ascii")

    def _start_next(self) -> None:
        batch, self._pending = self._pending[:MAX_PARALLEL], self._pending[MAX_PARALLEL:]
        for index, _, payload in batch:
            Path(self._dir(), f"{index}.msg").write_bytes(payload)
        args = ["sh", "-c", _BATCH_SCRIPT, "govtool-verify", self._program, self._signers, self._dir(), self._when]
        args += [NAMESPACE, *(str(part) for index, email, _ in batch for part in (index, email))]
        try:
            proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            self.close()
            raise InputError(f"sh: cannot run it ({exc.strerror}); ssh-keygen runs through it") from None
        self._running = (proc, batch)

    def results(self) -> list[DecisionVerification]:
        """Wait for every check: one :class:`DecisionVerification` per decision, in order."""
        try:
            failed = []
            while self._running is not None:
                proc, batch = self._running
                self._running = None
                try:
                    proc.wait(timeout=VERIFY_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    raise InputError(
                        f"{self._program} -Y verify did not answer within {VERIFY_TIMEOUT_SECONDS} s"
                    ) from None
                failed += self._collect(batch)
                if self._pending:
                    self._start_next()
            for index, principal, payload, detail in failed:
                sig_file = os.path.join(self._dir(), f"{index}.sig")
                found = _explain(self._program, self._signers, self._shown, principal, sig_file, payload, detail)
                email, attester, _ = self._deciders[index]
                if self._wildcards:
                    lines = ", ".join(str(n) for n in self._wildcards)
                    note = f"; {self._shown} line {lines}: a wildcard principal, which govtool does not honour"
                    found = dataclasses.replace(found, reason=found.reason + note)
                self._results[index] = dataclasses.replace(found, email=email, attester=attester) if attester else found
        finally:
            self.close()
        return self._results  # type: ignore[return-value]

    def _collect(self, batch: list[tuple[int, str, bytes]]) -> list[tuple[int, str, bytes, str]]:
        """The results of a finished batch; the failures, to explain."""
        failed = []
        for index, email, payload in batch:
            files = {ext: Path(self._dir(), f"{index}.{ext}") for ext in ("rc", "out", "err")}
            if not files["rc"].exists():
                raise InputError(f"{self._program} -Y verify did not run for a signature")
            code = files["rc"].read_text().strip()
            if code == "0":
                self._results[index] = self._judge(index, _key_of(files["out"].read_bytes()))
            elif code == "127":
                raise InputError(
                    f"{self._program}: not found; verifying signed decisions needs OpenSSH's ssh-keygen (8.2 or later)",
                    hint="install OpenSSH (the openssh-client package)",
                )
            else:
                failed.append((index, email, payload, _last_line(files["err"].read_bytes())))
        return failed

    def _judge(self, index: int, key: str | None) -> DecisionVerification:
        """A signature that verified for its principal: is that principal one whose word counts?"""
        email, attester, slack_user = self._deciders[index]
        if attester is None:
            if self._wanted and email.lower() not in self._wanted:
                reason = f"signed by {email}, who is not among the approvers"
                return DecisionVerification(NOT_AN_APPROVER, reason, email, key)
            return DecisionVerification(VERIFIED, f"signed by {email} ({key})", email, key)
        if attester.lower() not in self._attesters:
            reason = f"attested by {attester}, who is not in settings.gate.attesters"
            return DecisionVerification(NOT_AN_APPROVER, reason, email, key, attester)
        if self._wanted and email.lower() not in self._wanted:
            reason = f"decided in Slack by {email}, who is not among the approvers (attested by {attester})"
            return DecisionVerification(NOT_AN_APPROVER, reason, email, key, attester)
        if self._slack_approvers.get(str(slack_user)) != email.lower():
            reason = f"made in Slack by {slack_user}, whom settings.slack.approvers does not give {email}"
            return DecisionVerification(NOT_AN_APPROVER, reason, email, key, attester)
        reason = f"decided in Slack by {email}, attested by {attester} ({key})"
        return DecisionVerification(VERIFIED, reason, email, key, attester)

    def close(self) -> None:
        """Stop what runs and remove the temporary files."""
        if self._running is not None:
            self._running[0].kill()
            self._running[0].wait()
            self._running = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


#: One shell runs a batch of ``ssh-keygen -Y verify`` side by side: a shell starts a process
#: in a fraction of the time Python's subprocess takes. Every job's data is in files or in
#: the arguments (``PROGRAM SIGNERS DIR TIME NAMESPACE`` then ``N EMAIL`` pairs): nothing of a decision
#: is ever part of the script.
_BATCH_SCRIPT = """
program=$1 signers=$2 dir=$3 when=$4 namespace=$5
shift 5
jobs=
while [ $# -gt 1 ]; do
  "$program" -Y verify -f "$signers" -I "$2" -n "$namespace" -s "$dir/$1.sig" \\
    ${when:+-O} ${when:+"verify-time=$when"} < "$dir/$1.msg" > "$dir/$1.out" 2> "$dir/$1.err" &
  jobs="$jobs $1:$!"
  shift 2
done
for job in $jobs; do
  wait "${job#*:}"
  echo $? > "$dir/${job%%:*}.rc"
done
"""


def _key_of(output: bytes) -> str | None:
    """``ED25519 key SHA256:...`` from ssh-keygen's ``Good "..." signature ... with KEY``."""
    line = _last_line(output)
    return line.split(" with ", 1)[1] if " with " in line else None


def _explain(
    program: str, signers: str, shown: str, email: str, sig_file: str, payload: bytes, detail: str
) -> DecisionVerification:
    """Why a signature did not verify for ``email``: edited after signing, or whose key signed it."""
    check = _run([program, "-Y", "check-novalidate", "-n", NAMESPACE, "-s", sig_file], payload, "verifying")
    if check.returncode != 0:
        why = _last_line(check.stderr) or detail
        reason = "the signature does not match the decision as recorded (edited after signing?)"
        return DecisionVerification(BAD_SIGNATURE, f"{reason}: {why}" if why else reason, email)
    key = _key_of(check.stdout)
    found = _run([program, "-Y", "find-principals", "-f", signers, "-s", sig_file], b"", "verifying")
    principals = found.stdout.decode("utf-8", "replace").split() if found.returncode == 0 else []
    if email in principals:
        reason = f"{shown} gives {key} to {email} but refuses it here" + (f": {detail}" if detail else "")
    elif principals:
        reason = f"signed with {key}, which {shown} gives to {', '.join(principals)}, not to {email}"
    else:
        reason = f"signed with {key}, a key {shown} does not list (not {email}'s)"
    return DecisionVerification(BAD_SIGNATURE, reason, email, key)
