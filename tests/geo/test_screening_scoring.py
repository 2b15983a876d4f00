"""Scorers, grades, reasons and the backtest, on small literal feature tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.config import load_settings
from geo.errors import ConfigError
from geo.screening.core import score_vehicles
from geo.screening.features import FEATURE_DTYPES, MODEL_FEATURES
from geo.screening.inputs import ScreeningInputError
from geo.screening.reasons import reason_text
from geo.screening.scoring import (
    _metrics,
    choose_scorer,
    evaluate,
    grade,
    model_score,
    rank_order,
    rule_strengths,
    rules_score,
)
from geo.screening.settings import DEFAULT_RULES, Rule, ScreeningSettings


def make_features(n: int, seed: int = 0, **fixed: object) -> pd.DataFrame:
    """n plates with quiet, ordinary features; columns in ``fixed`` set for all."""
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        {c: np.zeros(n, dtype=d) if d != "object" else None for c, d in FEATURE_DTYPES.items()}
    )
    f["plate"] = [f"渝F{i:05d}" for i in range(n)]
    f["n_passes"] = rng.integers(2, 60, n)
    f["active_days"] = rng.integers(1, 12, n)
    f["passes_per_day"] = f["n_passes"] / f["active_days"]
    f["offday_lift"] = rng.uniform(0.3, 1.3, n)
    f["market_lift"] = 1.0
    f["span_hours"] = rng.uniform(0.5, 8, n)
    f["km_per_day"] = rng.uniform(5, 60, n)
    f["distinct_towns"] = rng.integers(1, 4, n)
    f["distinct_checkpoints"] = f["distinct_towns"] + 1
    f["first_t"], f["last_t"] = 1_760_000_000, 1_760_500_000
    f["province"], f["plate_kind"] = "渝", "normal"
    f["special_plate"], f["local_plate"] = 0, 1
    for col, value in fixed.items():
        f[col] = value
    return f


def black_cars(f: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """Give some rows a black car's pattern: daily runs 江口镇—县城, early, busy weekends."""
    f = f.copy()
    f.loc[rows, ["route_a", "route_b"]] = ["江口镇", "县城"]
    f.loc[rows, "route_days"] = 20
    f.loc[rows, "route_trips_per_day"] = 4.2
    f.loc[rows, "active_days"] = 24
    f.loc[rows, "offday_lift"] = 2.0
    f.loc[rows, "early_share"] = 0.5
    f.loc[rows, "km_per_day"] = 180.0
    return f


class TestRules:
    def test_strength_is_zero_half_one(self) -> None:
        rule = Rule("x", 10, (("km_per_day", 100.0, 200.0),))
        f = pd.DataFrame({"km_per_day": [99.9, 100.0, 150.0, 200.0, 500.0]})
        s = rule_strengths(f, [rule])["x"].tolist()
        assert s == [0.0, 0.5, 0.75, 1.0, 1.0]

    def test_weakest_metric_and_gate_decide(self) -> None:
        rule = Rule("x", 10, (("a", 1.0, 2.0), ("b", 1.0, 3.0)), gate=(("g", 5.0),))
        f = pd.DataFrame({"a": [2.0, 2.0, 2.0], "b": [1.0, 3.0, 3.0], "g": [5, 5, 4]})
        assert rule_strengths(f, [rule])["x"].tolist() == [0.5, 1.0, 0.0]

    def test_score_is_weighted_and_scaled_to_100(self) -> None:
        rules = [Rule("a", 30, (("x", 1.0, 2.0),)), Rule("b", 10, (("y", 1.0, 2.0),))]
        f = pd.DataFrame({"x": [2.0, 0.0, 1.0], "y": [2.0, 2.0, 0.0]})
        assert rules_score(f, rules).tolist() == [100.0, 25.0, 37.5]

    def test_black_cars_outrank_ordinary_cars(self) -> None:
        f = black_cars(make_features(50), [3, 17])
        score = rules_score(f, DEFAULT_RULES)
        top = f["plate"].iloc[rank_order(score, f["plate"])[:2]]
        assert set(top) == {"渝F00003", "渝F00017"}


class TestGradesAndRanks:
    def test_grade_levels(self) -> None:
        s = pd.Series([0.0, 29.9, 30.0, 50.0, 69.9, 70.0, 100.0])
        assert grade(s, (30, 50, 70)).tolist() == [
            "none",
            "none",
            "low",
            "medium",
            "medium",
            "high",
            "high",
        ]

    def test_ties_broken_by_plate(self) -> None:
        order = rank_order(pd.Series([5.0, 7.0, 5.0]), pd.Series(["渝FB", "渝FC", "渝FA"]))
        assert order.tolist() == [1, 2, 0]


class TestModel:
    def test_learns_the_pattern_of_known_plates(self) -> None:
        rows = list(range(0, 300, 10))
        f = black_cars(make_features(300), rows)
        known = np.zeros(300, dtype=bool)
        known[rows[:20]] = True  # ten more black cars are not known
        score = model_score(f, known)
        unknown_black = score.iloc[rows[20:]]
        others = score.drop(index=rows)
        assert unknown_black.min() > others.quantile(0.95)

    def test_same_answer_twice(self) -> None:
        f = black_cars(make_features(120, seed=1), list(range(0, 120, 6)))
        known = np.zeros(120, dtype=bool)
        known[::12] = True
        assert model_score(f, known).equals(model_score(f, known))

    def test_uses_plain_numbers(self) -> None:
        assert set(MODEL_FEATURES) <= set(make_features(2).columns)


