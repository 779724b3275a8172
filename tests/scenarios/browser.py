"""The browser the UI tests drive: Debian's Chromium (no browser download), headless, logged in to Airflow."""

from __future__ import annotations

from typing import Any

from pipeline.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"  # the screenshots
CHROMIUM = "/usr/bin/chromium"
# nothing in the background reaches out: the tests never connect to anything but loopback
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def logged_in(playwright: Any, url: str, user: str, password: str, timeout_ms: int) -> tuple[Any, Any]:
    """A browser and its page on the Airflow UI at `url`, past the login form as a person fills it."""
    ARTIFACTS.mkdir(exist_ok=True)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/", timeout=timeout_ms)
    return browser, page
