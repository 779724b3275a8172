"""The weekly retraining on labels + analysts' verdicts: shipped only when better on held-out items, and the
stories the analysts rejected no longer match; weak rule terms get a proposed exclusion."""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pipeline.alerts.feedback import record_feedback
from pipeline.config import load_topics
from pipeline.ops.retrain import retrain
from pipeline.settings import PROJECT_ROOT
from pipeline.store.documents import Story
from pipeline.topics.relevance import load_relevance
from pipeline.topics.rules import match_topics

SHARED = PROJECT_ROOT.parent / "shared" / "data"
# off topic by the labelling guide (deportation as the end of a crime story, the kind an analyst rejects
# again and again), yet the rules fire on them
REJECTED = [("Jailed fraudster to be deported after prison sentence ends",
             "The fraudster, jailed for stealing pension savings, will be deported once his prison sentence ends."),
            ("Jailed robber to be deported after prison sentence, judge rules",
             "The robber, jailed for raids on jewellers, will be deported when his prison sentence ends."),
            ("Jailed drug dealer deported after prison sentence for cannabis farm",
             "The dealer, jailed for running a cannabis farm, was deported after his prison sentence ended.")]


def feedback_config(tmp_path: Path) -> Path:
    """The shipped rules, frames and model, the model's labelled files cut to the BBC/CNN set (fast)."""
    config = tmp_path / "config"
    (config / "models").mkdir(parents=True)
    for name in ("topics.yaml", "frames.yaml", "feeds.yaml"):
        shutil.copy(PROJECT_ROOT / "config" / name, config)
    model = json.loads((PROJECT_ROOT / "config" / "models" / "asylum-border.json").read_text())
    model["trained_on"] = [str(SHARED / "topics-dev.jsonl")]
    (config / "models" / "asylum-border.json").write_text(json.dumps(model))
    return config


def rejected_stories() -> list[Story]:
    now = datetime.now(UTC)
    return [Story(story_id=f"rejected-{n}", title=title, summary=summary, url=f"https://news.example.org/r{n}",
                  canonical_url=f"https://news.example.org/r{n}", feed_id="f", outlet="Example News", language="en",
                  country="GB", published=now, ingested=now, run_id="r", topics=["asylum-border"],
                  matched_terms=["deported"], enriched=True, enriched_at=now)
            for n, (title, summary) in enumerate(REJECTED)]


def matching(config: Path, title: str, summary: str) -> bool:
    model = load_relevance(config, "asylum-border")
    assert model is not None
    topics = load_topics(config / "topics.yaml")
    return bool(match_topics(f"{title}\n{summary}", topics, "en", {"asylum-border": model}))


def test_feedback_retrains_the_model_only_when_better(store, settings, tmp_path):
    config = feedback_config(tmp_path)
    conf = settings.replace(config_dir=config)
    assert all(matching(config, t, s) for t, s in REJECTED)  # the model in use keeps them
    lines: list[str] = []
    unchanged = retrain(store, conf, log=lines.append)  # no feedback yet: nothing to ship
    assert not unchanged.shipped and unchanged.feedback_items == 0
    store.write_stories(rejected_stories())
    for n in range(3):
        record_feedback(store, f"rejected-{n}", "irrelevant", "asylum-border", "analyst")
    result = retrain(store, conf, log=lines.append)
    assert result.shipped and result.candidate_errors < result.current_errors, lines
    assert any(line.startswith("shipped") and "fewer held-out errors" in line for line in lines)
    assert not any(matching(config, t, s) for t, s in REJECTED)
    assert matching(config, "Asylum seekers held at Manston processing centre",
                    "The Home Office said conditions at the site would improve.")  # still on topic
    assert result.proposals and "'deported'" in result.proposals[0]


def test_retraining_refuses_when_the_labelled_files_are_missing(store, settings, tmp_path):
    config = feedback_config(tmp_path)
    path = config / "models" / "asylum-border.json"
    model = json.loads(path.read_text())
    path.write_text(json.dumps({**model, "trained_on": [str(tmp_path / "gone.jsonl")]}))
    try:
        retrain(store, settings.replace(config_dir=config))
    except ValueError as error:
        assert "gone.jsonl" in str(error) and "trained_on" in str(error)
    else:
        raise AssertionError("a model was retrained without its labelled files")


