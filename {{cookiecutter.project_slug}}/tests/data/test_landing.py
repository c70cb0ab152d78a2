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
