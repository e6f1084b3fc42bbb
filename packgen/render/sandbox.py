"""What templates and Markdown may see and do: plain frozen records, and a sandbox that allows only those.

The context is converted before every render: config sections, tasks, letters and the other values
become frozen records of text, numbers, dates, true/false and tuples or read-only mappings of them.
No `Path`, no model with methods, no file. The sandbox then lets a template read a record's fields,
the keys of a mapping, a date's parts and a few text methods, and call only its own macros, `range`
and those methods; everything else is refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import types
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import jinja2
from jinja2.runtime import BlockReference, LoopContext, Macro
from markupsafe import Markup
from pydantic import BaseModel

from ..limits import BoundedSandbox, render_capped

SCALARS = (str, Markup, int, float, bool, type(None), dt.date)
# What each kind of value offers a template besides its contents. Nothing that writes, reads files,
# formats with attribute access (str.format) or reaches Python's internals.
TEXT_METHODS = frozenset({"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip",
                          "startswith", "endswith", "split", "replace", "isdigit"})
DATE_PARTS = frozenset({"year", "month", "day", "isoformat", "weekday", "isoweekday"})
MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
LOOP_PARTS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                        "depth0", "previtem", "nextitem", "cycle", "changed"})


MAX_COMPILED = 256  # templates and Markdown files whose compiled code a process keeps
MAX_COMPILED_SOURCE = 20_000  # characters: a longer template is compiled each time (packgen's longest: 8,000)
_COMPILED: dict[tuple[Any, ...], Any] = {}  # (environment's shape, hash of the source, name, file, …) → code


class Record:
    """Base of the frozen records templates see: one per kind of value (Practice, Task, Letter...)."""

    __slots__ = ()


class Provisional(Mapping[str, int]):
    """A read-only mapping that gives the same number for every key: page numbers not known yet."""

    def __init__(self, value: int) -> None:
        self._value = value

    def __getitem__(self, key: str) -> int:
        return self._value

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __len__(self) -> int:
        return 0


MAPPINGS = (types.MappingProxyType, Provisional)
_RECORDS: dict[tuple[type, tuple[str, ...]], type] = {}


def _record_type(cls: type, names: tuple[str, ...]) -> type:
    """The frozen record class standing for `cls` in templates, with the given fields."""
    made = _RECORDS.get((cls, names))
    if made is None:
        made = dataclasses.make_dataclass(cls.__name__, names, bases=(Record,), frozen=True,
                                          namespace={"__module__": __name__})
        _RECORDS[(cls, names)] = made
    return made


def _shown_names(cls: type) -> list[str]:
    """A model's or dataclass's public fields, then its public properties (computed values such as
    `Letter.anchor`); never methods."""
    if issubclass(cls, BaseModel):
        names = list(cls.model_fields)
    else:
        names = [f.name for f in dataclasses.fields(cls)]
    for klass in cls.__mro__:
        if klass in (object, BaseModel, Record) or klass.__module__.startswith("pydantic"):
            continue
        names += [name for name, member in vars(klass).items()
                  if isinstance(member, property) and not name.startswith("_") and name not in names]
    return [name for name in names if not name.startswith("_")]


class Plain:
    """Converts values to plain data for templates, remembering frozen ones so that each is converted once.

    `today` decides whether a task is overdue: `task.late` in a template."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, Any]] = {}  # id → (original, kept alive so the id stays its own; record)
        self._today: dt.date | None = None

    def context(self, values: Mapping[str, Any]) -> dict[str, Any]:
        today = values.get("today")
        if today != self._today:  # whether a task is overdue depends on it
            self._memo.clear()
            self._today = today
        return {str(key): self.value(value, today) for key, value in values.items()}

    def value(self, value: Any, today: dt.date | None = None) -> Any:
        if type(value) in SCALARS or isinstance(value, MAPPINGS):
            return value
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, PurePath):  # a file (the logo) is shown as its file: address
            return value.as_uri()
        if isinstance(value, (list, set, frozenset)):
            return tuple(self.value(item, today) for item in value)
        if isinstance(value, Mapping):
            return types.MappingProxyType({key: self.value(item, today) for key, item in value.items()})
        found = self._memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if isinstance(value, tuple):
            made: Any = tuple(self.value(item, today) for item in value)
        elif isinstance(value, BaseModel) or dataclasses.is_dataclass(value) and not isinstance(value, type):
            made = self._record(value, today)
        elif isinstance(value, str):  # a str subclass: plain text
            made = str(value)
        else:
            raise TypeError(f"{type(value).__name__} cannot be shown to templates")
        self._memo[id(value)] = (value, made)
        return made

    def _record(self, value: Any, today: dt.date | None) -> Any:
        cls = type(value)
        if cls.__str__ is not object.__str__ and "__str__" in vars(cls):  # a value that prints as text is text
            return str(value)
        names = _shown_names(cls)
        fields = {name: self.value(getattr(value, name), today) for name in names}
        overdue = getattr(value, "overdue", None)
        if isinstance(overdue, types.MethodType) and today is not None:  # Task.overdue(today): `task.late`
            fields["late"] = bool(overdue(today))
        return _record_type(cls, tuple(fields))(**fields)


