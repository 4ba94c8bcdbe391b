"""The channel options that notify, decide, escalate and report weekly share.

By default a message goes to every configured channel: email where an SMTP host is
configured (``settings.email.smtp_host`` or ``GOVTOOL_SMTP_HOST``), Slack where a
credential is set (``SLACK_BOT_TOKEN`` or ``SLACK_WEBHOOK_URL``). ``--no-email`` and
``--no-slack`` opt out; ``--email`` and ``--slack`` require the channel;
``--sent-by-hand`` records a message someone sent themselves.
"""

from typing import Any, Optional

import typer

EMAIL = typer.Option(
    None, "--email/--no-email", help="Mail it (default: when an SMTP host is configured); --no-email: do not."
)
SLACK = typer.Option(
    None, "--slack/--no-slack", help="Post it to Slack (default: when a Slack credential is set); --no-slack: do not."
)
SEND = typer.Option(False, "--send", hidden=True, help="Same as --email (kept for older scripts).")
SENT_BY_HAND = typer.Option(
    False, "--sent-by-hand", help="You sent the printed message yourself: record it as sent by hand; send nothing."
)
DRY_RUN = typer.Option(False, "--dry-run", help="Show the message; record, write and send nothing.")


def request(email: Optional[bool], slack: Optional[bool], send: bool = False, by_hand: bool = False) -> Any:
    """The :class:`~govtool.delivery.ChannelRequest` of the flags (``--send`` is ``--email``)."""
    from govtool.delivery import ChannelRequest

    return ChannelRequest(email=True if send else email, slack=slack, by_hand=by_hand)
