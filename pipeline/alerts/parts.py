"""The parts of a channel whose delivery is tracked one by one: each recipient or target on its own.

Apprise sends each target of a channel (an email's recipients, Slack channels, Matrix rooms, SNS phones,
Rocket.Chat channels and rooms) a message of its own but reports the channel failed when one of them refuses:
tracked as one, every retry sent the alert again to the targets that had it (a Matrix room the bot was removed
from had the other room get every alert some fifty times over two days). So a channel is one part per target,
each with a URL of its own; a channel whose targets cannot be written one to a URL is refused where the
subscriptions are loaded (`unsplittable`), never tracked whole.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.alerts.channels import instantiate

# the target lists the first per-target keys were made from: their parts keep the keys records already hold
_FIRST_KEYED = ("targets", "channels", "topics")


def channel_key(url_template: str) -> str:
    """A stable name for a channel that does not contain its secrets."""
    return hashlib.sha256(url_template.encode()).hexdigest()[:12]


def channel_parts(template: str, url: str) -> list[tuple[str, str]]:
    """The parts of a channel whose delivery is tracked one by one, each (key, URL); a channel with one target
    is itself, under the key it always had.

    An email channel is one part per recipient, to, cc and bcc alike; any other channel one per target (Slack
    channels, Telegram chats, ntfy topics, Matrix rooms …), whatever list its service keeps them in."""
    from apprise.plugins.email import NotifyEmail

    key = channel_key(template)
    server = instantiate(url)
    if server is None:
        return [(key, url)]  # Apprise cannot use it: `send` says so
    if not isinstance(server, NotifyEmail):
        return _target_parts(key, server) or [(key, url)]  # None: refused at load (`unsplittable`)
    # cc and bcc are recipients of their own: riding with the first, they were mailed again each time it bounced
    recipients = [*server.targets, *(("", a) for a in sorted(server.cc)), *(("", a) for a in sorted(server.bcc))]
    if len(recipients) < 2:
        return [(key, url)]
    parts = []
    for target in dict.fromkeys(recipients):
        server.targets, server.cc, server.bcc = [target], set(), set()
        parts.append((f"{key}:{hashlib.sha256(target[1].lower().encode()).hexdigest()[:8]}", server.url(privacy=False)))
    return parts


def unsplittable(url: str) -> str | None:
    """Why a channel's targets cannot be tracked one by one (several, and its service's URL cannot be written
    for one alone), or None."""
    from apprise.plugins.email import NotifyEmail

    server = instantiate(url)
    if server is None or isinstance(server, NotifyEmail) or _target_parts("", server) is not None:
        return None
    return (f"the {url.split('://', 1)[0]} channel has {_targets(server)} targets, which cannot be written one to a "
            "URL: a failure at one would send every retry to the others again; write one channel per room or target")


def _target_parts(key: str, server: Any) -> list[tuple[str, str]] | None:
    """One part per target of a channel, each with a URL for it alone; none for a channel with one target (it is
    one part, as written), and None for one with several that cannot be written one to a URL."""
    total = _targets(server)
    if total < 2:
        return []
    lists = {name: getattr(server, name) for name in _target_lists(server, total)}
    parts = []
    for name, targets in lists.items():
        for target in {repr(t): t for t in targets}.values():  # a target written twice is one part
            for other, values in lists.items():
                setattr(server, other, type(values)())
            setattr(server, name, type(targets)([target]))
            one = server.url(privacy=False)
            alone = instantiate(one)
            if alone is None or _targets(alone) != 1:  # the target did not survive alone, or others rode along
                return None
            tag = repr(_tuple(target)) if name in _FIRST_KEYED else repr((name, _tuple(target)))
            parts.append((f"{key}:{hashlib.sha256(tag.encode()).hexdigest()[:8]}", one))
    return parts or None


def _targets(server: Any) -> int:
    """How many targets a service sends to: its `len` counts each once per `?retry=` attempt as well."""
    return len(server) // (int(getattr(server, "retry", 0) or 0) + 1)


def _target_lists(server: Any, total: int) -> list[str]:
    """The attributes a service keeps its targets in: the lists whose emptying lowers its own count of them
    (`rooms` and `users` for Matrix, `phone` and `topics` for SNS …), whatever the plugin names them."""
    names = []
    for name, values in list(vars(server).items()):
        if not isinstance(values, (list, set)) or not values:
            continue
        setattr(server, name, type(values)())
        try:
            if _targets(server) < total:
                names.append(name)
        except Exception:  # a list the plugin's count cannot do without is not a list of targets
            pass
        finally:
            setattr(server, name, values)
    return names


def _tuple(target: Any) -> Any:
    """A target as the first per-target keys wrote it (a list target as a tuple)."""
    return tuple(target) if isinstance(target, list) else target
