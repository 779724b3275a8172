"""Read an XML document's prolog and tell whether it declares entities, in whichever encoding a parser would read it.

Entities can only be declared before the root element: in the DOCTYPE's internal subset, or (for a
lenient parser) loose in the prolog. The prolog is found by skipping what parsers skip there —
the XML declaration, comments, processing instructions, and quoted strings, comments and nested
declarations inside the DOCTYPE — so it is found however long it is and wherever the DOCTYPE sits in
it, and the text after the root element starts (a CDATA section about XML, say) never counts. The
document is read in every encoding a parser might choose: the one its byte-order mark or first bytes
show, the one it declares, the one the server names, and as ASCII-compatible bytes (which covers
UTF-8, Latin-1 and the like), so a UTF-16 or UTF-32 document is checked as thoroughly as a UTF-8 one.
`pipeline.ingest.feeds` refuses the documents this finds.
"""

from __future__ import annotations

import codecs
import re

_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# how `<?` or `<` begins a document without a byte-order mark (the XML specification's appendix F)
_FIRST_BYTES = ((b"\0\0\0<", "utf-32-be"), (b"<\0\0\0", "utf-32-le"), (b"\0<\0?", "utf-16-be"),
                (b"<\0?\0", "utf-16-le"), (b"\x4c\x6f\xa7\x94", "cp037"))
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)", re.I)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_ENTITY = re.compile(r"<!ENTITY", re.I)
_MARKUP = re.compile(r"""<!--|<\?|["'\[\]>]""")


def _reads_ascii_as_itself(codec: str) -> bool:
    """Encodings where ASCII bytes, and only they, read as ASCII: the Latin-1 reading sees all their markup.
    (Not UTF-7, say, which reads `+ADw-` as `<`.)"""
    return codec in ("ascii", "utf-8", "utf-8-sig") or codec.startswith(("iso8859-", "cp125"))


def declares_entities(body: bytes, content_type: str = "") -> bool:
    """Whether the document's prolog declares an entity, read in any encoding a parser might read it in."""
    return any(_ENTITY.search(text, 0, prolog_end(text)) for text in _readings(body, content_type))


def prolog_end(text: str) -> int:
    """Where the root element starts (the end of the text when none does)."""
    pos = 0
    while True:
        start = text.find("<", pos)
        if start < 0:
            return len(text)
        if text.startswith("<?", start):
            pos = _after(text, "?>", start + 2)
        elif text.startswith("<!--", start):
            pos = _after(text, "-->", start + 4)
        elif text.startswith("<!", start):
            pos = _declaration_end(text, start + 2)
        else:
            return start


def _after(text: str, end: str, pos: int) -> int:
    found = text.find(end, pos)
    return len(text) if found < 0 else found + len(end)


def _declaration_end(text: str, pos: int) -> int:
    """Just past the `>` that closes a declaration (a DOCTYPE and its whole internal subset)."""
    depth = 0
    while match := _MARKUP.search(text, pos):
        token, pos = match.group(), match.end()
        if token in ('"', "'"):
            pos = _after(text, token, pos)
        elif token == "<!--":
            pos = _after(text, "-->", pos)
        elif token == "<?":
            pos = _after(text, "?>", pos)
        elif token == "[":
            depth += 1
        elif token == "]":
            depth = max(0, depth - 1)
        elif depth == 0:
            return pos
    return len(text)


def _readings(body: bytes, content_type: str) -> list[str]:
    names = ["latin-1"]  # every byte is a character: markup in any ASCII-compatible encoding reads as itself
    names += [name for mark, name in _BYTE_ORDER_MARKS if body.startswith(mark)][:1]
    names += [name for first, name in _FIRST_BYTES if body.startswith(first)]
    declared, charset = _DECLARED.search(body[:1024]), _CHARSET.search(content_type)
    names += [declared.group(1).decode("ascii")] if declared else []
    names += [charset.group(1)] if charset else []
    texts = [body.decode("latin-1")]
    for name in dict.fromkeys(names[1:]):
        try:
            codec = codecs.lookup(name).name
            if not _reads_ascii_as_itself(codec):
                texts.append(body.decode(codec, errors="replace"))
        except (LookupError, UnicodeError, ValueError):
            continue  # an encoding Python does not know is one no parser here reads either
    return texts
