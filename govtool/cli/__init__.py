"""The command layer: parse arguments, call one use case, print its outcome.

A module per group of the process: :mod:`.repo` (the repo and its views),
:mod:`.tracking` (implementation tracking), :mod:`.research` (research docs and the
decision matrix), :mod:`.pm` (notify, decide, the outbox), :mod:`.cron` (weekly
report, escalations) and :mod:`.gate` (CI). :mod:`.context` is the one place that
reads the clock, the environment, the working directory and git's configuration;
:mod:`.output` prints. Errors are :class:`~govtool.errors.GovtoolError`, turned into
a message on stderr and an exit code in :func:`main`.
"""

# No `from __future__ import annotations` in the command modules: typer would then
# resolve every command's annotations with typing.get_type_hints at each start (~3 ms).
import sys
from typing import Optional

import typer

from govtool import __version__
from govtool.cli import context, cron, gate, pm, repo, research, serve, tracking
from govtool.errors import GovtoolError

_APP_SETTINGS = dict(
    name="govtool",
    help="Governance of broker API integrations: research, PM decision, tracking, CI gate.\n\n"
    "\b\nExample: govtool status",
    no_args_is_help=True,
    # Typer's shell completion: --install-completion / --show-completion, and the
    # _GOVTOOL_COMPLETE protocol the installed script speaks (govtool.cli.params completes values).
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app = typer.Typer(**_APP_SETTINGS)


def _version(value: bool) -> None:
    if value:
        print(f"govtool {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    root: Optional[str] = typer.Option(
        None,
        "--root",
        envvar="GOVTOOL_ROOT",
        help="Governance root (default: nearest directory upward holding tracker.yaml).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    context.OPTIONS.root = root


GROUPS = (repo, tracking, research, pm, cron, gate, serve)
for _group in GROUPS:
    _group.register(app)


def _app_for(args: list[str]) -> typer.Typer:
    """The app to run ``args`` with: one that holds only the named command's group.

    Typer builds the whole click command tree of an app at every run, one option at a
    time (~8 ms for govtool's 26 commands); a command needs its own group only. Help
    without a command, completion, and a name that is no command get the full app.
    """
    name = _command_name(args)
    group = _group_of(name) if name else None
    if group is None or any(k.endswith("_COMPLETE") for k in context.environment()):
        return app
    slim = typer.Typer(**_APP_SETTINGS)
    slim.callback()(_global)
    group.register(slim)
    return slim


def _command_name(args: list[str]) -> Optional[str]:
    """The first argument that is not a global option (or the value of ``--root``)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--root":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _group_of(name: str) -> Optional[object]:
    """The command module that registers the top-level command or group ``name``."""
    for info in app.registered_commands:
        if (info.name or info.callback.__name__.replace("_", "-")) == name:
            return _module_group(info.callback.__module__)
    for info in app.registered_groups:
        if info.name == name:
            return _module_group(info.typer_instance.registered_commands[0].callback.__module__)
    return None


def _module_group(module_name: str) -> Optional[object]:
    return next((g for g in GROUPS if g.__name__ == module_name), None)


def main(argv: Optional[list[str]] = None) -> None:
    """Run the app on ``argv`` (default ``sys.argv[1:]``); a GovtoolError becomes its message
    on stderr and its exit code (raises SystemExit, as click does).

    Every message is redacted of the secrets in the environment; ``--debug`` adds the
    traceback (redacted too) and keeps the exit code. A RecursionError, which the
    bounds on input keep from happening, is still bad input (exit 2), never a traceback.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    context.use_cache()
    try:
        _app_for(args)(args=args, prog_name="govtool", standalone_mode=True)
    except GovtoolError as exc:
        _fail(exc, exc.message, exc.hint, exc.exit_code, debug)
    except RecursionError as exc:
        _fail(exc, "input nested too deeply for govtool", "check the files this command reads", 2, debug)


def _fail(exc: BaseException, message: str, hint: Optional[str], code: int, debug: bool) -> None:
    """Print an error (with its traceback under --debug), redacted, and exit with ``code``.

    On a terminal, control characters in the text (a server's reply, a file's content)
    are shown as escapes, never sent raw.
    """
    from govtool.cli.output import terminal_safe
    from govtool.redaction import redact, secrets_in

    secrets = secrets_in(context.environment())
    err = sys.stderr
    shown = terminal_safe if err.isatty() else str
    if debug:
        import traceback

        err.write(shown(redact("".join(traceback.format_exception(exc)), secrets)))
    err.write(shown(redact(f"govtool: error: {message}\n", secrets)))
    if hint:
        err.write(shown(redact(f"hint: {hint}\n", secrets)))
    raise SystemExit(code) from None
