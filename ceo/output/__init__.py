"""Output: atomic publishing with lock and journal (:mod:`ceo.output.publish`), the CSV and microdata files
of a run (:mod:`ceo.output.exports`) and revisions of earlier editions (:mod:`ceo.output.revisions`).

May import the layers below it (:mod:`ceo.stats`, :mod:`ceo.validate`, :mod:`ceo.io`, :mod:`ceo.core`), never
its sibling :mod:`ceo.site` (see ``[tool.importlinter]`` in pyproject.toml).
"""
