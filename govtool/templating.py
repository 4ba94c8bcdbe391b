"""The template environment: one Jinja environment per governance root, and the
filters that keep user text from breaking what it lands in.

Templates are looked up in the governance repo's own ``templates/`` first, then in
the defaults packaged with govtool (``govtool/templates/``), so a repo overrides any
template by adding a file of the same name. Undefined variables are errors
(StrictUndefined); HTML templates are autoescaped; Markdown table cells go through
the ``md_cell`` filter so user text cannot break a table or inject markup.

A repo's templates come from pull requests, and `render --check` runs them in CI, so
they are untrusted code: they render in Jinja's sandbox
(``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no function
internals, no mutation of lists and dicts, ``str.format`` checked), with ``**`` and
``*`` bounded so one expression cannot take the machine's memory, and a repo template
must be a regular file inside the governance root (a link out of it is refused). The
contexts hold plain data of the tracker and the docs: no environment, no secret, no
module. Whatever a template does wrong is an :class:`InputError` naming
``templates/NAME:LINE`` (exit 2).

This module is a leaf: it imports nothing of govtool but the errors and :mod:`govtool.inputs`.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govtool.errors import GovtoolError, InputError
from govtool.inputs import read_text, within

if TYPE_CHECKING:
    import jinja2

#: The default templates, inside the package.
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: A governance repo's overrides, under its root.
TEMPLATES_DIR = "templates"

#: The longest string or list ``*`` may build in a template, in items.
MAX_REPEAT = 1_000_000
#: The largest integer ``**`` may build in a template, in bits.
MAX_POWER_BITS = 100_000


_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "<": "\\<",
    }
)
#: An ``&`` that would start a character reference (``&amp;``, ``&#60;``): escaped; any other stays.
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def md_cell(value: Any, empty: str = "—") -> str:
    """Text made safe for one Markdown table cell.

    Escapes, the Markdown way (a backslash), the characters that would end the cell
    (``|``), start markup (backticks, ``*``, ``_``, ``[``, ``#``), start HTML or an
    autolink (``<``) or a character reference (``&`` before ``amp;``), so the text
    reads as written in the rendered doc and nearly so in the file (``Name \\<email>``,
    never ``&lt;``); joins lines (any line break: ``\r``, form feed, U+2028...) with ``<br>``.

    Args:
        value: any value; None and "" render as ``empty``.
        empty: what to show for no value.
    """
    if value is None or value == "":
        return empty
    # splitlines: \r, \v, \f, U+2028 and the like end a line in some viewers as well.
    lines = str(value).splitlines()
    escaped = (_MD_ENTITY.sub(r"\\&", line.strip().translate(_MD_ESCAPES)) for line in lines if line.strip())
    return "<br>".join(escaped) or empty


def md_text(value: Any) -> str:
    """User text made safe for a Markdown paragraph or list item (one line, markup escaped)."""
    return md_cell(value, empty="").replace("<br>", " ")


def md_code(value: Any) -> str:
    """Text made safe for a Markdown code span (`` `...` ``): one line, no backtick, no
    table separator; None renders as "" (URLs and paths read from an API spec)."""
    if value is None:
        return ""
    return " ".join(str(value).replace("`", "'").replace("|", "\\|").split())


def environment(root: Path | None) -> jinja2.Environment:
    """The Jinja environment of a governance root: its ``templates/`` over the packaged defaults.

    One environment per root and set of override files, built once per process: a
    long-running process (`govtool serve`, the tests) that sees an override added,
    removed or edited gets a new one, since Jinja's own reload check only watches
    the file a template was first loaded from.

    Args:
        root: the governance root, or None for the packaged templates only.
    """
    overrides: tuple[tuple[str, int, int], ...] = ()
    if root is not None:
        with suppress(OSError):
            overrides = tuple(
                sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(root / TEMPLATES_DIR))
            )
    return _environment(root, overrides)


@lru_cache(maxsize=16)
def _environment(root: Path | None, overrides: tuple[tuple[str, int, int], ...]) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = [] if root is None else [_repo_loader_class()(root)]
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES)))
    env = _sandbox_class()(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md_cell"] = md_cell
    env.filters["md_text"] = md_text
    env.filters["md_code"] = md_code
    return env


@lru_cache(maxsize=1)
def _sandbox_class() -> type:
    """Jinja's immutable sandbox, with ``*`` and ``**`` bounded (built on first use: jinja2 is heavy)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1:
                if right * abs(left).bit_length() > MAX_POWER_BITS:
                    raise SecurityError(f"{left} ** {right} is too large for a template")
            elif operator == "*":
                for items, times in ((left, right), (right, left)):
                    if isinstance(items, (str, list, tuple)) and _is_int(times) and len(items) * times > MAX_REPEAT:
                        raise SecurityError(f"repeating {len(items)} items {times} times is too much for a template")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1)
def _repo_loader_class() -> type:
    """A loader of a repo's ``templates/`` that refuses files outside the governance root,
    and reads the others as untrusted text (:func:`govtool.inputs.read_text`: regular
    files only, bounded, UTF-8 or an error at ``templates/NAME:LINE``)."""
    import jinja2
    from jinja2.loaders import split_template_path

    class RepoLoader(jinja2.FileSystemLoader):
        def __init__(self, root: Path) -> None:
            super().__init__(str(root / TEMPLATES_DIR))
            self.root = root

        def get_source(self, environment: jinja2.Environment, template: str) -> Any:
            path = Path(self.searchpath[0], *split_template_path(template))
            if os.path.lexists(path):
                shown = f"{TEMPLATES_DIR}/{template}"
                if not within(path, self.root):
                    raise InputError(
                        f"{shown}: leads outside the governance root",
                        hint="a template must be a file inside the repo, not a link out of it",
                    )
                try:
                    source = read_text(path, shown)
                    mtime = path.stat().st_mtime
                except OSError as exc:
                    raise InputError(f"{shown}: cannot read: {exc.strerror}") from None
                return source, str(path), lambda: _unchanged(path, mtime)
            return super().get_source(environment, template)

    return RepoLoader


def _unchanged(path: Path, mtime: float) -> bool:
    """Jinja's check that a loaded template is still current."""
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning template errors into a located InputError.

    Args:
        env: from :func:`environment`.
        name: the template's name (``weekly-report.md.j2``).
        context: the variables, plain data only (no secret, no module: the sandbox
            keeps a template from reaching anything but what is passed).

    Returns:
        The rendered text.

    Raises:
        InputError: a missing template, a syntax error (``FILE:LINE: message``), an
            undefined variable, something the sandbox forbids (``FILE:LINE: unsafe
            template``), or any other error the template raises (exit 2).
    """
    import jinja2
    from jinja2.sandbox import SecurityError

    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = _template_shown(exc.filename or name)
        raise InputError(
            f"{where}:{exc.lineno}: template syntax error: {exc.message}",
            hint="fix the template, or delete it to use govtool's default",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"template {exc.name} not found in templates/ or govtool's defaults") from None
    except jinja2.UndefinedError as exc:
        raise InputError(
            f"{_where(exc, name)}: {exc.message}",
            hint="the template uses a variable govtool does not provide; compare it with the default",
        ) from None
    except SecurityError as exc:
        raise InputError(
            f"{_where(exc, name)}: unsafe template: {exc}",
            hint="templates render in a sandbox: no attribute starting with '_', no internals, no mutation",
        ) from None
    except GovtoolError:
        raise
    except RecursionError:
        raise InputError(f"{_where(None, name)}: the template recurses too deeply") from None
    except Exception as exc:  # the template's own code failed: 1/0, "a" + 1, a filter on a wrong type
        raise InputError(
            f"{_where(exc, name)}: template error: {type(exc).__name__}: {exc}",
            hint="fix the template, or delete it to use govtool's default",
        ) from None


def _where(exc: BaseException | None, name: str) -> str:
    """``templates/NAME:LINE`` of the innermost template frame of an error raised while
    rendering (an included template's, when the error is there), else the template's name."""
    place = f"{TEMPLATES_DIR}/{name}"
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or Path(filename).parent.name == TEMPLATES_DIR:
            place = f"{_template_shown(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return place


def _template_shown(filename: str) -> str:
    """A template file as a user finds it: ``templates/NAME`` in the repo, else the full path."""
    path = Path(filename)
    if path.parent.name == TEMPLATES_DIR and path.parent != PACKAGED_TEMPLATES:
        return f"templates/{path.name}"
    return filename
