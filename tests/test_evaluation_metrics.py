"""Evaluation metrics, biases, calibration and abstention on small hand-made tables with known answers."""

import math

import numpy as np
import pandas as pd
import pytest

from inafaceanalyzer.abstention import AbstentionRule, apply_abstention, face_size, gender_confidence
from inafaceanalyzer.evaluation.bias import BIAS_FACTORS, GENDER, bias, category_table, factors_for, paper_table
from inafaceanalyzer.evaluation.calibration import expected_calibration_error, fit_temperature, reliability_table
from inafaceanalyzer.evaluation.groups import age_groups, group_table, race_groups, with_groups
from inafaceanalyzer.evaluation.markdown import markdown_table
from inafaceanalyzer.evaluation.metrics import confusion_table, score_table, scores
from inafaceanalyzer.evaluation.tradeoff import abstention_tradeoff


def faces(rows):
    """A classified-faces table from (gender, age, race, sex_label, age_label) tuples."""
    df = pd.DataFrame(rows, columns=["gender", "age", "race", "sex_label", "age_label"])
    return with_groups(df.astype({"age": float, "age_label": float}))


def test_scores_accuracy_coverage_and_age_errors():
    df = faces([
        ("m", 30, "white", "m", 32),   # right, +2
        ("m", 40, "white", "f", 36),   # wrong, -4
        ("f", 25, "black", "u", 25),   # abstained, 0
        ("f", 60, "asian", "f", 66),   # right, +6
        (None, np.nan, None, "m", 50),  # no labels: counts as a face, in no metric
    ])
    s = scores(df)
    assert s["faces"] == 5 and s["gender_faces"] == 4 and s["answered"] == 3
    assert s["coverage"] == pytest.approx(3 / 4)
    assert s["accuracy"] == pytest.approx(2 / 3)
    assert s["age_faces"] == 4
    assert s["age_mae"] == pytest.approx((2 + 4 + 0 + 6) / 4)
    assert s["age_rmse"] == pytest.approx(math.sqrt((4 + 16 + 0 + 36) / 4))
    assert s["age_mean_error"] == pytest.approx((2 - 4 + 0 + 6) / 4)


def test_score_table_keeps_empty_categories():
    df = faces([("m", 30, "white", "m", 30), ("f", 70, "white", "m", 60)])
    table = score_table(df, ["gender", "age_group"])
    assert len(table) == 8  # 2 genders x 4 age groups, empty ones included
    empty = table[(table.gender == "m") & (table.age_group == "50+")].iloc[0]
    assert empty["faces"] == 0 and math.isnan(empty["accuracy"]) and math.isnan(empty["age_mae"])
    full = table[(table.gender == "f") & (table.age_group == "50+")].iloc[0]
    assert full["accuracy"] == 0 and full["age_mean_error"] == -10


def test_age_and_race_groups_boundaries():
    groups = age_groups(pd.Series([0, 12.9, 13, 19.5, 20, 49.9, 50, 101, np.nan]))
    expected = ["<13", "<13", "13-19", "13-19", "20-49", "20-49", "50+", "50+", "?"]
    assert list(groups.astype(object).fillna("?")) == expected
    races = race_groups(pd.Series(["White", "black", "others", None]))
    assert list(races.astype(object).fillna("?")) == ["white", "non-white", "non-white", "?"]


def eight_categories(accuracy, age_error):
    """Ten faces per category; ``accuracy(g, r, a)`` of them right, ages off by ``age_error(g, r, a)``."""
    rows = []
    for g in ("m", "f"):
        for race in ("white", "black"):
            for age in (30, 60):
                right = round(10 * accuracy(g, race, age))
                for i in range(10):
                    wrong = "f" if g == "m" else "m"
                    rows.append((g, age, race, g if i < right else wrong, age + age_error(g, race, age)))
    rows.append(("m", 8, "white", "f", 20))  # a child: never in the categories
    return faces(rows)


