"""Dutch texts for click's own messages ("Usage:", "Missing option", ...).

click looks its texts up with ``gettext`` at call time through a module-level ``_`` (and
``ngettext``); we replace those lookups in click's modules with a small Dutch catalogue, so
that everything a user reads on the command line is Dutch. Unknown texts fall back to English.
"""

from __future__ import annotations

import importlib
import sys

DUTCH = {
    "%(prog)s, version %(version)s": "%(prog)s, versie %(version)s",
    "Aborted!": "Afgebroken.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} heeft {nargs} waarden nodig.",
    "Commands": "Opdrachten",
    "Could not open file {filename!r}: {message}":
        "Kan bestand {filename!r} niet openen: {message}",
    "Error: {message}": "Fout: {message}",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Missing argument": "Ontbrekend argument",
    "Missing command.": "Geen opdracht gegeven.",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Missing {param_type}": "{param_type} ontbreekt",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} heeft geen waarde.",
    "Options": "Opties",
    "Positional arguments": "Argumenten",
    "Show the version and exit.": "Toon de versie en stop.",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Try '{command} {option}' for help.": "Probeer '{command} {option}' voor hulp.",
    "Usage:": "Gebruik:",
    "default: {default}": "standaard: {default}",
    "required": "verplicht",
    "directory": "map",
    "file": "bestand",
    "path": "pad",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "Got unexpected extra argument ({args})": "Onverwacht extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Onverwachte extra argumenten ({args})",
    "Did you mean {possibility}?": "Bedoelt u {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Bedoelt u een van: {possibilities}?)",
    "{value!r} is not {choice}.": "{value!r} is niet {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} is niet een van {choices}.",
    "{value!r} does not match the format {format}.":
        "{value!r} heeft niet de vorm {format}.",
    "{value!r} does not match the formats {formats}.":
        "{value!r} heeft niet een van de vormen {formats}.",
    "Option {name!r} requires an argument.": "Optie {name!r} heeft een waarde nodig.",
    "Option {name!r} requires {nargs} arguments.": "Optie {name!r} heeft {nargs} waarden nodig.",
    "d": "d",
    "{editor}: Editing failed": "{editor}: bewerken mislukt",
    "{editor}: Editing failed: {e}": "{editor}: bewerken mislukt: {e}",
    "Windows error: {error}": "Windows-fout: {error}",
    "deprecated": "verouderd",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Let op: de opdracht {name!r} is verouderd.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Let op: {param_type} {name!r} is verouderd.{extra_message}",
    "Value must be an iterable.": "De waarde moet een reeks zijn.",
    "Could not determine name for option with declarations {decls!r}":
        "Kan geen naam bepalen voor de optie met declaraties {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean "
    "to pass '--{name}'?":
        "Geen opties gedeclareerd, maar wel een naam gegeven ({name}). Bedoelde u een argument te declareren? "
        "Bedoelde u '--{name}'?",
    "env var: {var}": "omgevingsvariabele: {var}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Een argument heeft precies één declaratie, niet {length}: {decls}.",
    "(dynamic)": "(dynamisch)",
    "Name '{name}' defined twice": "Naam '{name}' is twee keer gedefinieerd",
    "Takes {nargs} values but 1 was given.": "Heeft {nargs} waarden nodig, maar er is er 1 gegeven.",
    "Takes {nargs} values but {len} were given.": "Heeft {nargs} waarden nodig, maar er zijn er {len} gegeven.",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Ja/nee-optie {decl!r} kan niet dezelfde vlag voor ja en voor nee gebruiken.",
    "Do you want to continue?": "Wilt u doorgaan?",
    "Confirm the action without prompting.": "Bevestig zonder te vragen.",
    "unknown error": "onbekende fout",
    "Invalid start character for option ({option})": "Ongeldig beginteken voor een optie ({option})",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Kan de versie van Bash niet bepalen; aanvullen in de shell werkt daarom niet.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Aanvullen in de shell werkt niet met Bash-versies ouder dan 4.4.",
    "Press any key to continue...": "Druk op een toets om door te gaan...",
    "Repeat for confirmation": "Herhaal ter bevestiging",
    "Error: The two entered values do not match.": "Fout: de twee ingevoerde waarden zijn niet gelijk.",
    "Unknown color {colour!r}": "Onbekende kleur {colour!r}",
    "Error: invalid input": "Fout: ongeldige invoer",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    "Choice({choices})": "Keuze({choices})",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} is geen geldige ja/nee-waarde. Mogelijke waarden: {states}",
    "{len_type} values are required, but {len_value} was given.":
        "{len_type} waarden nodig, maar er is {len_value} gegeven.",
    "{len_type} values are required, but {len_value} were given.":
        "{len_type} waarden nodig, maar er zijn er {len_value} gegeven.",
    "{value!r} is not a valid UUID.": "{value!r} is geen geldige UUID.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} is niet uitvoerbaar.",
    "Unknown standard stream '{name}'": "Onbekende standaardstroom '{name}'",
}


def gettext(message: str) -> str:
    return DUTCH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


TYPE_NAMES = {"IntParamType": "geheel getal", "IntRange": "geheel getal",
              "FloatParamType": "getal", "FloatRange": "getal", "DateTime": "datum"}


#: every module of click that looks texts up (``from gettext import gettext as _``); _winconsole only on Windows
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui",
           "_termui_impl", "types", "utils", *(("_winconsole",) if sys.platform == "win32" else ()))


def install() -> None:
    types = importlib.import_module("click.types")
    for cls, name in TYPE_NAMES.items():
        getattr(types, cls).name = name
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
