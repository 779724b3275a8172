"""Secrets out of anything Newswatch shows: URL passwords and secret query values masked in any text or log record.

Operators put credentials where their tools accept them: `http://elastic:pw@es:9200`, a feed at
`https://user:pw@host/rss?apikey=...`. Those URLs travel into logs, error messages, pages and
alerts; everything that shows text to a person passes it through `redact` first, and
`install_log_redaction` does it for every log record, whichever module logged it.
"""

from __future__ import annotations

import logging
import re
import traceback

MASK = "***"
# scheme://userinfo@ — the userinfo runs to the last "@" before the path, query or fragment
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^\s/?#'\"<>]*@", re.IGNORECASE)
# a parameter whose name ends like a secret (apikey, api_key, access_token, client_secret, X-Amz-Signature …);
# after "?", "&", ";" (also "&amp;" in HTML) or at the start of a word, so `token=…` in plain text goes too
_SECRET_NAME = r"[\w.-]*(?:key|token|secret|password|passwd|pwd|pass|sig|signature|auth|authorization|credentials?|jwt)s?"
# the value stops where a URL would in text: at a separator, a quote or a closing bracket ("(url): reason")
_SECRET_PARAM = re.compile(rf"(?P<name>(?:^|(?<=[?&;\s]))(?:{_SECRET_NAME}))=(?P<value>[^&#\s'\"<>()\[\]{{}},;|\\]+)",
                           re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every URL's user and password, and the values of secret-looking parameters, masked.

    `https://u:p@host/feed?apikey=k&page=2` → `https://***@host/feed?apikey=***&page=2`: the host and
    the harmless parameters stay, so an operator still sees which feed or server a message is about.
    """
    if "@" not in text and "=" not in text:  # the common case, cheaply
        return text
    return _SECRET_PARAM.sub(rf"\g<name>={MASK}", _USERINFO.sub(rf"\g<scheme>{MASK}@", text))


# any query value in a URL (after "?", "&" or ";"), whatever its parameter's name
_QUERY_VALUE = re.compile(r"(?P<name>(?<=[?&;])[\w.%-]+)=(?P<value>[^&#\s'\"<>()\[\]{},;|\\]+)")
# a value too plain to be a credential: a word ("rss", "en-gb", "top_stories") or a small number (a page, a year)
_PLAIN_VALUE = re.compile(r"[a-z][a-z_-]{0,23}|\d{1,8}")  # lower case: a token of letters only is mixed case


def redact_all_query_values(text: str) -> str:
    """`redact`, and every query value that is not a plain word or small number masked too, whatever its name.

    For what every Airflow user sees (the feed health page and its API): a private feed's token may sit in a
    parameter named anything (`?u=3f9ac…`, `?code=…`, `?hash=…`), which `redact`, used on logs and alert links
    that must stay clickable, cannot tell from an article id. Here a feed is known by its id and outlet, so an
    unknown value is cheaper masked than shown.
    """
    def mask(match: re.Match[str]) -> str:
        value = match.group("value")
        return match.group(0) if value == MASK or _PLAIN_VALUE.fullmatch(value) else f"{match.group('name')}={MASK}"
    text = redact(text)
    return _QUERY_VALUE.sub(mask, text) if "=" in text else text


def public_link(url: str) -> str:
    """A URL to show as a link: redacted, and with no userinfo at all (a browser would offer to log in as `***`)."""
    return redact(url).replace(f"://{MASK}@", "://", 1)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (and a traceback that would show a secret) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler reports it, as it would without us
            return True
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            trace = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            if redact(trace) != trace:  # the traceback itself would leak: it becomes redacted text
                clean, record.exc_info, record.exc_text = f"{clean}\n{redact(trace)}", None, None
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Add the redacting filter to every handler of `logger` (default: the root), once.

    Call it after logging is configured (the CLI does, and so does each DAG task): filters on a
    handler see the records of every module, while a logger's own filters see only its own.
    """
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
