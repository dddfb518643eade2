"""The factsheet site: rendering (:mod:`ceo.site.render`), Jinja2 templates and the static theme files.

Works from the stored results. May import the layers below it (:mod:`ceo.stats`, :mod:`ceo.validate`,
:mod:`ceo.io`, :mod:`ceo.core`), never its sibling :mod:`ceo.output` (see ``[tool.importlinter]`` in pyproject.toml).
"""
