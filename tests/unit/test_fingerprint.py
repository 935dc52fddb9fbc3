"""Nothing new, nothing rebuilt: what counts as new for a refresh."""

from __future__ import annotations

from dataclasses import replace

from orchestration.lib import fingerprint
from orchestration.settings import load_settings
from tests.support.landing import write_delivery


def _settings(tmp_path):
    return load_settings(
        {
            "EVICTIONS_LANDING_DIR": str(tmp_path / "landing"),
            "EVICTIONS_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "EVICTIONS_PSEUDONYM_KEY": "a-key",
        }
    )


def _published(settings):
    page = settings.published_dir / "release" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<html></html>")


def test_unchanged_after_a_recorded_refresh_and_changed_by_each_input(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    write_delivery(
        settings.landing_dir, "regnskap", "2008-01-31", {"ledger.csv": b"art;tekst;belop\r\n"}, {"ledger.csv": 0}
    )
    code = tmp_path / "code"
    (code / "models").mkdir(parents=True)
    (code / "models" / "m.sql").write_text("select 1")
    monkeypatch.setattr(fingerprint, "CODE_FOLDERS", (code,))
    monkeypatch.setattr(fingerprint, "REPO_ROOT", tmp_path)
    before = fingerprint.refresh_fingerprint(settings)
    assert fingerprint.unchanged_since_last_refresh(settings, before) is None  # never refreshed
    fingerprint.record_successful_refresh(settings, before, "run-1")
    assert fingerprint.unchanged_since_last_refresh(settings, before) is None  # its outputs are missing
    _published(settings)
    assert fingerprint.unchanged_since_last_refresh(settings, before)["run_id"] == "run-1"
    assert "a-key" not in fingerprint.record_path(settings).read_text()

    (code / "models" / "m.sql").write_text("select 2")
    assert fingerprint.refresh_fingerprint(settings) != before, "a code change is new"
    (code / "models" / "m.sql").write_text("select 1")
    assert fingerprint.refresh_fingerprint(settings) == before
    assert fingerprint.refresh_fingerprint(replace(settings, suppression_threshold=5)) != before
    assert fingerprint.refresh_fingerprint(replace(settings, pseudonym_key="another")) != before
    write_delivery(
        settings.landing_dir, "regnskap", "2009-01-31", {"ledger.csv": b"art;tekst;belop\r\n"}, {"ledger.csv": 0}
    )
    assert fingerprint.refresh_fingerprint(settings) != before, "a new delivery is new"
    fingerprint.forget_last_refresh(settings)
    assert fingerprint.unchanged_since_last_refresh(settings, before) is None