def test_bias_is_the_mean_difference_of_matched_categories():
    # men always right, women right 8 times in 10, older women only 6: gender bias = mean(+20, +20, +40, +40)
    df = eight_categories(
        lambda g, r, a: 1.0 if g == "m" else (0.8 if a == 30 else 0.6),
        lambda g, r, a: 2.0 if r == "white" else (-4.0 if a == 60 else 0.0),
    )
    table = paper_table(df).set_index("metric")
    acc = table.loc["gender accuracy (%)"]
    assert acc["gender_bias"] == pytest.approx(30.0)
    assert acc["racial_bias"] == pytest.approx(0.0)
    assert acc["age_bias"] == pytest.approx(10.0)  # 20-49 minus 50+: (0 + 0 + 20 + 20) / 4
    assert acc["adults_20plus"] == pytest.approx(100 * (40 + 16 + 12) / 80)
    assert acc["all_faces"] == pytest.approx(100 * 68 / 81)
    mae = table.loc["age MAE (years)"]
    assert mae["racial_bias"] == pytest.approx(2.0 - 2.0)  # white 2 vs non-white 0 and 4: mean(2, 2, -2, -2)
    assert mae["gender_bias"] == 0 and mae["age_bias"] == pytest.approx((0 + 0 - 4 - 4) / 4)
    signed = table.loc["age mean error (years)"]
    assert signed["racial_bias"] == pytest.approx((2 + 2 + 6 + 6) / 4)


def test_bias_leaves_out_pairs_with_an_empty_category_and_works_without_race():
    df = eight_categories(lambda g, r, a: 1.0 if g == "m" else 0.5, lambda g, r, a: 0.0)
    df = df[~((df.gender == "f") & (df.race == "black") & (df.age == 60))]
    categories = category_table(df, BIAS_FACTORS)
    assert len(categories) == 8 and (categories["faces"] == 0).sum() == 1
    assert bias(categories, GENDER, BIAS_FACTORS, "accuracy") == pytest.approx(0.5)  # 3 pairs left
    no_race = df.assign(race=None, race_group=pd.Categorical([None] * len(df), categories=["white", "non-white"]))
    factors = factors_for(no_race)
    assert [f.name for f in factors] == ["gender", "age"]
    table = paper_table(no_race).set_index("metric")
    assert math.isnan(table.loc["gender accuracy (%)", "racial_bias"])
    assert table.loc["gender accuracy (%)", "gender_bias"] == pytest.approx(50.0)


def test_group_table_reports_children_apart():
    df = eight_categories(lambda g, r, a: 1.0, lambda g, r, a: 0.0)
    groups = group_table(df).set_index(["grouping", "group"])
    assert groups.loc[("age group", "<13"), "faces"] == 1
    assert groups.loc[("age group", "<13"), "accuracy"] == 0
    assert groups.loc[("age group x gender", "<13 / m"), "faces"] == 1
    assert groups.loc[("race", "black"), "faces"] == 40


def test_confusion_table_counts_abstentions():
    df = faces([("m", 30, None, "m", 30), ("m", 30, None, "f", 30), ("f", 30, None, "u", 30),
                ("f", 30, None, "f", 30), (None, 30, None, "m", 30)])
    table = confusion_table(df).set_index("true")
    assert table.loc["m"].tolist() == [1, 1, 0, 2]
    assert table.loc["f"].tolist() == [0, 1, 1, 2]


def test_reliability_table_and_calibration_error():
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    df = pd.DataFrame({
        "gender": ["m", "m", "f", "f", "m"],
        # confidence 0.99 three times, right; 0.75 twice, right then wrong
        "sex_decfunc": [logit(0.99), logit(0.99), logit(0.01), -logit(0.75), logit(0.25)],
    })
    table = reliability_table(df, bins=5)
    assert table["faces"].tolist() == [0, 0, 2, 0, 3]
    top = table.iloc[4]
    assert top["mean_confidence"] == pytest.approx(0.99) and top["accuracy"] == 1
    mid = table.iloc[2]
    assert mid["mean_confidence"] == pytest.approx(0.75) and mid["accuracy"] == 0.5
    assert expected_calibration_error(table) == pytest.approx((3 * 0.01 + 2 * 0.25) / 5)