def test_a_language_the_model_was_not_trained_for_is_judged_by_the_rules_alone():
    """As `match_topics` decides it: a veto the model never applies to French items cannot earn a candidate."""
    from pipeline.ops.retrain import _errors
    from pipeline.topics.train import Labelled, features

    model = load_relevance(PROJECT_ROOT / "config", "asylum-border")
    text = "Le club de football a battu son rival 3-0 samedi soir devant ses supporters."
    assert model is not None and "fr" not in model.languages
    assert model.score_features(features(text)) < model.veto  # the model would veto it, were it asked
    on = Labelled("fr-1", text, "on", "feedback", language="fr", rules=True, features=features(text))
    off = Labelled("fr-2", text, "off", "feedback", language="fr", rules=True, features=features(text))
    assert _errors(model, [on]) == 0.0 and _errors(model, [off]) == off.weight  # the rules keep both


def test_a_model_replaced_while_the_retrain_compared_is_not_overwritten(store, settings, tmp_path):
    from pipeline.topics.relevance import model_path

    config = feedback_config(tmp_path)
    path = model_path(config, "asylum-border")
    store.write_stories(rejected_stories())
    for n in range(3):
        record_feedback(store, f"rejected-{n}", "irrelevant", "asylum-border", "analyst")
    trained_meanwhile = json.dumps(json.loads(path.read_text()), indent=1)  # a `topics-train` run's model

    def log(line: str) -> None:
        if "held-out errors (weighted)" in line:  # after the comparison, before shipping
            path.write_text(trained_meanwhile)

    result = retrain(store, settings.replace(config_dir=config), log=log)
    assert result.candidate_errors < result.current_errors and not result.shipped
    assert path.read_text() == trained_meanwhile


def test_the_model_in_use_is_never_judged_on_feedback_it_was_fitted_on(store, settings, tmp_path):
    """After a shipped retrain the model in use has seen the feedback: judged as it is, it would make no
    mistake on those items while the candidate is judged without each, and no candidate could replace it."""
    from pipeline.topics.relevance import model_path

    config = feedback_config(tmp_path)
    conf = settings.replace(config_dir=config)
    store.write_stories(rejected_stories())
    for n in range(3):
        record_feedback(store, f"rejected-{n}", "irrelevant", "asylum-border", "analyst")
    assert retrain(store, conf, log=lambda line: None).shipped
    shipped = json.loads(model_path(config, "asylum-border").read_text())
    assert shipped["cross_validation"]["retrained"]["feedback"] == {f"rejected-{n}": "off" for n in range(3)}
    assert shipped["trained_on"] == ["../shared/data/topics-dev.jsonl"]  # means the same in any checkout or image
    again = retrain(store, conf, log=lambda line: None)  # nothing new: the same recipe on the same items
    assert again.current_errors == again.candidate_errors and not again.shipped
    del shipped["cross_validation"]["retrained"]["feedback"]  # shipped by a retrain that kept no map: it saw the
    model_path(config, "asylum-border").write_text(json.dumps(shipped))  # verdicts given before it was saved
    older = retrain(store, conf, log=lambda line: None)
    assert older.current_errors == older.candidate_errors and not older.shipped


def test_a_model_replaced_while_the_candidate_was_fitted_is_not_overwritten(store, settings, tmp_path, monkeypatch):
    import pipeline.ops.retrain as retraining
    from pipeline.topics.relevance import model_path

    config = feedback_config(tmp_path)
    path = model_path(config, "asylum-border")
    store.write_stories(rejected_stories())
    for n in range(3):
        record_feedback(store, f"rejected-{n}", "irrelevant", "asylum-border", "analyst")
    trained_meanwhile = json.dumps(json.loads(path.read_text()), indent=1)
    compared, fit = [], retraining.fit

    def finishing_meanwhile(*args, **kwargs):  # a `topics-train` run finishes while the candidate is fitted
        if compared:
            path.write_text(trained_meanwhile)
        return fit(*args, **kwargs)

    monkeypatch.setattr(retraining, "fit", finishing_meanwhile)
    result = retrain(store, settings.replace(config_dir=config),
                     log=lambda line: compared.append(line) if "held-out errors (weighted)" in line else None)
    assert result.candidate_errors < result.current_errors and not result.shipped
    assert path.read_text() == trained_meanwhile and [p.name for p in path.parent.iterdir() if p.suffix == ".new"] == []


