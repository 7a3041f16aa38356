"""The front end for carriers that deliver JSON (a quoting API's documents).

A `Node` is one JSON value with its path in the file (plans[1].coverageGroups[0].limit), which every
error names. JSON has types, so a value is read as the type its key is declared to hold: 12.5 or "12"
where a whole number belongs is an error, never read as 12. A JSON object is a `spec.Cells`, read by
the shared readers like a row: a key is a field, a `Shape` says which keys must be there and how a key
that is not text is read, and an object takes a key it leaves out from the one it sits in (`context`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from aggregator.errors import CarrierDataError, WrongFormatError
from aggregator.schema import MAX_CARRIER_COUNT, MAX_CARRIER_YEN, MAX_CARRIER_YEN_TEXT
from carriers.base import Where, cell_date, has_sample_marker, parse_factor_bp, read_json


@dataclass(frozen=True)
class Shape:
    """One kind of JSON object: the keys it must hold, how a key that is not text is read, and the value
    a key has where the carrier's API leaves it out."""

    required: frozenset[str] = frozenset()
    values: Mapping[str, Callable[[Node], Any]] = field(default_factory=dict)
    implied: Mapping[str, str] = field(default_factory=dict)


TEXT = Shape()  # every key a string


@dataclass(frozen=True, slots=True)
class Node:
    """One JSON value and its path in the file; an object is also the `Cells` of its keys."""

    value: Any
    path: str
    file: Where
    shape: Shape = TEXT
    context: Mapping[str, Node] = field(default_factory=dict)  # keys it takes from the object it sits in

    @property
    def where(self) -> Where:
        return self.file.at(column=self.path or "$")

    def fail(self, message: str) -> CarrierDataError:
        return self.where.error(message, self.value)

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _fields(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail("JSONオブジェクト({...})が必要です")
        return self.value

    def req(self, key: str) -> Node:
        value = self._fields().get(key)
        if value is None:
            raise self.file.at(column=self._child(key)).error(f"必須のキー「{key}」がありません", sorted(self._fields()))
        return Node(value, self._child(key), self.file)

    def opt(self, key: str) -> Node | None:
        value = self._fields().get(key)
        return None if value is None else Node(value, self._child(key), self.file)

    def implied(self, key: str, value: Any) -> Node:
        """A value this object is read as holding under `key`, at the place the key would be."""
        return Node(value, self._child(key), self.file)

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail("配列([...])が必要です")
        return [Node(v, f"{self.path}[{i}]", self.file) for i, v in enumerate(self.value)]

    def read_as(self, shape: Shape, context: Mapping[str, Node | None] | None = None) -> Node:
        """This object as cells of `shape`, taking the keys it leaves out from `context`."""
        return replace(self, shape=shape, context={k: v for k, v in (context or {}).items() if v is not None})

    # ---------------------------------------------------------- typed values ---

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("空でない文字列が必要です")
        return self.value.strip()

    def whole(self, what: str = "値") -> int:
        """A non-negative JSON integer: 12.5, 12.0, "12" and true are errors, never read as 12."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            hint = {float: "(小数は使えません)", str: "(文字列ではなく数値で書いてください)"}.get(type(self.value), "")
            raise self.fail(f"{what}は整数で書いてください{hint}")
        if self.value < 0:
            raise self.fail(f"{what}が負です")
        if self.value > MAX_CARRIER_COUNT:
            raise self.fail(f"{what}が大きすぎます(上限 {MAX_CARRIER_COUNT:,})")
        return self.value

    def yen(self) -> int:
        """A yen amount: a JSON integer of at most 1兆円."""
        if isinstance(self.value, int) and not isinstance(self.value, bool) and self.value > MAX_CARRIER_YEN:
            raise self.fail(f"金額が上限({MAX_CARRIER_YEN_TEXT})を超えています")
        return self.whole("金額(円)")

    def factor(self) -> int:
        """A factor or rate as basis points: 1.25 / "125%" -> 12500, -0.05 -> -500."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise self.fail("係数は数値か「125%」の形で書いてください")
        return parse_factor_bp(self.value, self.where)

    def day(self) -> date:
        return cell_date(self.text(), self.where)

    # ------------------------------------------------------------ as Cells ---

    def child(self, key: str) -> Node | None:
        """The key's value: the object's own, else its context's, else what the API implies by leaving it out."""
        own = self.opt(key)
        if own is not None:
            return own
        if key in self.context:
            return self.context[key]
        return self.implied(key, self.shape.implied[key]) if key in self.shape.implied else None

    def at(self, key: str) -> Where:
        found = self.child(key)
        return found.where if found is not None else self.file.at(column=self._child(key))

    def get(self, key: str) -> Any:
        """The key's value read as its shape declares (text unless declared), None when the object has none."""
        found = self.child(key)
        if found is None:
            if key in self.shape.required:
                raise self.at(key).error(f"必須のキー「{key}」がありません", sorted(self._fields()))
            return None
        return self.shape.values.get(key, Node.text)(found)


def whole(what: str) -> Callable[[Node], int]:
    return lambda node: node.whole(what)


def counted(what: str, unit: str) -> Callable[[Node], str]:
    """A whole number in its key's unit, handed over as a cell writes it: 8 -> 「8時間」, 90 -> 「90%」."""
    return lambda node: f"{node.whole(what)}{unit}"


def each(node: Node | None) -> list[Node]:
    """The entries of an array the API may leave out."""
    return node.items() if node is not None else []


def words(node: Node) -> str:
    """An array of codes as one cell lists them: ["IT-410", "IT-420"] -> 「IT-410、IT-420」."""
    return "、".join(item.text() for item in node.items())


# ------------------------------------------------------------------ documents ---


@dataclass(frozen=True)
class Api:
    """How a carrier's API documents say whose they are, what each holds and which rate version it is."""

    name: str  # the carrier, for messages, in Japanese
    name_en: str
    owner: tuple[str, str]  # the key every document names its insurer under, and ours
    documents: Mapping[str, tuple[str, str]]  # file -> the key saying what it holds, and what this file holds
    version: str
    effective_from: str
    effective_to: str
    notice: str  # the key whose words say the data is invented (サンプルデータ)

    @property
    def not_ours(self) -> str:
        return f"{self.name}のファイルではありません (this is not a {self.name_en} file)"

    def is_ours(self, data: Any) -> bool:
        key, insurer = self.owner
        return isinstance(data, dict) and data.get(key) == insurer and any(data.get(k) == v for k, v in self.documents.values())


@dataclass(frozen=True)
class Document:
    root: Node
    version: str
    effective_from: date
    effective_to: date | None
    sample: bool

    def source(self, node: Node) -> str:
        return f"{self.root.file.file} {node.path}"


def identify(api: Api, path: Path) -> bool:
    """Is this one of the API's documents? Never raises: an unreadable file is simply not ours."""
    try:
        return path.suffix.lower() == ".json" and path.is_file() and api.is_ours(read_json(path))
    except Exception:
        return False


def open_documents(api: Api, folder: Path) -> dict[str, Document]:
    """Every document of the API, each checked to be ours and of the kind its name says, all of one rate version."""
    found: dict[str, Document] = {}
    for name, (kind_key, kind) in api.documents.items():
        where = Where(name)
        if not (folder / name).is_file():
            message = f"{name}がありません: {api.name}のデータフォルダではありません (this is not a {api.name_en} folder)"
            raise where.error(message, folder.name)
        try:
            data = read_json(folder / name)
        except WrongFormatError as exc:  # another kind of file: say whose data we expected
            raise CarrierDataError(f"{exc.message}: {api.not_ours}", file=exc.file, row=exc.row, value=exc.value) from exc
        owner, insurer = api.owner
        if not isinstance(data, dict) or data.get(owner) != insurer:
            raise where.at(column=owner).error(api.not_ours, data.get(owner) if isinstance(data, dict) else type(data).__name__)
        root = Node(data, "", where)
        if (said := root.req(kind_key)).value != kind:
            raise said.fail(f"{name}の{kind_key}は「{kind}」のはずです")
        end, version, first = root.opt(api.effective_to), root.req(api.version), next(iter(found.values()), None)
        if first is not None and version.text() != first.version:
            raise version.fail(f"料率のバージョンが{first.root.file.file}({first.version})と一致しません")
        found[name] = Document(
            root, version.text(), root.req(api.effective_from).day(), end.day() if end else None, has_sample_marker([data.get(api.notice)])
        )
    return found