def test_abstention_rule_semantics():
    df = pd.DataFrame({
        "bbox": [(0, 0, 100, 100), (0, 0, 20, 30), (0, 0, 100, 100), (0, 0, 30, 10)],
        "sex_decfunc": [3.0, 5.0, -0.1, -4.0],
        "sex_label": ["m", "m", "f", "f"],
        "age_label": [30.0, 40.0, 50.0, 60.0],
    })
    assert face_size(df["bbox"]).tolist() == [100, 30, 100, 30]
    assert gender_confidence(np.array([0.0, 3.0, -3.0])) == pytest.approx([0.5, 0.9525741, 0.9525741])
    out = apply_abstention(df, AbstentionRule(min_face_size=30, min_gender_confidence=0.9))
    assert out["sex_label"].tolist() == ["m", "m", "u", "f"]  # 30 px kept: the limits are inclusive
    assert out["age_label"].tolist() == df["age_label"].tolist()
    assert df["sex_label"].tolist() == ["m", "m", "f", "f"]  # the input is not modified
    assert apply_abstention(df, AbstentionRule(min_face_size=31))["sex_label"].tolist() == ["m", "u", "f", "u"]
    assert not AbstentionRule().active
    young = df.assign(age_label=[8.0, 40.0, 12.9, 13.0])  # no age_decfunc: the label is the estimate
    assert apply_abstention(young, AbstentionRule(child_age=13))["sex_label"].tolist() == ["u", "m", "u", "f"]
    for bad in ({"min_face_size": -1}, {"min_gender_confidence": 0.4}, {"min_gender_confidence": 1.5},
                {"child_age": -1}):
        with pytest.raises(ValueError):
            AbstentionRule(**bad)


def test_tradeoff_accuracy_against_coverage():
    df = faces([("m", 30, None, "m", 30), ("m", 30, None, "m", 30), ("f", 30, None, "m", 30),
                ("f", 30, None, "f", 30)])
    df["sex_decfunc"] = [8.0, 0.2, 0.1, -6.0]
    df["bbox"] = [(0, 0, 50, 50), (0, 0, 50, 50), (0, 0, 10, 10), (0, 0, 50, 50)]
    table = abstention_tradeoff(df, confidences=(0.5, 0.9), sizes=(0, 20)).set_index(["criterion", "threshold"])
    assert table.loc[("min_gender_confidence", 0.5)].tolist() == [1.0, 0.75, 4, 1]
    assert table.loc[("min_gender_confidence", 0.9)].tolist() == [0.5, 1.0, 2, 0]
    assert table.loc[("min_face_size", 20)].tolist() == [0.75, 1.0, 3, 0]


def test_markdown_table_formats_by_column():
    df = pd.DataFrame({"group": ["a|b", "c"], "faces": [3, 0], "accuracy": [0.9876, np.nan], "age_mae": [6.0, 1.234]})
    text = markdown_table(df)
    assert text.splitlines() == [
        "| group | faces | accuracy | age_mae |",
        "| --- | ---: | ---: | ---: |",
        "| a\\|b | 3 | 98.8% | 6.00 |",
        "| c | 0 | – | 1.23 |",
    ]


def test_fit_temperature_recovers_an_overconfidence_factor():
    rng = np.random.default_rng(0)
    calibrated = rng.normal(0, 3, 4000)  # log-odds of a calibrated model...
    gender = np.where(rng.random(4000) < 1 / (1 + np.exp(-calibrated)), "m", "f")
    df = pd.DataFrame({"gender": gender, "sex_decfunc": 2.5 * calibrated})  # ...reported 2.5 times too confident
    assert fit_temperature(df) == pytest.approx(2.5, rel=0.1)


def test_abstention_on_tracked_tables_uses_the_track_average():
    import pandas as pd

    from inafaceanalyzer.abstention import AbstentionRule, apply_abstention

    table = pd.DataFrame({
        "bbox": [(0, 0, 100, 100), (0, 0, 100, 100), (0, 0, 10, 10)],
        "sex_decfunc": [3.0, 0.1, 5.0], "sex_label": ["m", "m", "m"],
        "sex_decfunc_avg": [1.55, 1.55, 5.0], "sex_label_avg": ["m", "m", "m"],
    })
    out = apply_abstention(table, AbstentionRule(min_face_size=20, min_gender_confidence=0.9))
    # sigmoid(3) = 0.95 kept; sigmoid(0.1) = 0.52 withheld; 10 px face withheld
    assert out.sex_label.tolist() == ["m", "u", "u"]
    # the track averaging 1.55 (sigmoid 0.82) is withheld, the confident one kept whatever its size
    assert out.sex_label_avg.tolist() == ["u", "u", "m"]
    assert table.sex_label.tolist() == ["m", "m", "m"]  # the input is not modified
