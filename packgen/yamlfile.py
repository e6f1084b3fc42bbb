"""Read a YAML file into plain data plus the line of every key, so errors can point at it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .trust import NotReadable, Trust, read_regular, real

MAX_BYTES = 1_000_000  # a practice config is a few kilobytes
MAX_NODES = 50_000  # stops "billion laughs" alias bombs before they expand
MAX_DEPTH = 50
MAX_EXTENDS = 10  # a practice, its wave, a region...: more is a mistake

Key = tuple[Any, ...]


@dataclass
class YamlDoc:
    """One parsed YAML file: its data, where each key sits, and a hash of its bytes."""

    path: Path
    data: dict[str, Any]
    lines: dict[Key, int] = field(default_factory=dict)
    sha256: str = ""
    shown: str = ""  # how the file is named in messages

    def line_of(self, key: Key) -> int:
        """The line of `key`, or of its nearest parent that is in the file (1 for the top)."""
        for end in range(len(key), 0, -1):
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return 1

    def locate(self, key: Key) -> tuple[str, int]:
        """The file (as shown) and line of `key`."""
        return self.shown, self.line_of(key)


class _Loader(yaml.SafeLoader):
    """The safe loader, but an impossible date such as 2027-02-30 stays text for validation to name."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


    def construct_yaml_int(self, node: yaml.Node) -> Any:  # type: ignore[override]
        """An integer, or its text when too long for Python to convert (over 4,300 digits): validation names it."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def read_yaml(path: Path, shown: str) -> YamlDoc:
    """Parse `path`; `shown` is how the file is named in messages."""
    try:
        folder = path.is_dir()
    except OSError as exc:  # a name too long, say
        raise ConfigError([f"{shown}: cannot be read ({exc.strerror})"]) from None
    if folder:
        raise ConfigError([f"{shown}: is a folder; give the practice's .yaml file"])
    try:
        raw = read_regular(path, MAX_BYTES, "a practice config")
    except FileNotFoundError:
        raise ConfigError([f"{shown}: no such file"]) from None
    except OSError as exc:
        raise ConfigError([f"{shown}: cannot be read ({exc.strerror})"]) from None
    except NotReadable as exc:
        raise ConfigError([f"{shown}: {exc}"]) from None
    if b"\0" in raw:
        raise ConfigError([f"{shown}: is a binary file, not a YAML config"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([f"{shown}:{line}: is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"]) from None

    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ConfigError([f"{shown}:{line}: contains a control character (#x{exc.character:04x}) YAML does not allow"]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([f"{shown}:1: the file is empty; expected a practice config"])
        lines: dict[Key, int] = {}
        _walk(node, (), lines, shown, [0])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1"
        what = exc.problem or exc.context or "not valid YAML"
        raise ConfigError([f"{shown}:{where}: YAML syntax error: {what}"]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ConfigError([f"{shown}:{line}: contains a control character (#x{exc.character:04x}) YAML does not allow"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{shown}: not valid YAML: {' '.join(str(exc).split())}"]) from None
    except RecursionError:
        raise ConfigError([f"{shown}: nested too deeply to be a practice config"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError([f"{shown}:1: expected keys such as 'practice:' at the top, found {_kind(data)}"])
    return YamlDoc(path=path, data=data, lines=lines, sha256=hashlib.sha256(raw).hexdigest(), shown=shown)


@dataclass
class MergedDoc(YamlDoc):
    """A config merged over the files it `extends`: `data` is the merge; `layers` the files, the config first.

    `path`, `shown` and `lines` are the config's own; `sha256` covers every layer's bytes, and `locate`
    names the file and line each key of the merge was written in."""

    layers: list[YamlDoc] = field(default_factory=list)
    owner: dict[Key, int] = field(default_factory=dict)  # key -> index in `layers` of the file that wrote it

    def layer_index(self, key: Key) -> int:
        """The index in `layers` of the file that wrote `key`, or the value holding it (0 for the top)."""
        for end in range(len(key), 0, -1):
            if key[:end] in self.owner:
                return self.owner[key[:end]]
        return 0

    def layer_of(self, key: Key) -> YamlDoc:
        """The file that wrote `key`, or the value holding it (the config itself for the top)."""
        return self.layers[self.layer_index(key)]

    def line_of(self, key: Key) -> int:
        """The line of `key` in the file that wrote it."""
        return self.layer_of(key).line_of(key)

    def locate(self, key: Key) -> tuple[str, int]:
        """The file (as shown) and line of `key`: a parent's file for a key written there."""
        return self.layer_of(key).locate(key)

    def order(self, key: Key) -> tuple[int, int]:
        """A sort key for messages: the config's own lines first, then each parent's, by line."""
        return self.layer_index(key), self.line_of(key)


