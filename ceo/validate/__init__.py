"""Configuration and survey checks: key schemas, codebooks, ceo.yaml, the gemeente registry, privacy rules,
mapping files, inspecting deliveries and harmonising them onto a codebook.

May import :mod:`ceo.io` and :mod:`ceo.core`.
"""
