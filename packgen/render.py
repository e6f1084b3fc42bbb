"""Jinja templates to HTML: one ordered search path (the practice's folder first), sandboxed, escaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .content import add_filters, template_errors

PACKAGE = Path(__file__).resolve().parent


def default_dir(name: str) -> Path:
    """packgen's own `templates` or `content` folder: inside the installed package, else in the checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def template_env(override: Path | None) -> SandboxedEnvironment:
    """Templates by name, the practice's folder first; `!default/NAME` always reaches packgen's own."""
    default = jinja2.FileSystemLoader(default_dir("templates"))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(override)] if override else []
    loaders += [default, jinja2.PrefixLoader({"!default": default}, delimiter="/")]
    env = SandboxedEnvironment(
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
    with template_errors(f"template {name}"):
        return env.get_template(name).render(context)
