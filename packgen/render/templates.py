"""Jinja templates to HTML: one ordered search path (the practice's folder first), sandboxed, escaping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from ..limits import MAX_TEMPLATE, working_on
from ..trust import PACKAGE, ConfinedLoader, Trust, default_dir
from .content import add_filters, template_errors
from .sandbox import Sandbox

__all__ = ["PACKAGE", "default_dir", "render_template", "template_env"]


def own_template_env() -> Sandbox:
    """packgen's own templates only: for documents that no practice can restyle (wave overview, reconcile report)."""
    return template_env(None, Trust(()))


def template_env(override: Path | None, trust: Trust, filters: Mapping[str, Callable[..., Any]] | None = None) -> Sandbox:
    """Templates by name, the practice's folder first; `!default/NAME` always reaches packgen's own; with the
    Markdown filters and `filters`.
    Every template is read through `trust`, `{% include %}` and `{% extends %}` too."""
    default = ConfinedLoader(default_dir("templates"), trust, MAX_TEMPLATE)
    loaders: list[jinja2.BaseLoader] = [ConfinedLoader(override, trust, MAX_TEMPLATE)] if override else []
    loaders += [default, jinja2.PrefixLoader({"!default": default}, delimiter="/")]
    env = Sandbox(loader=jinja2.ChoiceLoader(loaders), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    add_filters(env)
    env.filters.update(filters or {})
    env.guard_filters()
    return env


def render_template(env: Sandbox, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning any template mistake into a one-line error."""
    with template_errors(f"template {name}"), working_on(f"template {name}"):
        return env.render_plain(env.get_template(name), context, f"template {name}")
