"""The Slack app: `govtool serve` (the PM decides from the notification's buttons) and
`govtool slack manifest`."""

from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.errors import InputError

slack_app = typer.Typer(
    help="The Slack app of `govtool serve`.\n\n\b\nExample: govtool slack manifest --url https://govtool.example.com"
)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (behind an HTTPS proxy)."),
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="The TCP port to listen on."),
    attester: str = typer.Option(
        ...,
        "--attester",
        metavar="EMAIL",
        help="The principal the service signs decisions as: in settings.gate.attesters and the allowed-signers file.",
    ),
    signing_key: Optional[Path] = typer.Option(
        None,
        "--signing-key",
        metavar="PATH",
        help="The service's SSH private key (default: git's user.signingkey when gpg.format is ssh).",
    ),
    remote: str = typer.Option("origin", "--remote", help="The remote the decisions are pushed to."),
    branch: str = typer.Option("main", "--branch", help="The remote's branch the decisions land on."),
) -> None:
    """Run the Slack app: approvers decide from the notification's buttons; each decision is
    signed by the attester key, committed and pushed (needs govtool[serve]).

    Listens on --host/--port at /slack/events (GET /healthz answers ok). Needs
    SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, and runs in a clone of the governance
    repo that can push to --remote.

    \b
    Example: govtool serve --attester govtool-serve@example.com --signing-key /etc/govtool/serve_key
    """
    try:
        import slack_bolt  # noqa: F401
        import uvicorn
    except ImportError:
        raise InputError(
            "govtool serve needs slack_bolt and uvicorn, which are not installed",
            hint="pip install 'govtool[serve]'",
        ) from None
    from govtool.cli.slack_app import EVENTS_PATH, SlackService, log
    from govtool.usecases.slack_decisions import ServeConfig, service_lock

    root = context.root_dir()
    key = context.signing_key(root, signing_key)
    if key is None:
        raise InputError(
            "no signing key: govtool serve signs each decision with the attester's key",
            hint="pass --signing-key PATH (a private key without a passphrase, readable only by the service)",
        )
    config = ServeConfig(remote, branch, attester.strip(), key)
    with service_lock(root):
        service = SlackService(root, config, context.environment(), context.now)
        log(
            f"listening on http://{host}:{port}{EVENTS_PATH}; decisions land on {remote}/{branch}, signed as {attester}"
        )
        try:
            uvicorn.run(
                service,
                host=host,
                port=port,
                log_level="warning",
                server_header=False,
                proxy_headers=True,
                timeout_graceful_shutdown=10,
            )
        finally:
            service.worker.stop()
    log("stopped")


@slack_app.command("manifest")
def manifest(
    url: str = typer.Option(
        ..., "--url", metavar="URL", help="The public https:// address of govtool serve (its events path is added)."
    ),
    name: str = typer.Option("govtool", "--name", help="The app's and its bot user's display name."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of YAML."),
) -> None:
    """Print the Slack app manifest (scopes, interactivity URL, the bot user) to paste at api.slack.com/apps.

    \b
    Example: govtool slack manifest --url https://govtool.example.com
    """
    from urllib.parse import urlsplit

    from govtool.cli.slack_app import EVENTS_PATH, manifest_text

    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise InputError(
            f"--url: {url!r} is not an https:// URL; Slack sends interactions over HTTPS only",
            hint="the public address of govtool serve behind its HTTPS proxy, e.g. https://govtool.example.com",
        )
    path = parts.path.rstrip("/")
    request_url = f"https://{parts.netloc}{path if path.endswith(EVENTS_PATH) else path + EVENTS_PATH}"
    print(manifest_text(request_url, name, as_json), end="")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command()(serve)
    app.add_typer(slack_app, name="slack")