def test_one_writer_of_a_model_at_a_time_and_a_broken_file_names_itself(tmp_path):
    """`topics-train` and the retrain's compare-then-ship take the same lock; a model file cut short or from
    another version is a ConfigError naming it, not a traceback in every poll worker."""
    import threading
    import time

    import pytest

    from pipeline.errors import ConfigError
    from pipeline.topics.relevance import load_relevance, model_lock, model_path

    path = model_path(tmp_path, "asylum-border")
    entered: list[float] = []

    def take_it() -> None:
        with model_lock(path):
            entered.append(time.monotonic())

    with model_lock(path):
        other = threading.Thread(target=take_it)
        other.start()
        time.sleep(0.3)
        assert entered == []  # still waiting
        released = time.monotonic()
    other.join(5)
    assert entered and entered[0] >= released
    path.write_text('{"topic": "asylum-border", "weights": {')
    with pytest.raises(ConfigError, match=r"asylum-border\.json: \(model\): not a relevance model"):
        load_relevance(tmp_path, "asylum-border")
    path.write_text('{"topic": "asylum-border", "weights": {}, "bias": 0.0, "colour": "red"}')
    with pytest.raises(ConfigError, match="colour"):
        load_relevance(tmp_path, "asylum-border")


def test_the_retrain_judges_a_model_as_production_does_with_rule_terms_it_never_saw():
    """`match_topics` never vetoes an `any` term the model was not trained on: judged without that, the model in
    use was credited with vetoes it never makes, and feedback on such stories could ship nothing."""
    from pipeline.ops.retrain import _errors
    from pipeline.topics.train import Labelled, features

    model = load_relevance(PROJECT_ROOT / "config", "asylum-border")
    text = "Council to resurface Larchmere Lane over the summer, with lane closures planned for July."
    assert model is not None and model.signals and model.score_features(features(text)) < model.veto
    new_term = Labelled("f-1", text, "off", "feedback", rules=True, features=features(text), any_terms=["Larchmere"])
    known = Labelled("f-2", text, "off", "feedback", rules=True, features=features(text), any_terms=["Calais"])
    assert model.knows(["Calais"]) and not model.knows(["Larchmere"])
    assert _errors(model, [new_term]) == new_term.weight  # production keeps it: a wrong verdict
    assert _errors(model, [known]) == 0.0  # vetoed, as production does


def test_the_model_in_use_is_judged_with_its_own_frames_after_frames_yaml_changed(store, settings, tmp_path,
                                                                                   monkeypatch):
    """Production scores with the frames a model was trained with (`model.frames`); judged with an edited
    `frames.yaml`, the model in use was charged with verdicts it never gives."""
    import pipeline.ops.retrain as retraining
    from pipeline.topics.signals import load_frames
    from pipeline.topics.train import Labelled, prepare

    config = feedback_config(tmp_path)
    frames_file = config / "frames.yaml"
    edited = frames_file.read_text().replace("  crime: [murder*, jailed, ", "  crime: [murder*, ")  # the texts say jailed
    assert edited != frames_file.read_text()
    frames_file.write_text(edited)
    store.write_stories(rejected_stories())
    for n in range(3):
        record_feedback(store, f"rejected-{n}", "irrelevant", "asylum-border", "analyst")
    current = load_relevance(config, "asylum-border")
    assert current is not None and current.signals
    judged: list[Labelled] = []
    errors = retraining._errors

    def recording(model, items):
        if model is current:
            judged.extend(items)
        return errors(model, items)

    monkeypatch.setattr(retraining, "_errors", recording)
    retrain(store, settings.replace(config_dir=config), log=lambda line: None)
    assert sorted(i.id for i in judged) == [f"feedback-rejected-{n}" for n in range(3)]
    own = [Labelled(i.id, i.text, i.label, i.outlet, language=i.language) for i in judged]
    prepare(own, load_topics(config / "topics.yaml"), "asylum-border", current.frames)
    assert [i.features for i in judged] == [i.features for i in own]
    today = [Labelled(i.id, i.text, i.label, i.outlet, language=i.language) for i in judged]
    prepare(today, load_topics(config / "topics.yaml"), "asylum-border", load_frames(frames_file, "asylum-border"))
    assert [i.features for i in today] != [i.features for i in own]  # the edit matters to these texts


def test_cross_validation_judges_a_fold_as_production_does_with_rule_terms_it_never_saw():
    """`topics-train` chose veto and rescue counting vetoes production never makes (an `any` term the fold's
    model was not trained on), so the weekly retrain inherited them."""
    from pipeline.topics.train import Labelled, _judge, features

    model = load_relevance(PROJECT_ROOT / "config", "asylum-border")
    text = "Council to resurface Larchmere Lane over the summer, with lane closures planned for July."
    assert model is not None and model.score_features(features(text)) < 0.02
    new_term = Labelled("n", text, "on", "x", rules=True, features=features(text), any_terms=["Larchmere"])
    known = Labelled("k", text, "on", "x", rules=True, features=features(text), any_terms=["Calais"])
    assert all(recall == 1.0 for _, recall, _ in _judge(model, [new_term]).values())  # never vetoed
    assert min(recall for _, recall, _ in _judge(model, [known]).values()) == 0.0  # vetoed where the veto is high
