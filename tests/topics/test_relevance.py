"""The relevance model beside the rules: training, the combination chosen by cross-validation, and its use."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_topics
from pipeline.settings import PROJECT_ROOT
from pipeline.topics.relevance import RelevanceModel, features, load_relevance
from pipeline.topics.rules import match_topics
from pipeline.topics.train import cross_validate, fit, load_labelled, prepare

TOPICS = load_topics(PROJECT_ROOT / "config" / "topics.yaml")

# written for the test: on-topic items, off-topic items, and false friends sharing their words
ON = ["Asylum seekers wait months for a hearing as the backlog grows",
      "Government tightens rules for refugees arriving by small boat",
      "Families deported after their asylum claims were refused",
      "Border agents detain migrants crossing from Mexico at night"]
OFF = ["City council approves a new budget for road repairs",
       "Hockey team wins the championship after overtime goal",
       "Bakery opens a second shop downtown with long queues",
       "Storm knocks out power to thousands of homes overnight"]


def write_items(path: Path, outlet: str, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": f"{outlet}-{n}", "feed": outlet, "title": t, "description": "",
                                        "label": label, "sample": 2}) + "\n" for n, (t, label) in enumerate(rows)))
    return path


def test_features_fold_words_and_pair_them():
    assert features("Réfugiés at the Border 2022") == ["refugies", "at", "the", "border", "refugies_at", "at_the",
                                                        "the_border"]


def test_a_trained_model_scores_on_topic_items_higher(tmp_path):
    rows = [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3
    items = load_labelled([write_items(tmp_path / "a.jsonl", "A", rows)])
    prepare(items, TOPICS, "asylum-border")
    model = fit(items, "asylum-border")
    assert min(model.score(t) for t in ON) > max(model.score(t) for t in OFF)
    assert model.score("More asylum claims refused at the border") > model.score("Council budget for roads")


def test_the_policy_combines_rules_and_score():
    model = RelevanceModel("asylum-border", {"asylum": 4.0, "budget": -4.0}, 0.0, veto=0.1, rescue=0.95)
    assert model.keeps(True, 0.5) and not model.keeps(True, 0.05)  # a very low score vetoes the rules
    assert model.keeps(False, 0.97) and not model.keeps(False, 0.9)  # a very high one rescues a miss
    matched = match_topics("Asylum claims rise", TOPICS, "en", {"asylum-border": model})
    assert matched and matched[0].score and matched[0].score > 0.9 and matched[0].terms == ["asylum"]
    vetoed = RelevanceModel("asylum-border", {"asylum": -9.0}, 0.0, veto=0.1)
    assert match_topics("Asylum claims rise", TOPICS, "en", {"asylum-border": vetoed}) == []
    rescued = RelevanceModel("asylum-border", {"newcomers": 9.0}, 0.0, rescue=0.9)
    [kept] = match_topics("Newcomers settle in Halifax", TOPICS, "en", {"asylum-border": rescued})
    assert kept.hits == [] and kept.score > 0.9  # kept by the model alone: no rule terms, its score says why
    assert match_topics("Asylum claims rise", TOPICS, "fr", {"asylum-border": rescued}) == []  # no fr rules hit


def test_cross_validation_reports_each_outlet_and_fold(tmp_path):
    a = write_items(tmp_path / "a.jsonl", "A", [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3)
    b = write_items(tmp_path / "b.jsonl", "B", [(t, "on") for t in ON[::-1]] * 3 + [(t, "off") for t in OFF] * 3)
    items = load_labelled([a, b])
    prepare(items, TOPICS, "asylum-border")
    lines: list[str] = []
    summary = cross_validate(items, "asylum-border", k=3, log=lines.append)
    assert set(summary["by_outlet"]) == {"A", "B"} and summary["k_fold"]["k"] == 3
    assert sum(line.startswith("fold ") for line in lines) == 3 and lines[-1].startswith("chosen by")


def test_a_training_set_of_one_label_is_a_labels_error_naming_the_label_missing(tmp_path):
    """scikit-learn's refusal ("needs samples of at least 2 classes") reached the analyst as a traceback."""
    from pipeline.errors import LabelsError

    items = load_labelled([write_items(tmp_path / "a.jsonl", "A", [(t, "off") for t in OFF])])
    prepare(items, TOPICS, "asylum-border")
    with pytest.raises(LabelsError, match=r"asylum-border: the training items hold no on-topic item \(all 4 are off"):
        fit(items, "asylum-border")
    with pytest.raises(LabelsError, match="no on-topic item"):  # no fold at all could be scored
        cross_validate(items, "asylum-border", k=2, log=[].append)


