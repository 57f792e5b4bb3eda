"""Benchmarks of the landgrade pipeline: `python -m bench` (see README.md beside this file)."""
