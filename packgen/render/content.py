"""Guidance and other wording in Markdown: found in layered folders, filled in safely, made into HTML."""

from __future__ import annotations

import difflib
import html
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import markdown
import nh3

from ..errors import ContentError
from ..limits import MAX_MARKDOWN, BoundedSandbox, working_on
from ..practice.dates import long_date, month_name, short_day, uk_date, uk_day, weekday
from ..trust import Trust
from .sandbox import Sandbox

# Tags Markdown may produce that make sense on paper; anything else (script, style, iframe, form,
# object, link, img, a) is removed, keeping its text.
ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "ul", "ol", "li", "strong", "em", "b", "i", "blockquote",
                "br", "hr", "code", "pre", "table", "thead", "tbody", "tr", "th", "td"}


@dataclass(frozen=True)
class Section:
    """One Markdown file made into a titled piece of HTML."""

    name: str  # the file's stem, e.g. "10-what-is-cut-over"; the key for overriding
    title: str
    html: str
    anchor: str


class MarkdownEnv(Sandbox):
    """The template step for Markdown and plain text: sandboxed, strict, and reading files through `trust`."""

    def __init__(self, trust: Trust, autoescape: bool = True) -> None:
        super().__init__(autoescape=autoescape, keep_trailing_newline=True)
        self.trust = trust
        add_filters(self)


def markdown_env(trust: Trust) -> MarkdownEnv:
    """The template step for Markdown: sandboxed (plain values only, no files), strict, escaping."""
    return MarkdownEnv(trust)


def add_filters(env: jinja2.Environment) -> None:
    """Date filters shared by Markdown and templates: `date` → 04/03/2027, `day` → Thursday 4 March 2027,
    `fulldate` → 4 March 2027, `shortday` → Thu 04/03/2027, `month` → March, `weekday` → Thursday."""
    env.filters["date"] = uk_date
    env.filters["day"] = uk_day
    env.filters["fulldate"] = long_date
    env.filters["shortday"] = short_day
    env.filters["month"] = month_name
    env.filters["weekday"] = weekday
    if isinstance(env, BoundedSandbox):
        env.guard_filters()


def find(kind: str, folders: list[Path]) -> dict[str, Path]:
    """Markdown files of one kind (e.g. "guidance"; "" for the top of the folder), by stem; later folders
    replace earlier ones."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((folder / kind).glob("*.md")):
            found[path.stem] = path
    return dict(sorted(found.items()))


MARKDOWN = {".md", ".markdown"}


def unused(folder: Path, kinds: Iterable[str], named: Iterable[str]) -> list[str]:
    """The Markdown files in a practice's content folder that packgen does not read, each with where it
    should go. `kinds` are the folders every file of which is read (guidance); `named` the other files
    read, by path in the folder (poster.md, letters/pathology-notice.md). Hidden files and READMEs
    (notes about the folder) are left alone. Only names are looked at: no file is opened."""
    kinds, named = tuple(kinds), set(named)
    found = []
    for top, folders, files in os.walk(folder):  # links to folders are not followed
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for file in sorted(files):
            path = PurePosixPath(Path(top, file).relative_to(folder).as_posix())
            if path.suffix.lower() not in MARKDOWN or file.startswith(".") or path.stem.lower() == "readme":
                continue
            if path.suffix == ".md" and (str(path) in named or len(path.parts) == 2 and path.parts[0] in kinds):
                continue
            found.append(f"{path} is not used; {_where_it_goes(path, kinds, named)}")
    return found


def _where_it_goes(path: PurePosixPath, kinds: tuple[str, ...], named: set[str]) -> str:
    """Advice for a Markdown file packgen does not read: the place it was most likely meant for."""
    stem = path.stem + ".md"
    meant = str(path.with_suffix(".md"))
    places = sorted(named | {f"{kind}/{stem}" for kind in kinds})
    close = difflib.get_close_matches(meant, places, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]}?"
    folder = path.parts[0] if len(path.parts) > 1 else ""
    same_folder = sorted(name for name in named if name.startswith(f"{folder}/")) if folder else []
    if same_folder:
        return (f"packgen reads only the {folder}/ files named as in its own content/{folder}/, such as "
                f"{same_folder[0]}")
    return f"to add a {kinds[0]} section, move it to {kinds[0]}/{stem}"


def required(kind: str, stem: str, folders: list[Path], context: dict[str, Any], env: MarkdownEnv) -> Section:
    """One Markdown file that must exist and have wording, e.g. letters/pathology-notice.md, filled in."""
    path = find(kind, folders).get(stem)
    where = f"{kind}/{stem}.md" if kind else f"{stem}.md"
    if path is None:
        raise ContentError(f"no {where} in the content folders; add it to the practice's content folder")
    section = render_markdown(path, context, env)
    if section is None:
        raise ContentError(f"{path}: is empty; it needs a '# Title' line and its wording")
    return section


def render_text(path: Path, context: dict[str, Any], trust: Trust) -> str:
    """Fill in a plain-text file (no Markdown, no HTML escaping), in the same sandbox."""
    env = MarkdownEnv(trust, autoescape=False)
    return _fill(path, _read(path, env), context, env)


def load_sections(kind: str, folders: list[Path], context: dict[str, Any], env: MarkdownEnv) -> list[Section]:
    """Every section of one kind in file-name order; an empty override file removes a section."""
    sections = []
    for name, path in find(kind, folders).items():
        section = render_markdown(path, context, env)
        if section is not None:
            sections.append(section)
    return sections


def render_markdown(path: Path, context: dict[str, Any], env: MarkdownEnv) -> Section | None:
    """Fill in one Markdown file's values, then convert and sanitise it; None when it is empty."""
    source = _read(path, env)
    if not source.strip():
        return None
    with working_on(str(path)):
        return _section(path, _fill(path, source, context, env))


