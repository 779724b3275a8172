"""Which alert channels may be used: the environment variables a channel may expand, the hosts it may reach.

A channel is an Apprise URL written in `config/alerts.yaml`, so whoever can edit that file could
otherwise read any secret of the process into a URL (`${AIRFLOW__API_AUTH__JWT_SECRET}`) or make
the workers post to the cloud metadata service or a database port (`json://169.254.169.254/`). Both
are closed here: variables by an allow-list (`NEWSWATCH_ALERTS__CHANNEL_VARIABLES`), hosts by the
same outbound policy as feeds (`NEWSWATCH_FETCH__ALLOW`).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import logging
import socket
from collections.abc import Iterable
from typing import Any

from pipeline.ingest.outbound import IPAddress, OutboundPolicy

# Email goes to the operator's own relay, private by nature (Mailpit in the Docker stack, 127.0.0.1 by
# default in config/alerts.yaml) and spoken to in SMTP: the host check is for the services that post
# over HTTP to a host the channel names.
RELAY_SCHEMES = frozenset({"mailto", "mailtos"})
# Services whose URL names no host and that post to their own fixed public address (Slack's hooks.slack.com,
# Discord's discord.com …). Any other service without a host in its URL builds one Newswatch cannot see
# (Zulip posts to the "organisation" itself when it holds a dot: a name resolving to the metadata service), so
# it is refused: a channel reaches either a checked host or one of these.
FIXED_ADDRESS_SCHEMES = frozenset({
    "slack", "discord", "tgram", "pover", "pbul", "gchat", "webex", "wxteams", "twilio", "pagerduty", "opsgenie",
    "sendgrid", "signl4", "victorops", "ifttt", "line", "spush", "sns", "ses", "postmark", "resend", "brevo",
})


def allowed_variable(name: str, patterns: Iterable[str]) -> bool:
    """Whether a channel may expand `${name}`: `patterns` are names, or prefixes ending in `*`."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def instantiate(url: str) -> Any:
    """Apprise's service for a URL, or None when Apprise cannot use it.

    Apprise's own warnings about a URL it refuses quote the token in clear ("An invalid Slack Token (s3cr…)
    was specified"), and every alerts run checks the subscriptions: they are kept out of the logs; the caller
    reports the problem with the file and key and the URL redacted."""
    import apprise

    logger = logging.getLogger("apprise")
    before, logger.disabled = logger.disabled, True
    try:
        return apprise.Apprise.instantiate(url)
    finally:
        logger.disabled = before


def channel_host(url: str) -> str | None:
    """The host a channel's service connects to, when the URL names it (`json://host/…`, `ntfy://host/…`).

    None for services at a fixed public address (Slack, Discord, Telegram: their URLs hold tokens
    where a host would be, which must not go to DNS), for email relays and for URLs Apprise rejects.
    """
    if url.split("://", 1)[0].lower() in RELAY_SCHEMES:
        return None
    plugin = instantiate(url)
    if plugin is None or "host" not in getattr(type(plugin), "template_tokens", {}):
        return None
    host = getattr(plugin, "host", None)
    return host.strip("[]") if isinstance(host, str) and host else None


def unchecked_service(url: str) -> str | None:
    """Why a channel's service cannot be held to the outbound policy (it builds its host from other parts of the
    URL), or None."""
    scheme = url.split("://", 1)[0].lower()
    plugin = instantiate(url) if scheme not in RELAY_SCHEMES | FIXED_ADDRESS_SCHEMES else None
    if plugin is None or "host" in getattr(type(plugin), "template_tokens", {}):
        return None
    if _protocols(plugin) & FIXED_ADDRESS_SCHEMES:  # a service's own web address ("https://hooks.slack.com/…")
        return None
    return (f"the {scheme} service connects to a host its URL does not name, which cannot be checked (channels may "
            f"be email, a service with a host in its URL, or {', '.join(sorted(FIXED_ADDRESS_SCHEMES))})")


def _protocols(plugin: Any) -> set[str]:
    """The schemes an Apprise service answers to (`protocol`, `secure_protocol`: a name or a tuple of them)."""
    names: set[str] = set()
    for attr in ("protocol", "secure_protocol"):
        value = getattr(type(plugin), attr, None)
        names |= {value} if isinstance(value, str) else set(value or ())
    return {n.lower() for n in names}


def channel_refusal(url: str, policy: OutboundPolicy) -> str | None:
    """Why the policy forbids the channel's host (an IP literal, or a name resolving to a loopback, private,
    link-local or reserved address), or None when it may be reached."""
    host = channel_host(url)
    if host is None:
        return unchecked_service(url)
    literal = _literal(host)
    for address in [literal] if literal is not None else _resolved(host):
        reason = policy.refusal(host, address)
        if reason:
            return reason.replace(f"{host} resolves to", f"{host} is") if literal is not None else reason
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None


def _resolved(host: str) -> list[IPAddress]:
    """Every address the name resolves to (a name that does not resolve reaches nothing: delivery fails alone)."""
    try:
        answers = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]
