"""File formats: reading delivered and supplied tables (CSV, xlsx, .sav) with their limits, YAML, and the
fast .xlsx writer of the open-data tables.

May import only :mod:`ceo.core`.
"""
