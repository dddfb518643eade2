"""Escaping for every context a text can reach on the site: one helper per context.

Labels, names and texts come from files ceo does not control (a delivery, a shared codebook, a benchmark
file, ``ceo.yaml``, a revision reason). Whatever they contain is shown literally: never as markup, a
link, an attribute list or a script. Use the helper of the context the text lands in:

=====================  ==========================================================================
:func:`html_text`      element content in raw HTML (``<td>``, ``<caption>``, ``<p>``)
:func:`html_attr`      an attribute value in double quotes
:func:`md_text`        inline Markdown text (a heading, a sentence, the text of a link)
:func:`front_matter`   a value in the YAML front matter of a page (MkDocs puts it into HTML unescaped)
:func:`yaml_text`      a value in a YAML file (``ceo.yaml``; ``mkdocs.yml`` after :func:`html_attr`)
:func:`json_script`    JSON inside a ``<script type="application/...json">`` element
:func:`plotly_text`    a label plotly draws (plotly reads a little HTML in its labels)
=====================  ==========================================================================

Control characters are dropped everywhere: besides being invisible, STX/ETX are Python-Markdown's
placeholder markers and could pull stored HTML into the wrong place.
"""

from __future__ import annotations

import html
import json
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")


def clean(text: object) -> str:
    """The text without control characters ('' for None)."""
    return _CONTROL.sub("", "" if text is None else str(text))


def one_line(text: object) -> str:
    """The text on one line: line breaks and tabs become a space, control characters are dropped."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", "" if text is None else str(text)))


def html_text(text: object) -> str:
    return html.escape(clean(text), quote=False)


def html_attr(text: object) -> str:
    return html.escape(one_line(text), quote=True)


#: characters that start emphasis, code, links and images ('[', and '!' or '(' only matter next to it),
#: attribute lists ('{: onclick=... }') and headings; all of them are in Python-Markdown's ESCAPED_CHARS,
#: so '\x' shows as 'x'. '<', '>' and '&' become entities (no HTML, no autolinks, no character references).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#])")


def md_text(text: object) -> str:
    """Text that Markdown shows literally, on one line: no emphasis, links, images, code, attribute lists
    or HTML, whatever it contains."""
    s = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_YAML_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#:'\"{}\[\],]*")


def yaml_text(text: object) -> str:
    """A YAML scalar on one line that reads back as exactly this text: plain when YAML takes it as that text
    (``Drechtsteden``), otherwise double-quoted (a JSON string: ``"2025"``, ``"yes"``, ``"a: b"``, ``"# x"``)."""
    s = one_line(text)
    if _YAML_PLAIN.fullmatch(s) and s == s.strip() and s.isprintable():
        import yaml

        if yaml.safe_load(s) == s:
            return s
    return json.dumps(s, ensure_ascii=False).replace("\ufeff", "\\ufeff")


def front_matter(text: object) -> str:
    """A YAML double-quoted scalar for the front matter of a page. MkDocs-material writes ``title`` and
    ``description`` into ``<title>`` and a ``content="..."`` attribute without escaping, so the value is
    HTML-escaped first (``site_name`` in ``mkdocs.yml`` likewise: ``yaml_text(html_attr(name))``)."""
    s = json.dumps(html.escape(one_line(text), quote=True), ensure_ascii=False)
    return s.replace("\ufeff", "\\ufeff")


def json_script(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or start a comment in it: '<', '>' and '&' as \\u escapes
    (and U+2028/9, which old JavaScript parsers take as line ends)."""
    s = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def plotly_text(text: object) -> str:
    """A label for plotly, which interprets <br>, <b>, <a href>, ... and entities in its labels: with the
    entities escaped it draws the text as it is."""
    return html.escape(one_line(text), quote=False)


# --------------------------------------------------------------------------- the researcher's Markdown

