from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from {{ cookiecutter.package_name }}.data import landing
from {{ cookiecutter.package_name }}.data.generate import generate


def test_files_are_split_into_parts_and_rewriting_a_batch_replaces_them(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(landing, "ROWS_PER_FILE", 400)
    data = generate(rows=1_000, seed=2)

    assert landing.landing_is_empty(str(tmp_path))
    first = landing.write_landing_files(data, str(tmp_path), "b1")
    second = landing.write_landing_files(data, str(tmp_path), "b1")

    assert first == second
    assert [Path(path).name for path in first.event_files] == [f"b1-part-0000{i}.csv" for i in range(3)]
    assert sorted(path.name for path in (tmp_path / "events").iterdir()) == [
        Path(p).name for p in first.event_files
    ]
    reread = pd.concat(pd.read_csv(path) for path in first.event_files)
    assert len(reread) == 1_000 and reread["event_id"].is_unique
    assert not landing.landing_is_empty(str(tmp_path))


def test_the_next_period_starts_the_day_after_the_last_event(tmp_path: Path) -> None:
    assert landing.next_start(str(tmp_path)) is None
    start = datetime(2026, 1, 1, tzinfo=UTC)
    landing.write_landing_files(generate(rows=500, seed=3, start=start, days=61), str(tmp_path), "b1")

    assert landing.next_start(str(tmp_path)) == start + timedelta(days=61)


def test_every_readable_event_file_counts_and_dirty_ones_are_passed_over(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    (events / "upstream.csv").write_text("event_id,event_ts\ne1,2026-03-04T23:59:59Z\ne2,not a time\n")
    (events / "no-times.csv").write_text("event_id,amount\ne3,1.0\n")
    (events / "binary.csv").write_bytes(b"\xff\xfe\x00garbage")
    (events / "empty.csv").write_text("")
    (events / "far-future.csv").write_text("event_id,event_ts\ne4,9999-01-01T00:00:00Z\n")
    (events / ".half-written.csv.tmp").write_text("event_id,event_ts\ne5,2027-01-01T00:00:00Z\n")
    (events / ".hidden.csv").write_text("event_id,event_ts\ne6,2027-01-01T00:00:00Z\n")

    assert landing.next_start(str(tmp_path)) == datetime(2026, 3, 5, tzinfo=UTC)
