"""Kibana links carry rison that Kibana parses back to the query that was meant, whatever the run id holds."""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest

from pipeline.local.es_node import free_port
from pipeline.ops.kibana import KibanaError, import_objects
from pipeline.ops.links import discover_stories_url, rison_string


def test_quotes_and_bangs_are_escaped_inside_the_rison_string():
    link = discover_stories_url("http://kibana:5601", run_id="manual__it's!now")
    app_state = unquote(link.split("&_a=", 1)[1])
    assert "query:'run_id:\"manual__it!'s!!now\"'" in app_state  # the escapes are in the link, not lost before it
    assert rison_string("a'b!c") == "'a!'b!!c'"


def test_the_kibana_wait_retries_until_its_deadline():
    began = time.monotonic()
    with pytest.raises(KibanaError, match="Kibana is not reachable"):
        import_objects(f"http://127.0.0.1:{free_port()}", wait=4)
    assert 3 <= time.monotonic() - began < 20  # retried (every 3 s) rather than failing at once
