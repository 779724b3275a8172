"""Signed feedback links for alert messages: "relevant" / "not relevant" that cannot be forged or replayed.

A link carries the story, the verdict, the topic, the subscriber it was sent to, an expiry and a nonce,
signed with HMAC-SHA256 under `NEWSWATCH_FEEDBACK__SECRET`. The page that receives it (the Airflow
plugin) checks the signature and the expiry here, then records the feedback with the nonce as its id, so
a second use of the same link is refused by the store (create-only), not by memory that a restart loses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pipeline.errors import NewswatchError
from pipeline.settings import FeedbackSettings

VERDICTS = ("relevant", "irrelevant")
_FIELDS = ("story", "verdict", "topic", "to", "expires", "nonce")


class FeedbackLinkError(NewswatchError):
    """A feedback link was forged, altered, expired or already used (the reason says which)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"feedback link refused: {reason}")


@dataclass(frozen=True)
class FeedbackClaim:
    """What a valid link says: this subscriber judged this story for this topic."""

    story: str
    verdict: str
    topic: str
    to: str
    expires: int
    nonce: str


def _signature(secret: str, values: dict[str, str]) -> str:
    message = "\n".join(f"{k}={values[k]}" for k in _FIELDS).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_link(base_url: str, secret: str, story: str, verdict: str, topic: str, to: str, now: datetime,
              ttl: timedelta, nonce: str | None = None) -> str:
    """The URL of a feedback link (`base_url?story=…&check=…`).

    The signature's parameter is `check`, not a name `pipeline.redact` masks in messages: a link is a
    one-use credential for one verdict, meant to be read by the subscriber it was sent to."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    values = {"story": story, "verdict": verdict, "topic": topic, "to": to,
              "expires": str(int((now + ttl).timestamp())), "nonce": nonce or secrets.token_urlsafe(12)}
    return f"{base_url}?{urlencode({**values, 'check': _signature(secret, values)})}"


def feedback_links(config: FeedbackSettings | None, story: str, topic: str, to: str, now: datetime) -> dict[str, str]:
    """verdict → signed link, for an alert message; {} when no secret is configured (no links then)."""
    if config is None or config.secret is None or not topic:  # a story on no topic: a verdict would teach nothing
        return {}
    secret = config.secret.get_secret_value()
    return {verdict: sign_link(config.base_url, secret, story, verdict, topic, to, now, timedelta(days=config.link_days))
            for verdict in VERDICTS}


def verify_link(params: dict[str, str], secret: str, now: datetime) -> FeedbackClaim:
    """The claim of a link whose signature holds and which has not expired; FeedbackLinkError otherwise.

    Replays are refused where the feedback is recorded (`pipeline.alerts.feedback.record_link_feedback`).
    """
    if any(not params.get(k) for k in (*_FIELDS, "check")):
        raise FeedbackLinkError("a field is missing")
    values = {k: params[k] for k in _FIELDS}
    if not hmac.compare_digest(_signature(secret, values).encode(), params["check"].encode()):  # any text: no TypeError
        raise FeedbackLinkError("the signature does not match")
    if values["verdict"] not in VERDICTS:
        raise FeedbackLinkError("unknown verdict")
    if not values["expires"].isdigit() or int(values["expires"]) < now.timestamp():
        raise FeedbackLinkError("the link has expired")
    return FeedbackClaim(values["story"], values["verdict"], values["topic"], values["to"], int(values["expires"]),
                         values["nonce"])
