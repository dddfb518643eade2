"""One safe way to read the YAML files a user gives ceo (``ceo.yaml``, codebooks, mapping files).

``yaml.safe_load`` never runs code, but it still accepts files that exhaust the machine: a few lines
of nested anchors and aliases ("billion laughs") describe billions of values, a recursive alias a
structure without end, a deeply nested document a recursion error. :func:`load_yaml` refuses those
while the document is being composed, before anything is built, with a Dutch message naming the
file and line (exit code 2 via :class:`~ceo.core.problems.InputError`):

- more than :data:`MAX_CHARS` characters;
- more than :data:`MAX_ALIASES` aliases (``*naam``), an alias to its own anchor, or aliases that
  together stand for more than :data:`MAX_NODES` values;
- nesting deeper than :data:`MAX_DEPTH` levels;
- explicit tags other than the plain YAML types (``!!python/object``, ``!ruby``, ...);
- a key that occurs twice in the same mapping (PyYAML would silently keep the last one: a second
  ``minimum_n`` would change a threshold unnoticed);
- a control character (a vertical tab from a line break in Word, a NUL, ...), named with its line.
"""

from __future__ import annotations

import re

import yaml

from ceo.core.problems import InputError, Problem, yaml_problem
from ceo.core.texts import number

#: a codebook is a few kB; a mapping file for a questionnaire with hundreds of variables tens of kB
MAX_CHARS = 1_000_000
MAX_ALIASES = 100
#: values after expanding every alias (a 1 MB file without aliases has far fewer)
MAX_NODES = 1_000_000
MAX_DEPTH = 50
_CORE = "tag:yaml.org,2002:"
SAFE_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))


#: characters YAML does not allow (tab, line ends and the byte order mark are fine); PyYAML's own message
#: for them is English and comes before any line is known
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {"\x0b": ", een regeleinde uit Word", "\x0c": ", een pagina-einde", "\x00": ", een nulteken"}


class _Refused(Exception):
    def __init__(self, message: str, mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts while composing the node graph (before constructing values)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self._size: dict[int, int] = {}  # id(node) -> number of values below it, aliases expanded

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"meer dan {MAX_ALIASES} verwijzingen (*{event.anchor}) naar ankers (&naam); "
                               "zoveel verwijzingen zijn niet toegestaan. Schrijf de waarden uit", event.start_mark)
            node = super().compose_node(parent, index)
            if id(node) not in self._size:
                raise _Refused(f"de verwijzing *{event.anchor} staat binnen haar eigen anker &{event.anchor}; "
                               "zo'n kringverwijzing is niet toegestaan", event.start_mark)
            return node
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in SAFE_TAGS:
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            raise _Refused(f"de YAML-tag '{shown}' is niet toegestaan; ceo leest alleen gewone tekst, getallen, "
                           "lijsten en sleutels (laat de tag weg)", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"het bestand is dieper genest dan {MAX_DEPTH} niveaus", event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(self._size.get(id(n), 1) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(self._size.get(id(k), 1) + self._size.get(id(v), 1) for k, v in node.value)
        if size > MAX_NODES:
            raise _Refused(f"de verwijzingen (*naam) naar ankers (&naam) maken het bestand groter dan "
                           f"{number(MAX_NODES)} waarden; schrijf de waarden uit", node.start_mark)
        self._size[id(node)] = size
        return node

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[object, object] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _CORE + "merge":
                continue
            ident = (key.tag, key.value)
            if ident in seen:
                first = seen[ident].start_mark.line + 1
                raise _Refused(f"de sleutel '{key.value}' staat twee keer op hetzelfde niveau (ook op "
                               f"regel {first}); YAML houdt dan stilzwijgend alleen de laatste. Laat er een weg",
                               key.start_mark)
            seen[ident] = key
        return node


def load_yaml(text: str, file: str) -> object:
    """The data of a YAML document, or :class:`InputError` with a located Dutch message.

    ``file`` is how messages name the file."""
    if len(text) > MAX_CHARS:
        lines = text.count("\n") + 1
        raise InputError(Problem(f"het bestand is te groot voor een YAML-bestand van ceo: {number(len(text))} tekens "
                                 f"op {number(lines)} regels; de grens is {number(MAX_CHARS)} tekens", file))
    bad = _CONTROL.search(text)
    if bad:
        row = text.count("\n", 0, bad.start()) + 1
        line = text.split("\n")[row - 1]
        shown = _CONTROL.sub("␣", line).strip()[:60] or None
        column = bad.start() - text.rfind("\n", 0, bad.start())
        raise InputError(Problem(f"het bestand bevat een onzichtbaar stuurteken (U+{ord(bad.group()):04X}"
                                 f"{_CONTROL_NAMES.get(bad.group(), '')}) in kolom {column}; "
                                 "zo'n teken komt vaak mee bij kopiëren uit Word of e-mail. Haal het weg (typ de "
                                 "regel opnieuw)", file, row, value=shown))
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as exc:
        row = exc.mark.line + 1 if exc.mark is not None else None
        lines = text.splitlines()
        value = lines[row - 1].strip()[:60] or None if row is not None and row - 1 < len(lines) else None
        raise InputError(Problem(f"geen toegestane YAML: {exc.message}", file, row, value=value)) from None
    except yaml.YAMLError as exc:
        raise InputError(yaml_problem(exc, file, text)) from None
    except (RecursionError, ValueError, OverflowError):  # numbers PyYAML cannot convert
        raise InputError(Problem("geen geldige YAML", file)) from None
    finally:
        loader.dispose()
