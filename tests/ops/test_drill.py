"""The failover drill's own ending: a cluster still stopping is reported beside the figures, not raised over them."""

from __future__ import annotations

from pipeline.errors import LocalNodeError
from pipeline.ops import drill


def test_a_cluster_still_stopping_is_reported_and_fails_the_drill(monkeypatch, capsys):
    def still_stopping() -> bool:
        raise LocalNodeError("still stopping after 120 s (supervisor pid 4242)")

    monkeypatch.setattr(drill.cluster, "down", still_stopping)
    assert drill.stop_cluster() is False  # the drill's exit is 1; its figures were printed, not replaced
    assert "did not stop: still stopping after 120 s (supervisor pid 4242)" in capsys.readouterr().err
    monkeypatch.setattr(drill.cluster, "down", lambda: True)
    assert drill.stop_cluster() is True
