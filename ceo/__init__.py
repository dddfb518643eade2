"""ceo: cliëntervaringsonderzoek (CEO) from fieldwork files to a factsheet site per gemeente."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ceo")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
