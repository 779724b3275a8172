"""Links from operator tools into Kibana, built in one place so the plugin and the CLI agree."""

from __future__ import annotations

from urllib.parse import quote

from pipeline.redact import public_link


def kibana_id(object_id: str, prefix: str) -> str:
    """A saved object's id, or a data view's, for an index prefix: `kibana-setup` imports them so
    (`pipeline.ops.kibana.for_prefix`), a deployment's own beside another's in one Kibana."""
    return f"{prefix}-{object_id.removeprefix('newswatch-')}" if object_id.startswith("newswatch-") else object_id


def discover_stories_url(base: str, run_id: str | None = None, feed_id: str | None = None,
                         prefix: str = "newswatch") -> str:
    """Kibana Discover on the stories data view (of the index prefix), filtered to one poll run or one feed.

    `run_id` is a real id, never Airflow's `{RUN_ID}` placeholder: earlier Airflow 3 UIs fill that in unencoded
    (3.3.2's encodes it), and the `+` of a scheduled run's id then read as a space in Kibana (the plugin's link
    goes through the health app's `/kibana/run_id/…` instead). A password in `base` (NEWSWATCH_KIBANA_URL) stays
    out of the link: every user of the page would see it.
    """
    query = f'run_id:"{run_id}"' if run_id else f'feed_id:"{feed_id}"' if feed_id else ""
    app_state = (f"(dataSource:(dataViewId:{rison_string(f'{prefix}-stories')},type:dataView),"
                 f"query:(language:kuery,query:{rison_string(query)}))")
    global_state = "(time:(from:now-30d,to:now))"
    return (f"{public_link(base).rstrip('/')}/app/discover#/?_g={quote(global_state, safe='():,')}"
            f"&_a={quote(app_state, safe='():,{}')}")


def rison_string(value: str) -> str:
    """A rison string literal: quoted, with `!` and `'` escaped by `!` (before the URL is built, where it counts)."""
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def dashboard_url(base: str, dashboard_id: str, prefix: str = "newswatch") -> str:
    """A Kibana dashboard by id (`pipeline.ops.kibana`), without the password `base` may carry."""
    return f"{public_link(base).rstrip('/')}/app/dashboards#/view/{quote(kibana_id(dashboard_id, prefix), safe='')}"
