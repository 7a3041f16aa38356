"""The explicit registry of carrier adapters, and loading every carrier's data from a folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aggregator.bounds import build_rater
from aggregator.errors import CarrierDataError
from aggregator.schema import Carrier, CarrierData
from aggregator.scope import with_scopes
from aggregator.taxonomy import CoverageKey
from carriers.aig import AigAdapter
from carriers.aioi_nissay_dowa import AioiNissayDowaAdapter
from carriers.base import CarrierAdapter
from carriers.mitsui_sumitomo import MitsuiSumitomoAdapter
from carriers.sompo_japan import SompoJapanAdapter
from carriers.tokio_marine import TokioMarineAdapter

# A new carrier is one module and one line here.
BUILTIN: tuple[type[CarrierAdapter], ...] = (
    TokioMarineAdapter,
    MitsuiSumitomoAdapter,
    SompoJapanAdapter,
    AioiNissayDowaAdapter,
    AigAdapter,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "carriers"


def build_registry(adapters: tuple[type[CarrierAdapter], ...]) -> dict[Carrier, CarrierAdapter]:
    registry: dict[Carrier, CarrierAdapter] = {}
    for cls in adapters:
        if cls.carrier in registry:
            raise ValueError(
                f"two adapters registered for carrier {cls.carrier!s}: {type(registry[cls.carrier]).__name__} and {cls.__name__}"
            )
        registry[cls.carrier] = cls()
    return registry


REGISTRY: dict[Carrier, CarrierAdapter] = build_registry(BUILTIN)


def adapter_for(carrier: Carrier | str) -> CarrierAdapter:
    try:
        return REGISTRY[Carrier(carrier)]
    except ValueError as exc:
        known = ", ".join(c.value for c in REGISTRY)
        raise KeyError(f"unknown carrier {carrier!r}; known: {known}") from exc


def identify(path: Path) -> Carrier | None:
    """Which carrier's native file this is, if any one adapter claims it."""
    owners = [carrier for carrier, adapter in REGISTRY.items() if adapter.identify(path)]
    return owners[0] if len(owners) == 1 else None


def load_folder(carrier: Carrier | str, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
    """One carrier's files validated as a whole: what `carriers check`, an upload and the web app's start all run.

    The adapter reads and checks the files; then the rates must give premiums within bounds and a
    rater must build from them, so nothing that passes here can fail later when quoting.
    """
    carrier = Carrier(carrier)
    if not folder.is_dir():
        raise CarrierDataError(f"{carrier.value}: データのフォルダがありません", file=folder.name)
    data = with_scopes(adapter_for(carrier).load(folder, mappings))  # and the scope its words state
    build_rater([data])
    return data


def load_carrier(carrier: Carrier | str, root: Path = FIXTURES, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
    carrier = Carrier(carrier)
    return load_folder(carrier, root / carrier.value, mappings)


@dataclass(frozen=True)
class LoadReport:
    loaded: dict[Carrier, CarrierData]
    errors: dict[Carrier, CarrierDataError]

    @property
    def clean(self) -> bool:
        return not self.errors and len(self.loaded) == len(REGISTRY)


def load_all(root: Path = FIXTURES, mappings: Mapping[Carrier, Mapping[str, CoverageKey]] | None = None) -> LoadReport:
    """Every registered carrier; one carrier's bad file does not stop the others loading."""
    loaded: dict[Carrier, CarrierData] = {}
    errors: dict[Carrier, CarrierDataError] = {}
    for carrier in REGISTRY:
        try:
            loaded[carrier] = load_carrier(carrier, root, (mappings or {}).get(carrier))
        except CarrierDataError as exc:
            errors[carrier] = exc
    return LoadReport(loaded, errors)