def test_cross_validation_skips_a_fold_trained_on_one_label_and_says_so(tmp_path):
    """Every on-topic item in outlet A: leaving A out trained on B's off-topic items alone, and so did the model of
    B alone; both crashed the whole cross-validation instead of being skipped."""
    a = write_items(tmp_path / "a.jsonl", "A", [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3)
    b = write_items(tmp_path / "b.jsonl", "B", [(t, "off") for t in OFF[::-1]] * 3)
    items = load_labelled([a, b])
    prepare(items, TOPICS, "asylum-border")
    lines: list[str] = []
    summary = cross_validate(items, "asylum-border", k=3, log=lines.append)
    assert set(summary["by_outlet"]) == {"B"} and set(summary["one_outlet_to_another"]) == {"A → B"}
    assert summary["skipped"] == {"A": "its training items hold no on-topic item (all 12 are off topic)",
                                  "B alone": "its training items hold no on-topic item (all 12 are off topic)"}
    assert any(line.startswith("A ") and "skipped: its training items hold no on-topic item" in line for line in lines)
    assert sum(line.startswith("fold ") for line in lines) == 3 and lines[-1].startswith("chosen by the mean F1 over "
                                                                                         "the outlets left out")


def test_topics_train_on_one_file_without_outlets_is_chosen_by_the_k_folds(tmp_path):
    """One file, no feed or group: leave-one-outlet-out had nothing to train on and `topics-train` crashed."""
    one = tmp_path / "mine.jsonl"
    one.write_text("".join(json.dumps({"id": f"m{n}", "title": t, "description": "", "label": label}) + "\n"
                           for n, (t, label) in enumerate([(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3)))
    out = tmp_path / "model.json"
    done = subprocess.run([str(Path(sys.executable).parent / "newswatch"), "topics-train", str(one), "--folds", "2",
                           "--words-only", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "mine         skipped: its training items hold no labelled item" in done.stdout
    assert "chosen by the mean F1 over the 2 folds (no outlet left out could be scored)" in done.stdout
    model = RelevanceModel(**json.loads(out.read_text()))
    assert model.cross_validation["skipped"] == {"mine": "its training items hold no labelled item"}
    assert model.cross_validation["k_fold"]["f1"] > 0


def test_the_shipped_model_loads_fast_and_says_how_it_was_chosen():
    import time

    started = time.perf_counter()
    model = load_relevance(PROJECT_ROOT / "config", "asylum-border")
    assert model is not None and time.perf_counter() - started < 0.5
    cv = model.cross_validation
    assert set(cv["by_outlet"]) >= {"BBC", "CNN", "Guardian"} and cv["k_fold"]["k"] == 5
    assert 0 <= model.veto < 1 and model.rescue > 0.5


def test_topics_eval_cross_validates_from_the_command_line(tmp_path):
    a = write_items(tmp_path / "a.jsonl", "A", [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3)
    b = write_items(tmp_path / "b.jsonl", "B", [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3)
    done = subprocess.run([str(Path(sys.executable).parent / "newswatch"), "topics-eval", str(a), "--more", str(b),
                           "--cv", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "fold 1" in done.stdout and "fold 2" in done.stdout and "A → B" in done.stdout
    assert "chosen by the mean F1 over the outlets left out" in done.stdout


def test_signals_say_where_the_evidence_and_the_frames_sit():
    from pipeline.topics.rules import Tokens, item_signals, match_rules

    text = "Home Office defends asylum plan\nMinisters met on Monday after a football match."
    frames = {"policy": ["Home Office"], "sport_arts": ["football", "match"], "war": ["troop*"]}
    tokens = Tokens.of(text)
    found = item_signals(tokens, match_rules(tokens, TOPICS[0].languages["en"]), frames)
    assert "@t:asylum*@title" in found and "@f:policy@title" in found and "@f:sport_arts@body" in found
    assert not any(f.startswith("@f:war") for f in found) and not any(f.startswith("@t:") and "body" in f
                                                                          for f in found)


def test_who_moves_is_read_in_the_sentence_that_carries_the_evidence():
    from pipeline.topics.rules import Tokens, item_signals, match_rules
    from pipeline.topics.signals import load_frames

    frames = load_frames(PROJECT_ROOT / "config" / "frames.yaml", "asylum-border")

    def subjects(text: str) -> set[str]:
        tokens = Tokens.of(text)
        return {f for f in item_signals(tokens, match_rules(tokens, TOPICS[0].languages["en"]), frames)
                if f.startswith("@s:")}

    assert subjects("Thousands of families fled the shelling of Kharkiv overnight") == {"@s:subject_group"}
    assert subjects("Senator's new book\nShe fled the war in Syria as a child and studied law.") == {"@s:subject_one"}
    assert subjects("Embassy staff evacuated from Ukraine as invasion looms") == {"@s:subject_thing"}
    # the frame is elsewhere: a sentence without evidence says nothing about who moves
    assert subjects("Refugees reach Poland\nHe said the talks would go on. Many shops were shut.") == set()
    assert subjects("Thousands of homes lost power after the storm") == set()  # no rule hit, no subject


def test_a_file_can_name_its_own_cross_validation_group(tmp_path):
    path = tmp_path / "extra.jsonl"
    path.write_text("".join(json.dumps({"id": f"x{n}", "feed": "http://feeds.bbci.co.uk/news/rss.xml",
                                        "group": "stream extra", "title": t, "description": "", "label": "on"}) + "\n"
                            for n, t in enumerate(ON)))
    assert {i.outlet for i in load_labelled([path])} == {"stream extra"}  # not pooled with the BBC files


def test_event_labels_join_their_stream_and_form_a_group_of_their_own(tmp_path):
    stream = tmp_path / "stream-2022-x.jsonl"
    stream.write_text("".join(json.dumps({"id": f"s{n}", "outlet": "BBC News", "title": t, "summary": ""}) + "\n"
                              for n, t in enumerate(ON + OFF)))
    labels = tmp_path / "events-2022-x.labels.jsonl"
    labels.write_text("".join(json.dumps({"id": f"s{n}", "topic": "on" if n < len(ON) else "off"}) + "\n"
                              for n in range(len(ON + OFF))))
    first = write_items(tmp_path / "a.jsonl", "A", [(ON[0], "off")])
    items = load_labelled([first, labels])
    assert len(items) == len(ON + OFF) + 1 and {i.outlet for i in items} == {"A", "stream 2022-x"}
    assert [i.text.split("\n")[0] for i in items if i.outlet != "A"] == ON + OFF
    (tmp_path / "events-2022-y.labels.jsonl").write_text('{"id": "s0", "topic": "on"}\n')
    try:
        load_labelled([tmp_path / "events-2022-y.labels.jsonl"])
    except ValueError as error:
        assert "stream-2022-y.jsonl" in str(error)
    else:
        raise AssertionError("labels without their stream were accepted")


def test_a_model_with_signals_is_saved_and_scores_the_same_through_the_rules(tmp_path):
    rows = [(t, "on") for t in ON] * 3 + [(t, "off") for t in OFF] * 3
    items = load_labelled([write_items(tmp_path / "a.jsonl", "A", rows)])
    frames = {"policy": ["rules", "claims"], "sport_arts": ["hockey", "championship"]}
    prepare(items, TOPICS, "asylum-border", frames)
    model = fit(items, "asylum-border", frames=frames)
    assert model.signals and any(f.startswith("@") for f in model.weights)
    model.save(tmp_path / "models" / "asylum-border.json")
    loaded = load_relevance(tmp_path, "asylum-border")
    assert loaded is not None and loaded.frames == frames
    [match] = match_topics(ON[1], TOPICS, "en", {"asylum-border": loaded})
    assert match.score == round(model.score_features(items[1].features), 4)


def test_a_saved_model_reaches_the_disk_before_it_is_moved_into_place(tmp_path, monkeypatch):
    """The staged file was renamed over the model unsynced: after a power loss the rename could survive, naming an
    empty file. A spy on os.fsync sees what each sync covered, and whether the model was in place yet."""
    import os
    import stat

    path = tmp_path / "models" / "asylum-border.json"
    model = RelevanceModel("asylum-border", {"asylum": 2.0, "budget": -1.5}, -0.5, veto=0.1)
    real_fsync, synced = os.fsync, []

    def fsync(fd: int) -> None:
        found = os.fstat(fd)
        synced.append(("directory" if stat.S_ISDIR(found.st_mode) else found.st_size, path.exists()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    model.save(path)
    assert synced == [(path.stat().st_size, False), ("directory", True)]  # all of it before the move, then the move
    assert load_relevance(tmp_path, "asylum-border") == model
    assert [p.name for p in path.parent.iterdir()] == ["asylum-border.json"]  # no staged file left behind

    def no_directory_sync(fd: int) -> None:  # a platform that refuses to fsync a directory
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(22, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", no_directory_sync)
    model.veto = 0.2
    model.save(path)
    assert RelevanceModel(**json.loads(path.read_text())).veto == 0.2
    assert [p.name for p in path.parent.iterdir()] == ["asylum-border.json"]


def test_a_model_judges_only_the_languages_it_was_fitted_on():
    """Every model was marked English: one fitted on French items scored English ones with French weights and left
    French ones, its own, to the rules."""
    from pipeline.topics.train import Labelled, features, fit

    def items(language: str, n: int) -> list[Labelled]:
        on, off = ("demandeurs d'asile à la frontière", "match de football samedi") if language == "fr" else \
            ("asylum seekers at the border", "football match on saturday")
        return [Labelled(f"{language}{k}", text, label, "g", language=language, features=features(text))
                for k in range(n) for text, label in ((f"{on} {k}", "on"), (f"{off} {k}", "off"))]

    assert fit(items("fr", 20), "asylum-border", 1.0).languages == ["fr"]
    assert fit(items("en", 300) + items("fr", 4), "asylum-border", 1.0).languages == ["en"]
    assert fit(items("en", 100) + items("fr", 40), "asylum-border", 1.0).languages == ["en", "fr"]


@pytest.mark.parametrize("body, where, problem", [
    ("asylum-border:\n  policy: [visa*]\n  policy: [troop*]\n", "line 3", "given twice"),
    ("asylum_border:\n  policy: [visa*]\n", "asylum-border", "no frames for this topic"),
    ("asylum-border:\n  subject_grop: [they]\n", "asylum-border.subject_grop", "no such frame"),
    ("asylum-border:\n  profile: [he, no, she]\n", "asylum-border.profile.1", "quote it"),
])
def test_a_frames_file_mistake_names_file_key_and_problem(tmp_path, body, where, problem):
    """frames.yaml was read with the plain loader: a frame given twice replaced the first, a misspelt topic trained
    a model with signals and no frames, and YAML's `no` became the term 'False'."""
    from pipeline.errors import ConfigError
    from pipeline.topics.signals import load_frames

    path = tmp_path / "frames.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_frames(path, "asylum-border")
    assert str(path) in str(err.value) and where in str(err.value) and problem in str(err.value)


@pytest.mark.parametrize("change, key, problem", [
    ({"weights": None}, "weights", "must be an object of feature weights, not null"),
    ({"weights": {"asylum": "high"}}, "weights.asylum", "must be a number, not a string"),
    ({"veto": float("nan")}, "veto", "must be a number, not nan"),
    ({"signals": "yes"}, "signals", "must be true or false, not a string"),
    ({"languages": "en"}, "languages", "must be a list of strings, not a string"),
    ({"frames": {"policy": "visa*"}}, "frames.policy", "must be a list of strings, not a string"),
    ({"topic": "gangs"}, "topic", "is 'gangs', but this file is read as the model of topic 'asylum-border'"),
])
def test_a_model_file_of_another_topic_or_a_wrong_shape_names_file_key_and_problem(tmp_path, change, key, problem):
    """`"weights": null` loaded, then broke the matching of every item of the pass; a model copied from another
    topic's file scored this topic's items with weights learnt for the other."""
    from dataclasses import asdict

    from pipeline.errors import ConfigError

    path = tmp_path / "models" / "asylum-border.json"
    path.parent.mkdir()
    path.write_text(json.dumps({**asdict(RelevanceModel("asylum-border", {"asylum": 1.0}, 0.0)), **change}))
    with pytest.raises(ConfigError) as err:
        load_relevance(tmp_path, "asylum-border")
    assert str(err.value).startswith(f"{path}: {key}: ") and problem in str(err.value), str(err.value)
