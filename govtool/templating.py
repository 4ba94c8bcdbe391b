"""The template environment: one Jinja environment per governance root, and the
filters that keep user text from breaking what it lands in.

Templates are looked up in the governance repo's own ``templates/`` first, then in
the defaults packaged with govtool (``govtool/templates/``), so a repo overrides any
template by adding a file of the same name. Undefined variables are errors
(StrictUndefined); HTML templates are autoescaped; Markdown table cells go through
the ``md_cell`` filter so user text cannot break a table or inject markup.

This module is a leaf: it imports nothing of govtool but the errors.
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govtool.errors import InputError

if TYPE_CHECKING:
    import jinja2

#: The default templates, inside the package.
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: A governance repo's overrides, under its root.
TEMPLATES_DIR = "templates"


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
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    }
)


def md_cell(value: Any, empty: str = "—") -> str:
    """Text made safe for one Markdown table cell.

    Escapes the characters that would end the cell (``|``), start markup
    (backticks, ``*``, ``_``, ``[``, ``#``) or inject HTML (``<``, ``>``, ``&``),
    and joins lines (any line break: ``\r``, form feed, U+2028...) with ``<br>``.

    Args:
        value: any value; None and "" render as ``empty``.
        empty: what to show for no value.
    """
    if value is None or value == "":
        return empty
    # splitlines: \r, \v, \f, U+2028 and the like end a line in some viewers as well.
    lines = str(value).splitlines()
    return "<br>".join(line.strip().translate(_MD_ESCAPES) for line in lines if line.strip()) or empty


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

    loaders: list[jinja2.BaseLoader] = [] if root is None else [jinja2.FileSystemLoader(str(root / TEMPLATES_DIR))]
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES)))
    env = jinja2.Environment(
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


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning template errors into a located InputError.

    Raises:
        InputError: a missing template, a syntax error (``FILE:LINE: message``) or an
            undefined variable.
    """
    import jinja2

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
            f"templates/{name}: {exc.message}",
            hint="the template uses a variable govtool does not provide; compare it with the default",
        ) from None


def _template_shown(filename: str) -> str:
    """A template file as a user finds it: ``templates/NAME`` in the repo, else the full path."""
    path = Path(filename)
    if path.parent.name == TEMPLATES_DIR and path.parent != PACKAGED_TEMPLATES:
        return f"templates/{path.name}"
    return filename
