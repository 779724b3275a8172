"""One item a feed lists, and the key by which a later pass knows it has seen it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedItem:
    feed_id: str
    outlet: str
    language: str
    country: str
    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None

    @property
    def key(self) -> str:
        """What "seen before" is judged by: the GUID, or the link when there is none, without its scheme and a
        leading "www.": a site moving to https, or adding "www.", lists the same articles again, which were all
        stored a second time under their new address."""
        return _hashed(_SCHEME_AND_WWW.sub("", self.guid or self.link, count=1))

    @property
    def title_key(self) -> str:
        """The key with the title: a GUID a feed gives a new article again (a CMS reusing ids, a "latest" item)
        comes back under another title and is no longer taken for the article seen before. "t" marks it apart
        from the hexadecimal keys."""
        text = f"{_SCHEME_AND_WWW.sub('', self.guid or self.link, count=1)}\n{' '.join(self.title.lower().split())}"
        return "t" + _hashed(text)[:15]

    @property
    def former_key(self) -> str:
        """The key as feed states saved before the scheme was left out know the item by."""
        return _hashed(self.guid or self.link)


_SCHEME_AND_WWW = re.compile(r"^https?://(?:www\.)?", re.I)


def _hashed(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]