def _section(path: Path, filled: str) -> Section:
    match = re.match(r"\s*#\s+(.+?)\s*#*\s*\n", filled + "\n")
    if not match:
        raise ContentError(f"{path}:1: must start with a '# Title' line")
    title = match.group(1)
    try:
        body, title = to_html(filled[match.end():]), _plain(title)
    except RecursionError:
        raise ContentError(f"{path}: Markdown nested too deeply (quotes or lists inside one another)") from None
    return Section(name=path.stem, title=title, html=body, anchor="s-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()))


def _read(path: Path, env: MarkdownEnv) -> str:
    """The file's text, if it is a regular file inside the trusted root (links followed)."""
    return env.trust.read_text(path, MAX_MARKDOWN, "a Markdown file")


def _fill(path: Path, source: str, context: dict[str, Any], env: MarkdownEnv) -> str:
    """The sandboxed template step, with every failure as a one-line error naming the file."""
    with template_errors(str(path), "not allowed in guidance"), working_on(str(path)):
        return env.render_plain(env.from_string(source), context, str(path))


@contextmanager
def template_errors(where: str, refused: str = "not allowed") -> Iterator[None]:
    """Turn any Jinja failure in `where` into a one-line ContentError (a line number when Jinja knows it)."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise ContentError(f"{exc.filename or where}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise ContentError(f"{_in(where, exc)}: template not found: {exc.name}") from None
    except jinja2.UndefinedError as exc:
        raise ContentError(f"{_in(where, exc)}: unknown value: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise ContentError(f"{_in(where, exc)}: {refused}: {' '.join(str(exc).split())}") from None
    except jinja2.TemplateError as exc:
        raise ContentError(f"{_in(where, exc)}: template error: {' '.join(str(exc).split())}") from None
    except (TypeError, ValueError, AttributeError, ArithmeticError, LookupError) as exc:  # e.g. a filter given a list
        raise ContentError(f"{_in(where, exc)}: template error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
    except RecursionError:
        raise ContentError(f"{where}: nested too deeply (a macro that calls itself?)") from None
    except MemoryError:
        raise ContentError(f"{where}: needs more memory than a template may use") from None


def _in(where: str, exc: BaseException) -> str:
    """`where`, or for a template the file and line the error happened in (an included part, say):
    Jinja gives template frames the template's file name and line."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            found = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    if found is None:
        return where
    return f"{where} ({found})" if where.startswith("template ") else found


def to_html(text: str, shift: int = 1) -> str:
    """Markdown to sanitised HTML, headings moved down `shift` levels to sit under the section title."""
    out = markdown.markdown(text, extensions=["sane_lists", "smarty", "tables"], output_format="html")
    if shift:
        out = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}>", out)
    return nh3.clean(out, tags=ALLOWED_TAGS | {"h6"}, attributes={}, link_rel=None)


def _plain(title: str) -> str:
    """A title as plain text: Markdown emphasis and any tags dropped (the template escapes the rest)."""
    text = html.unescape(nh3.clean(markdown.markdown(title, extensions=["smarty"]), tags=set()))
    return re.sub(r"\s+", " ", text).strip()