def is_plain(value: Any, path: str = "") -> list[str]:
    """Where in `value` something is not plain data (empty when all of it is): for tests and checks."""
    if type(value) in SCALARS or isinstance(value, dt.datetime):
        return []
    if isinstance(value, tuple):
        return [bad for index, item in enumerate(value) for bad in is_plain(item, f"{path}[{index}]")]
    if isinstance(value, types.MappingProxyType):
        return [bad for key, item in value.items()
                for bad in is_plain(key, f"{path} key") + is_plain(item, f"{path}[{key!r}]")]
    if isinstance(value, Provisional):
        return []
    if isinstance(value, Record) and dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return [bad for f in dataclasses.fields(value) for bad in is_plain(getattr(value, f.name), f"{path}.{f.name}")]
    return [f"{path}: {type(value).__module__}.{type(value).__qualname__}"]


class Sandbox(BoundedSandbox):
    """Jinja's sandbox with an allow-list: record fields, mapping keys, date parts, a few text methods,
    the loop variable, macros and `range` (bounded, as everything else BoundedSandbox bounds); lists and
    mappings offer nothing that changes them. The context is made plain before each render."""

    def __init__(self, **options: Any) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, **options)
        kept = {"range": self.globals["range"]}  # no cycler, joiner, namespace, lipsum, dict
        self.globals.clear()
        self.globals.update(kept)
        self.plain = Plain()

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format and format_map are refused like any method not allowed

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, jinja2.Undefined):  # `cycler.__init__`: say that `cycler` is unknown
            obj._fail_with_undefined_error()  # noqa: SLF001
        if attr.startswith("_"):
            return False
        if isinstance(obj, Record):
            return attr in obj.__dataclass_fields__  # type: ignore[attr-defined]
        if isinstance(obj, str):
            return attr in TEXT_METHODS
        if isinstance(obj, dt.date):
            return attr in DATE_PARTS
        if isinstance(obj, (*MAPPINGS, dict)):  # a dict a template made itself, too
            return attr in MAPPING_METHODS
        if isinstance(obj, tuple) and attr in getattr(type(obj), "_fields", ()):  # `groupby`'s grouper and list
            return True
        if isinstance(obj, LoopContext):
            return attr in LOOP_PARTS
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, jinja2.Undefined):  # say why it is undefined (unknown, or refused), not "not callable"
            obj._fail_with_undefined_error()  # noqa: SLF001 - raises UndefinedError or SecurityError
        if isinstance(obj, (Macro, BlockReference, LoopContext)):
            return True
        if any(obj is allowed for allowed in self.globals.values()):
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        if owner is None or isinstance(owner, type) or not callable(obj):
            return False
        return self.is_safe_attribute(owner, name, obj) and not isinstance(owner, Record)

    def compile(self, source: Any, name: str | None = None, filename: str | None = None,  # type: ignore[override]
                raw: bool = False, defer_init: bool = False) -> Any:
        """Jinja's compile, kept for the rest of the process: the same template text in an environment of
        the same shape gives the same code (Jinja's own bytecode cache rests on this). Compiling took half
        of filling in a pack, and every build, check and practice of a wave makes new environments."""
        if raw or not isinstance(source, str) or len(source) > MAX_COMPILED_SOURCE:
            return super().compile(source, name, filename, raw, defer_init)
        key = (self._shape(), hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest(), name, filename,
               defer_init)
        code = _COMPILED.get(key)
        if code is None:
            code = super().compile(source, name, filename, raw, defer_init)
            if len(_COMPILED) >= MAX_COMPILED:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[key] = code
        return code

    def _shape(self) -> tuple[Any, ...]:
        """Everything of this environment that the code Jinja generates depends on: its class (the sandbox's
        operators), its syntax and whitespace options, escaping, and the filters and tests by name (each
        one's own function, under packgen's guard): a constant expression is folded by calling them."""
        def named(functions: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
            return tuple(sorted((name, getattr(f, "__wrapped__", f)) for name, f in functions.items()))

        return (type(self), self.block_start_string, self.block_end_string, self.variable_start_string,
                self.variable_end_string, self.comment_start_string, self.comment_end_string,
                self.line_statement_prefix, self.line_comment_prefix, self.trim_blocks, self.lstrip_blocks,
                self.newline_sequence, self.keep_trailing_newline, self.autoescape, self.optimized, self.finalize,
                self.is_async, tuple(sorted(self.extensions)), named(self.filters), named(self.tests))

    def render_plain(self, template: jinja2.Template, context: Mapping[str, Any], what: str) -> str:
        """Render with the context made plain, refusing output past the cap."""
        return render_capped(template, self.plain.context(context), what)
