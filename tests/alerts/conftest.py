"""The alerts tests' real receivers: an SMTP server (aiosmtpd) on 127.0.0.1, and the permission to reach it."""

from __future__ import annotations

import email
from email.message import Message as EmailMessage

import pytest
from aiosmtpd.controller import Controller

from pipeline.local.es_node import free_port


class Inbox:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.controller: Controller | None = None
        self.refused: set[str] = set()  # addresses answered "550 no such mailbox"
        self.delivered: list[str] = []  # one recipient per accepted message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd handler hook
        if address in self.refused:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        self.delivered += envelope.rcpt_tos
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=newswatch@localhost&to={to}"


@pytest.fixture(autouse=True)
def local_receivers(monkeypatch):
    """The SMTP server and the webhook listen on 127.0.0.1, which a channel may reach only when allowed."""
    monkeypatch.setenv("NEWSWATCH_FETCH__ALLOW", "127.0.0.1")


@pytest.fixture
def inbox():
    box = Inbox()
    box.start()
    yield box
    box.stop()
