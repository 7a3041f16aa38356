"""Each sample-data generator in fixtures/generate/ still writes the committed carrier files, byte for byte.

Change a generator and the fixtures together (run `python fixtures/generate/<carrier>.py`): a file
edited by hand, or a generator changed without rerunning it, fails here. Each writes where its `OUT` says:
a shipped carrier's folder under fixtures/carriers/, or the invented added carrier's under fixtures/added/.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATORS = ROOT / "fixtures" / "generate"
FIXTURES = ROOT / "fixtures" / "carriers"
CARRIERS = sorted(path.stem for path in GENERATORS.glob("*.py"))
SHIPPED = sorted(path.name for path in FIXTURES.iterdir() if path.is_dir())


def _generator(carrier: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fixture_generator_{carrier}", GENERATORS / f"{carrier}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_carrier_has_a_generator() -> None:
    assert set(SHIPPED) <= set(CARRIERS)
    assert all(Path(_generator(name).OUT).is_dir() for name in CARRIERS)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_the_generator_reproduces_the_committed_files(carrier: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _generator(carrier).main(tmp_path)
    capsys.readouterr()  # the generators say what they wrote
    committed = {path.name: path.read_bytes() for path in Path(_generator(carrier).OUT).iterdir()}
    written = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert sorted(written) == sorted(committed)
    differ = [name for name in committed if written[name] != committed[name]]
    assert differ == [], f"{carrier}: regenerate its fixtures with fixtures/generate/{carrier}.py"
