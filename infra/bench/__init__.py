"""Benchmarks for `lms`: a dataset generator, a floor app, load from a second process, one table.

Run ``python -m infra.bench`` from the repository root (see infra/bench/README.md).
"""
