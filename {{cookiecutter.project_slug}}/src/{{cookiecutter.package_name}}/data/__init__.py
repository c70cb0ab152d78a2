"""Synthetic raw data: a seeded generator and the writer that drops its files in the landing zone."""
