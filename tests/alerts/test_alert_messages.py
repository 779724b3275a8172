"""Alert messages: whatever a story says, a message never pings a whole Discord server or Slack channel."""

from __future__ import annotations

from datetime import UTC, datetime

import apprise

from pipeline.alerts.delivery import send
from pipeline.alerts.messages import digest, story_alert
from pipeline.store.documents import Story


def loud_story() -> Story:
    now = datetime.now(UTC)
    return Story(story_id="s", title="@everyone Roxham Road @here", url="https://news.example.org/s",
                 canonical_url="https://news.example.org/s", feed_id="f", outlet="@here news", language="en",
                 country="CA", published=now, ingested=now, run_id="r", topics=["asylum-border"],
                 summary="Asylum seekers at Roxham Road. @Everyone should read this, @HERE and now.")


def test_mass_mentions_are_defused_in_every_message(webhook):
    discord = apprise.Apprise.instantiate("discord://1234567890/abcdefghijklmnop")
    for message in (story_alert(loud_story(), ["@everyone outlet"], "desk"), digest([(loud_story(), [])], "desk", "now")):
        text = message.title + message.html
        assert "everyone" in text.lower() and "@everyone" not in text.lower() and "@here" not in text.lower()
        assert discord.ping_payload(message.title, message.html) == {}  # Discord would ping nobody
        send(webhook.url, message, allow=("127.0.0.1",))
    for payload in webhook.received:  # the generic webhook's JSON too
        assert "@everyone" not in str(payload).lower() and "@here" not in str(payload).lower()
    assert len(webhook.received) == 2


def test_a_storys_mentions_and_masked_links_reach_discord_as_plain_text():
    """Escaped in the HTML, "<@…>" and "[text](url)" came back whole once Apprise made Markdown of it for Discord:
    a user or role pinged, a phishing link shown in place of the story's."""
    from apprise.conversion import html_to_markdown

    now = datetime.now(UTC)
    story = Story(story_id="s", title="Border update [Verify your account](https://evil.example/login) <@&123456789012345678>",
                  url="https://news.example.org/s", canonical_url="https://news.example.org/s", feed_id="f",
                  outlet="News", language="en", country="CA", published=now, ingested=now, run_id="r",
                  topics=["asylum-border"], summary="Roxham Road, said <@987654321098765432> in <#1234567890>.")
    discord = apprise.Apprise.instantiate("discord://1234567890/abcdefghijklmnop")
    for message in (story_alert(story, [], "desk"), digest([(story, [])], "desk", "now")):
        body = html_to_markdown(message.html)
        assert discord.ping_payload(message.title, body) == {}
        assert "](https://evil" not in message.title + body and "Verify your account" in message.title + body


def test_defusing_a_storys_mentions_leaves_its_links_whole():
    """"@45.50" in a maps link, "@60minutes" in a channel's address: the links must still lead there."""
    from pipeline.alerts.messages import Message

    html = ('<p><a href="https://www.google.com/maps/@45.50,-73.56,15z">map</a> said &lt;@!123456789012345678&gt; '
            '<a href="https://www.youtube.com/@60minutes">video</a></p>')
    quiet = Message("<@!123456789012345678> title", html)
    assert 'href="https://www.google.com/maps/@45.50,-73.56,15z"' in quiet.html
    assert 'href="https://www.youtube.com/@60minutes"' in quiet.html
    assert "&lt;@!123" not in quiet.html and "<@!123" not in quiet.title


def test_a_story_link_that_would_ping_reaches_every_channel_percent_encoded(webhook):
    """Tags are left as written so links work; a link with "@everyone" or a Discord id in it must still ping
    nobody (Apprise reads mentions out of the Markdown it makes of the link)."""
    story = loud_story().model_copy(update={"url": "https://news.example.org/@everyone/s/@123456789012345678"})
    message = story_alert(story, [], "desk")
    assert "@everyone" not in message.html and "@123456789012345678" not in message.html
    assert "https://news.example.org/%40everyone/s/%40123456789012345678" in message.html
    send(webhook.url, message, allow=("127.0.0.1",))
    assert "@everyone" not in str(webhook.received).lower()


def test_a_storys_markup_in_a_title_is_no_link_in_any_channel(webhook):
    """Only the body was escaped: Telegram and Google Chat, which put the title into the HTML body, showed a story's
    "<a href=…>" (a title whose markup was encoded twice) as a live link."""
    now = datetime.now(UTC)
    story = Story(story_id="s", title='Rates <a href="https://evil.example">Reset password</a> <https://evil.example|now>',
                  url="https://news.example.org/s", canonical_url="https://news.example.org/s", feed_id="f",
                  outlet="News", language="en", country="CA", published=now, ingested=now, run_id="r",
                  topics=["asylum-border"], summary="Roxham Road.")
    message = story_alert(story, [], "desk")
    assert "<" not in message.title and ">" not in message.title and "Reset password" in message.title
    send(webhook.url, message, allow=("127.0.0.1",))
    [payload] = webhook.received
    assert '<a href="https://evil' not in str(payload) and "<https://evil" not in str(payload)
    assert "<" not in payload["title"]
