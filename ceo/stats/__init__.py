"""Statistics: weighting, design-based estimation, targets, results, disclosure control, group tests and
benchmarks.

May import :mod:`ceo.validate`, :mod:`ceo.io` and :mod:`ceo.core`.
"""
