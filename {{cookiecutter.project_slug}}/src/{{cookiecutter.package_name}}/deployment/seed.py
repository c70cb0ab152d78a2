"""`seed-data`: generate a dataset here and upload its files to a target's landing volume.

CI uses it to give staging data to run on: the same files `generate-data` writes locally, put into
`/Volumes/<catalog>/<schema>/landing/` through the Files API, where the feature-refresh job ingests
them. Each file appears whole (one upload per file) and the same dataset gets the same file names, so
seeding twice changes nothing the jobs have not seen.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from databricks.sdk import WorkspaceClient

from ..config import LANDING_VOLUME, load_config
from ..data.generate import GeneratedData
from ..data.landing import write_landing_files
from ..workspace import call


def landing_volume(target: str) -> str:
    config = load_config(target, on_databricks=True)
    return f"/Volumes/{config.catalog}/{config.schema}/{LANDING_VOLUME}"


def seed_landing(client: WorkspaceClient, target: str, data: GeneratedData, batch: str) -> dict:
    """Upload the dataset's landing files to the target's landing volume; returns what was sent."""
    volume = landing_volume(target)
    uploaded = []
    with tempfile.TemporaryDirectory(prefix="seed-") as folder:
        written = write_landing_files(data, folder, batch)
        for local in [*written.event_files, *written.label_files]:
            relative = Path(local).relative_to(folder).as_posix()
            remote = f"{volume}/{relative}"
            content = io.BytesIO(Path(local).read_bytes())
            call(client, f"uploading {remote}", client.files.upload, remote, content, overwrite=True)
            uploaded.append(remote)
    return {
        "target": target,
        "landing": volume,
        "events": written.events,
        "labels": written.labels,
        "files": uploaded,
    }
