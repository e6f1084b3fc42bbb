"""Read a YAML file into plain data plus the line of every key, so errors can point at it."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..trust import NotReadable, Trust, read_regular, real

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

    def written(self, key: Key) -> Key:
        """`key` as written in the file that wrote it, for messages."""
        return key


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
    origin: dict[Key, Key] = field(default_factory=dict)  # key -> the same key in that file, where they differ

    def source(self, key: Key) -> tuple[int, Key]:
        """The index in `layers` of the file that wrote `key` (or the value holding it; 0 for the top),
        and the key as written there: an item of a merged list may sit at another place in its file."""
        for end in range(len(key), 0, -1):
            if key[:end] in self.owner:
                return self.owner[key[:end]], self.origin.get(key[:end], key[:end]) + key[end:]
        return 0, key

    def layer_index(self, key: Key) -> int:
        """The index in `layers` of the file that wrote `key`, or the value holding it (0 for the top)."""
        return self.source(key)[0]

    def layer_of(self, key: Key) -> YamlDoc:
        """The file that wrote `key`, or the value holding it (the config itself for the top)."""
        return self.layers[self.layer_index(key)]

    def line_of(self, key: Key) -> int:
        """The line of `key` in the file that wrote it."""
        index, written = self.source(key)
        return self.layers[index].line_of(written)

    def locate(self, key: Key) -> tuple[str, int]:
        """The file (as shown) and line of `key`: a parent's file for a key written there."""
        index, written = self.source(key)
        return self.layers[index].locate(written)

    def written(self, key: Key) -> Key:
        """`key` as written in the file that wrote it: `third_parties.0` is the first the practice adds."""
        return self.source(key)[1]

    def order(self, key: Key) -> tuple[int, int]:
        """A sort key for messages: the config's own lines first, then each parent's, by line."""
        return self.layer_index(key), self.line_of(key)


def read_config(path: Path, shown: str, trust: Trust | None = None,
                keyed: Mapping[Key, str] | None = None) -> MergedDoc:
    """Parse `path` and the chain of files it `extends`, merged with the config's own values on top.

    Mappings merge key by key. A list named in `keyed` (list key → the key that names an item) merges
    item by item (see `_merge_items`); any other list, and a single value, from a lower file replaces
    the parent's whole. `extends` is removed from the merged data. The config and every file it
    extends must lie, after links, inside `trust`'s folders."""
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
    merging = _Merging(layers, keyed or {})
    data = merging.mappings([(index, {k: v for k, v in doc.data.items() if k != "extends"})
                             for index, doc in enumerate(layers)], ())
    digest = layers[0].sha256 if len(layers) == 1 else hashlib.sha256(
        "".join(doc.sha256 for doc in layers).encode("ascii")).hexdigest()
    return MergedDoc(path=path, data=data, lines=layers[0].lines, sha256=digest, shown=shown, layers=layers,
                     owner=merging.owner, origin=merging.origin)