class TestBacktest:
    def test_metrics_by_hand(self) -> None:
        ranked = np.array([True, False, True, True] + [False] * 96)
        m = _metrics(ranked, 4)
        assert m["precision@10"] == 0.3 and m["recall@10"] == 0.75
        assert m["r_precision"] == 0.75  # 3 of the first 4

    def test_both_scorers_reported_and_model_chosen_when_better(self) -> None:
        rows = list(range(0, 400, 8))
        f = black_cars(make_features(400, seed=2), rows)
        f.loc[rows[::2], "route_days"] = 0  # half of them drive no fixed route
        known = np.zeros(400, dtype=bool)
        known[rows] = True
        ev = evaluate(f, known, ScreeningSettings(eval_repeats=2))
        assert ev["scorer"].tolist() == ["rules", "model"]
        assert ev["hidden"].tolist() == [40, 40]  # 80% of 50
        assert (ev["r_precision"] <= 1).all()
        assert choose_scorer(ev) in ("rules", "model")

    def test_too_few_known_plates(self) -> None:
        f = make_features(30)
        known = np.zeros(30, dtype=bool)
        known[:3] = True
        assert evaluate(f, known, ScreeningSettings()).empty
        assert choose_scorer(pd.DataFrame()) == "rules"


class TestScoreVehicles:
    def test_list_reasons_and_grades(self) -> None:
        f = black_cars(make_features(60), [5])
        known = pd.DataFrame({"plate": ["渝F00005"], "n_cases": [3]})
        table, used, evaluation = score_vehicles(f, known, window_days=30, urban="县城")
        assert used == "rules" and evaluation.empty  # one known plate: too few to learn
        assert table.loc[0, "plate"] == "渝F00005" and table.loc[0, "rank"] == 1
        assert table["rank"].tolist() == list(range(1, 61))
        assert table.loc[0, "route"] == "江口镇—县城"
        text = reason_text(table.loc[0, "reasons"])
        assert text.startswith("近30天有20天往返江口镇—县城,日均4.2趟")
        assert "已有3起查处记录" in text
        en = reason_text(table.loc[0, "reasons"], "en")
        assert en.startswith("on 20 of the last 30 days ran 江口镇—县城 and back")

    def test_model_refused_without_known_plates(self) -> None:
        with pytest.raises(ScreeningInputError, match="at least 10 known plates"):
            score_vehicles(make_features(20), None, scorer="model")

    def test_notes_for_special_and_other_province_plates(self) -> None:
        f = make_features(3)
        f.loc[0, ["special_plate", "plate_kind"]] = [1, "coach"]
        f.loc[1, ["local_plate", "province"]] = [0, "川"]
        table, _, _ = score_vehicles(f, None)
        texts = dict(zip(table["plate"], table["reasons"].map(reason_text), strict=True))
        assert texts["渝F00000"] == "教练车号牌" and texts["渝F00001"] == "外地号牌(川)"


class TestSettings:
    def test_toml_table(self, tmp_path: object) -> None:
        from pathlib import Path

        path = Path(str(tmp_path)) / "hexpatrol.toml"
        path.write_text(
            "[screening]\nwindow_days = 14\nscorer = 'rules'\n"
            "[screening.rules.route]\nweight = 40\nroute_days = [4, 10]\n",
            encoding="utf-8",
        )
        s = load_settings(path).screening
        assert s.window_days == 14 and s.scorer == "rules"
        route = next(r for r in s.rules if r.code == "route")
        assert route.weight == 40 and route.metrics[0] == ("route_days", 4.0, 10.0)

    @pytest.mark.parametrize(
        "body",
        [
            "scorer = 'magic'",
            "unknown = 1",
            "[screening.rules.speed]\nweight = 1",
            "[screening.rules.route]\nroute_days = [10, 4]",
            "grade_levels = [80, 50, 30]",
        ],
        ids=["scorer", "key", "rule", "levels", "grades"],
    )
    def test_errors_name_the_setting(self, tmp_path: object, body: str) -> None:
        from pathlib import Path

        path = Path(str(tmp_path)) / "hexpatrol.toml"
        path.write_text(f"[screening]\n{body}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="screening"):
            load_settings(path)


def test_a_misspelt_scorer_or_grade_says_what_is_allowed() -> None:
    import pandas as pd

    from geo.screening import ScreeningInputError, score_vehicles
    from geo.screening.report import suspect_rows

    with pytest.raises(ScreeningInputError, match="scorer was 'Model'"):
        score_vehicles(pd.DataFrame(), scorer="Model")
    result = type("R", (), {"suspects": pd.DataFrame({"grade": ["high"]})})()
    with pytest.raises(ValueError, match="min_grade was 'bad'"):
        suspect_rows(result, min_grade="bad")  # type: ignore[arg-type]
