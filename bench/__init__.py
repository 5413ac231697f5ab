"""Benchmarks that print figures. Run `python bench/run.py --help`."""
