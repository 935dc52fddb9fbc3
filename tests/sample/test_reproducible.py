"""The committed sample is exactly what the generator writes: regenerate and compare bytes."""

from __future__ import annotations

from pathlib import Path

from sample import SAMPLE_RELATIVE_DIR, write_sample

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED = REPO_ROOT / SAMPLE_RELATIVE_DIR


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_regenerating_reproduces_the_committed_sample_byte_for_byte(tmp_path):
    write_sample(tmp_path)
    committed, regenerated = _files(COMMITTED), _files(tmp_path)
    assert committed, f"no committed sample at {COMMITTED}"
    assert sorted(regenerated) == sorted(committed)
    differing = [name for name in committed if committed[name].read_bytes() != regenerated[name].read_bytes()]
    assert not differing, f"regenerated files differ from the committed sample: {differing}"


def test_writing_twice_into_the_same_folder_gives_the_same_bytes(tmp_path):
    """No clock, temp name or leftover state leaks into the files (xlsx included)."""
    write_sample(tmp_path)
    first = {name: p.read_bytes() for name, p in _files(tmp_path).items()}
    write_sample(tmp_path)
    assert {name: p.read_bytes() for name, p in _files(tmp_path).items()} == first