def read_config(path: Path, shown: str, trust: Trust | None = None) -> MergedDoc:
    """Parse `path` and the chain of files it `extends`, merged with the config's own values on top.

    Mappings merge key by key; a list or a single value from a lower file replaces the parent's
    whole. `extends` is removed from the merged data. The config and every file it extends must lie,
    after links, inside `trust`'s folders."""
    trust = trust or Trust([real(path.absolute().parent)])
    if os.path.lexists(path) and not trust.inside(real(path)):
        raise ConfigError([f"{shown}: leads to {real(path)}, outside {trust.shown_roots()}; widen the root with --root"])
    layers = [read_yaml(path, shown)]
    seen = {path.resolve()}
    while "extends" in layers[-1].data:
        doc = layers[-1]
        value = doc.data["extends"]
        here = f"{doc.shown}:{doc.line_of(('extends',))}: extends"
        if not isinstance(value, str) or not value.strip() or not value.isprintable():
            got = repr(value) if isinstance(value, str) else _kind(value)
            raise ConfigError([f"{here}: must be the path of the YAML file this one builds on, relative to this "
                               f"file, like _wave.yaml (got {got})"])
        target = (doc.path.parent / value).resolve()
        if target in seen:
            again = "is this file itself" if target == doc.path.resolve() else "extends this file again"
            raise ConfigError([f"{here}: '{value}' {again} (a cycle)"])
        if len(layers) > MAX_EXTENDS:
            raise ConfigError([f"{here}: more than {MAX_EXTENDS} files extend one another; is this intended?"])
        try:
            folder, file = target.is_dir(), target.is_file()
        except OSError as exc:
            raise ConfigError([f"{here}: cannot be read ({exc.strerror}): {target}"]) from None
        if folder:
            raise ConfigError([f"{here}: is a folder, not a YAML file: {target}"])
        if not file and not os.path.lexists(doc.path.parent / value):
            raise ConfigError([f"{here}: no such file: {target}"])
        problem = trust.problem(doc.path.parent / value)
        if problem is not None:
            raise ConfigError([f"{here}: '{value}' {problem}"])
        seen.add(target)
        layers.append(read_yaml(target, os.path.normpath(os.path.join(os.path.dirname(doc.shown), value))))
    owner: dict[Key, int] = {}
    data = _merge([(index, {k: v for k, v in doc.data.items() if k != "extends"}) for index, doc in enumerate(layers)],
                  (), owner)
    digest = layers[0].sha256 if len(layers) == 1 else hashlib.sha256(
        "".join(doc.sha256 for doc in layers).encode("ascii")).hexdigest()
    return MergedDoc(path=path, data=data, lines=layers[0].lines, sha256=digest, shown=shown, layers=layers, owner=owner)


def _merge(maps: list[tuple[int, dict[Any, Any]]], key: Key, owner: dict[Key, int]) -> dict[Any, Any]:
    """Merge mappings given uppermost first, recording in `owner` which layer wrote each key."""
    merged: dict[Any, Any] = {}
    for name in dict.fromkeys(name for _index, mapping in reversed(maps) for name in mapping):
        having = [(index, mapping[name]) for index, mapping in maps if name in mapping]
        index, value = having[0]
        owner[key + (name,)] = index
        below = []
        for pair in having:  # the mappings under this one, down to the first list or single value
            if not isinstance(pair[1], dict):
                break
            below.append(pair)
        merged[name] = _merge(below, key + (name,), owner) if len(below) > 1 else value
    return merged


def _walk(node: yaml.Node, key: Key, lines: dict[Key, int], shown: str, count: list[int]) -> None:
    """Record the line of every key below `node`, refusing duplicates and oversized documents."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ConfigError([f"{shown}: too many values (more than {MAX_NODES:,}); is an alias repeated?"])
    if len(key) > MAX_DEPTH:
        raise ConfigError([f"{shown}:{node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep"])
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            path = key + (name,)
            line = key_node.start_mark.line + 1
            if name in seen:
                raise ConfigError([f"{shown}:{line}: {dotted_key(path)}: appears twice; keep one"])
            seen.add(name)
            lines[path] = line
            _walk(value_node, path, lines, shown, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[key + (index,)] = item.start_mark.line + 1
            _walk(item, key + (index,), lines, shown, count)


def dotted_key(loc: tuple[Any, ...]) -> str:
    """`migration.go_live`; a key that is not plain printable text is shown quoted, so a message stays one line."""
    parts = [str(part) if str(part).isprintable() and str(part).strip() == str(part) and str(part) else repr(part)
             for part in loc]
    return ".".join(parts) or "(top)"


def _kind(value: Any) -> str:
    """A reader's word for the type of a YAML value."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, str):
        return "text"
    return "a single value"
