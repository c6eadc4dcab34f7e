"""Readers: every supported input becomes a stream of ``Article | Rejected``."""
