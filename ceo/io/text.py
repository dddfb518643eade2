"""Reading a text file the researcher edits (``ceo.yaml``, ``mkdocs.yml``, a duiding) as UTF-8, with the
located Dutch error a user can act on when it was saved in another encoding (Windows-1252 from Kladblok/Word)."""

from __future__ import annotations

from pathlib import Path

from ceo.core.problems import InputError, Problem


def read_utf8(path: Path, shown: str, line_in_message: bool = False, value_chars: int | None = None) -> str:
    """The text of ``path`` (a byte order mark dropped); ``shown`` names it in messages. A file that is not UTF-8
    is an :class:`InputError` naming the line (as the problem's line, or in the message with
    ``line_in_message``) and showing that line read as Windows-1252 (at most ``value_chars`` characters)."""
    try:
        raw = path.read_bytes()
        return raw.decode("utf-8-sig")
    except OSError as exc:
        raise InputError(Problem(f"het bestand kan niet worden gelezen ({exc.strerror})", shown)) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        value = raw.split(b"\n")[line - 1].decode("cp1252", "replace").strip()[:value_chars]
        where = f" (regel {line})" if line_in_message else ""
        raise InputError(Problem(f"het bestand is niet opgeslagen als UTF-8-tekst{where}; sla het op als UTF-8 (in "
                                 "Kladblok: Opslaan als, codering UTF-8)", shown,
                                 None if line_in_message else line, value=value)) from None