def same_name(name: str) -> str:
    """What two names are compared by: 'Eastshire NHS 111' and 'eastshire nhs-111' are the same."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


REMOVE = "remove"  # `remove: true` in an item of a keyed list drops the parent's item of that name


class _Merging:
    """Merges the layers' data, recording in `owner` which layer wrote each key of the result and in
    `origin` where an item of a keyed list was written in its file."""

    def __init__(self, layers: list[YamlDoc], keyed: Mapping[Key, str]) -> None:
        self.layers, self.keyed = layers, keyed
        self.owner: dict[Key, int] = {}
        self.origin: dict[Key, Key] = {}

    def mappings(self, maps: list[tuple[int, dict[Any, Any]]], key: Key) -> dict[Any, Any]:
        """Merge mappings given uppermost first."""
        merged: dict[Any, Any] = {}
        for name in dict.fromkeys(name for _index, mapping in reversed(maps) for name in mapping):
            having = [(index, mapping[name]) for index, mapping in maps if name in mapping]
            index, value = having[0]
            here = key + (name,)
            self.owner[here] = index
            kind = list if here in self.keyed else dict
            below = []
            for pair in having:  # the values under this one of the same kind, down to the first that is not
                if not isinstance(pair[1], kind):
                    break
                below.append(pair)
            if kind is list and below:
                merged[name] = self.items(below, here, self.keyed[here])
            else:
                merged[name] = self.mappings(below, here) if len(below) > 1 else value
        return merged

    def items(self, lists: list[tuple[int, list[Any]]], key: Key, name_key: str) -> list[Any]:
        """Merge lists given uppermost first, item by item, from the lowest up. An item whose `name_key`
        is the same name as an item below changes that item: its keys are laid over the other's. An
        item with `remove: true` drops it. Any other item is added at the end."""
        merged: list[tuple[Any, dict[Key, tuple[int, Key]]]] = []  # item; where each part was written
        for index, items in reversed(lists):
            below = {}
            for position, (item, _where) in enumerate(merged):
                name = item.get(name_key) if isinstance(item, dict) else None
                if isinstance(name, str):
                    below.setdefault(same_name(name), position)
            removed: set[int] = set()
            for number, item in enumerate(items):
                here = key + (number,)
                name = item.get(name_key) if isinstance(item, dict) else None
                position = below.pop(same_name(name), None) if isinstance(name, str) else None  # once a file
                if isinstance(item, dict) and REMOVE in item:
                    remove = item[REMOVE]
                    item = {k: v for k, v in item.items() if k != REMOVE}
                    if self._removal(index, here, item, name_key, remove, position, lists):
                        removed.add(position)  # type: ignore[arg-type]
                        continue
                if position is None:
                    merged.append((item, {(): (index, here)}))
                    continue
                old, where = merged[position]
                written = dict(where)
                first_index, first_key = written[()]
                for part in old:  # the parts it keeps stay the lower file's
                    written.setdefault((part,), (first_index, first_key + (part,)))
                written.update({(part,): (index, here + (part,)) for part in item})
                written[()] = (index, here)
                merged[position] = ({**old, **item}, written)
            merged = [entry for position, entry in enumerate(merged) if position not in removed]
        for position, (_item, where) in enumerate(merged):
            for part, (index, written_key) in where.items():
                self.owner[key + (position,) + part] = index
                self.origin[key + (position,) + part] = written_key
        return [item for item, _where in merged]

    def _removal(self, index: int, here: Key, item: dict[Any, Any], name_key: str, remove: Any,
                 position: int | None, lists: list[tuple[int, list[Any]]]) -> bool:
        """Whether an item with `remove:` drops the item below it; refuses one that cannot."""
        doc = self.layers[index]
        at = f"{doc.shown}:{doc.line_of(here + (REMOVE,))}: {dotted_key(here + (REMOVE,))}"
        if not isinstance(remove, bool):
            raise ConfigError([f"{at}: must be true or false (got {_kind(remove)})"])
        if not remove:
            return False
        name = item.get(name_key)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError([f"{at}: give the {name_key} of the item to remove, as the file it extends writes it"])
        name = name if name.isprintable() and len(name) <= 100 else repr(name[:100])[1:-1]  # one line
        others = sorted(str(part) for part in item if part != name_key)
        if others:
            raise ConfigError([f"{at}: an item with remove: true has only its {name_key}; "
                               f"leave out {', '.join(others)}"])
        if position is None:
            files = [self.layers[below].shown for below, _items in lists if below > index]
            listed = dotted_key(here[:-1])
            if not files:
                raise ConfigError([f"{at}: '{name}' cannot be removed: no file this one extends lists {listed}"])
            raise ConfigError([f"{at}: '{name}' is not among the {listed} of {', '.join(files)}, so there is "
                               f"nothing to remove; check the {name_key}"])
        return True


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
