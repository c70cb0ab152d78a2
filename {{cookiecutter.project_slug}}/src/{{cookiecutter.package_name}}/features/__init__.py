"""Feature stage: ingest raw files to bronze (with quarantine), compute features, build training sets."""