#: inline HTML a researcher may use in the duiding, without attributes
_ALLOWED_INLINE = ("b", "i", "em", "strong", "sub", "sup", "br", "u", "s", "small", "mark", "abbr")
_ALLOWED_TAG = re.compile(r"</?(?:" + "|".join(_ALLOWED_INLINE) + r")\s*/?>", re.I)
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"'`]+>", re.I)
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)", re.S)
_INLINE_LINK = re.compile(r"\]\(([^)\n]*)")
_REFERENCE = re.compile(r"(?m)^( {0,3})\[([^\]\n]+)\]:[ \t]*(<[^>\n]*>|\S+)")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")
#: what the rendered duiding may contain: tag -> allowed attributes
ALLOWED_HTML = {
    **{t: () for t in ("p", "ul", "ol", "li", "blockquote", "pre", "code", "hr", *_ALLOWED_INLINE)},
    **{f"h{k}": ("id",) for k in range(1, 7)},
    "a": ("href", "title"),
}


def safe_url(url: str) -> bool:
    """A link to a page: relative, http(s) or mailto (whitespace, which browsers drop, and character
    references do not hide a scheme)."""
    u = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower().lstrip("<")
    scheme = _SCHEME.match(u)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def _sanitise_text(text: str) -> str:
    """Markdown outside code spans: only the allowed inline tags, no attribute lists, safe links."""
    pieces = []
    pos = 0
    for m in re.finditer(r"<", text):
        start = m.start()
        if start < pos:
            continue
        pieces.append(text[pos:start])
        ok = _ALLOWED_TAG.match(text, start) or _AUTOLINK.match(text, start)
        if ok:
            pieces.append(ok.group(0))
            pos = ok.end()
        else:
            pieces.append("&lt;")
            pos = start + 1
    pieces.append(text[pos:])
    # no attribute lists; no images (nothing is loaded from elsewhere; a picture needs a text alternative)
    text = "".join(pieces).replace("{", "\\{").replace("![", "!\\[")

    def link(m: re.Match) -> str:
        return m.group(0) if safe_url(m.group(1)) else "\\](" + m.group(1)  # no link: shown as written

    text = _INLINE_LINK.sub(link, text)
    return _REFERENCE.sub(lambda m: m.group(0) if safe_url(m.group(3)) else f"{m.group(1)}\\[{m.group(2)}]:"
                          f" {m.group(3)}", text)


class _Checker:
    """Every tag and attribute of rendered HTML against :data:`ALLOWED_HTML`."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        checker = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                allowed = ALLOWED_HTML.get(tag)
                if allowed is None:
                    checker.bad.append(tag)
                    return
                for name, value in attrs:
                    if name not in allowed:
                        checker.bad.append(f"{tag} {name}")
                    elif name == "href" and not safe_url(value or ""):
                        checker.bad.append(f"{tag} {name}={value}")

            handle_startendtag = handle_starttag

            def handle_comment(self, data):
                checker.bad.append("<!--")

            def handle_pi(self, data):
                checker.bad.append("<?")

            def handle_decl(self, decl):
                checker.bad.append("<!")

        self.bad: list[str] = []
        self.parser = Parser(convert_charrefs=True)

    def check(self, html_text_: str) -> list[str]:
        self.parser.feed(html_text_)
        self.parser.close()
        return self.bad


def sanitise_markdown(text: str, extensions: tuple[str, ...] = ("toc", "attr_list")) -> str:
    """The researcher's own Markdown (the duiding), made safe to put into a page: raw HTML other than a few
    inline tags without attributes is shown as text, attribute lists ('{: ...}') are not applied, links
    only go to http(s), mailto or relative addresses, and there are no images.

    The result is rendered with Python-Markdown and checked against an allow-list of tags and attributes
    (:data:`ALLOWED_HTML`); should anything else come through, the whole text is shown literally."""
    import markdown

    text = clean(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\x0b", " ").replace("\x0c", " ")
    parts = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):  # code spans are shown literally by Markdown itself
        parts.append(_sanitise_text(text[pos:m.start()]))
        parts.append(m.group(0))
        pos = m.end()
    parts.append(_sanitise_text(text[pos:]))
    out = "".join(parts)
    if _Checker().check(markdown.markdown(out, extensions=list(extensions))):
        return "\n".join(md_text(line) for line in text.split("\n"))
    return out
