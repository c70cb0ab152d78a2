"""Inference stage: batch and streaming scoring with the champion, and the inference log."""
