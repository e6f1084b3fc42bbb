"""Jinja templates to HTML: one ordered search path (the practice's folder first), sandboxed, escaping."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from .content import add_filters, template_errors
from .errors import ContentError
from .limits import MAX_TEMPLATE, BoundedSandbox, read_bounded, render_capped, working_on

PACKAGE = Path(__file__).resolve().parent


def default_dir(name: str) -> Path:
    """packgen's own `templates` or `content` folder: inside the installed package, else in the checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def template_env(override: Path | None) -> SandboxedEnvironment:
    """Templates by name, the practice's folder first; `!default/NAME` always reaches packgen's own."""
    default = BoundedLoader(default_dir("templates"))
    loaders: list[jinja2.BaseLoader] = [BoundedLoader(override)] if override else []
    loaders += [default, jinja2.PrefixLoader({"!default": default}, delimiter="/")]
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    add_filters(env)
    return env


def render_template(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning any template mistake into a one-line error."""
    with template_errors(f"template {name}"), working_on(f"template {name}"):
        return render_capped(env.get_template(name), context, f"template {name}")


class BoundedLoader(jinja2.FileSystemLoader):
    """Templates from one folder, each a regular file of at most MAX_TEMPLATE bytes, checked before reading."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            if os.path.isfile(filename) or os.path.lexists(filename):  # anything else is refused when read
                break
        else:
            raise jinja2.TemplateNotFound(template)
        raw = read_bounded(Path(filename), MAX_TEMPLATE, "a template")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(f"{filename}: cannot be read as UTF-8 text ({exc})") from None
        mtime = os.path.getmtime(filename)
        return text, os.path.normpath(filename), lambda: _mtime(filename) == mtime


def _mtime(filename: str) -> float | None:
    try:
        return os.path.getmtime(filename)
    except OSError:
        return None
