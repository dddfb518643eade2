"""Base layer: problems (located Dutch error reports), safe text, Dutch text helpers and escaping.

Imports nothing else from ceo; every other layer may import it (see ``[tool.importlinter]`` in pyproject.toml).
"""
