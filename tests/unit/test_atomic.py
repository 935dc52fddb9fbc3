"""Atomic writes reach the disk: the file and, after the rename, its folder are fsynced."""

from __future__ import annotations

import os
import stat

import polars as pl
import pytest

from orchestration.lib import atomic


def _record_fsyncs(monkeypatch) -> list[str]:
    kinds = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        mode = os.fstat(fd).st_mode
        kinds.append("dir" if stat.S_ISDIR(mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", recording_fsync)
    return kinds


def test_write_text_atomic_fsyncs_the_file_then_its_folder(tmp_path, monkeypatch):
    kinds = _record_fsyncs(monkeypatch)
    target = tmp_path / "deep" / "page.html"
    atomic.write_text_atomic("<p>one</p>", target)
    assert kinds == ["file", "dir"]
    assert target.read_text(encoding="utf-8") == "<p>one</p>"
    assert not list(target.parent.glob(".page.html.tmp-*"))


def test_write_parquet_atomic_fsyncs_the_file_then_its_folder(tmp_path, monkeypatch):
    kinds = _record_fsyncs(monkeypatch)
    target = tmp_path / "table.parquet"
    atomic.write_parquet_atomic(pl.DataFrame({"a": [1]}), target, table_name="table")
    assert kinds == ["file", "dir"]
    assert pl.read_parquet(target)["a"].to_list() == [1]


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    atomic.write_text_atomic("old", target)

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic("new", target)
    assert target.read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".page.html.tmp-*"))
