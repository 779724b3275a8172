"""Links from operator tools into Kibana, built in one place so the plugin and the CLI agree."""

from __future__ import annotations

from urllib.parse import quote


def discover_stories_url(base: str, run_id: str | None = None, data_view: str = "newswatch-stories") -> str:
    """Kibana Discover on the stories data view, filtered to one poll run when `run_id` is given.

    `run_id` may be Airflow's `{RUN_ID}` placeholder, which the UI fills in per run.
    """
    query = f'run_id:"{run_id}"' if run_id else ""
    app_state = (f"(dataSource:(dataViewId:'{data_view}',type:dataView),"
                 f"query:(language:kuery,query:'{query}'))")
    global_state = "(time:(from:now-30d,to:now))"
    return (f"{base.rstrip('/')}/app/discover#/?_g={quote(global_state, safe='():,')}"
            f"&_a={quote(app_state, safe='():,{}')}")
