"""Two scorers on the feature table, graded, and a backtest that compares them.

- **Rules** (transparent): each :class:`~geo.screening.settings.Rule` gives 0 below its
  thresholds, half its weight at them and its full weight at the "strong" levels; the score
  is the sum, 0-100. Nothing is learned.
- **Model** (positive-unlabelled): gradient boosting (scikit-learn
  ``HistGradientBoostingClassifier``) learns known plates against random draws of all other
  plates, bagged (Mordelet & Vert 2014); every plate is scored by the rounds that did not
  train on it, so known plates get honest scores too.

:func:`evaluate` hides a share of the known plates (in several random rounds), ranks all
plates that are not still known, and reports precision@k, recall@k and R-precision per
scorer; :func:`choose_scorer` picks the better one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.screening.features import MODEL_FEATURES
from geo.screening.settings import Rule, ScreeningSettings

GRADES: Final = ("high", "medium", "low", "none")
KS: Final = (10, 20, 50, 100)
Bool = npt.NDArray[np.bool_]


def rule_strengths(features: pd.DataFrame, rules: Sequence[Rule]) -> pd.DataFrame:
    """How strongly each rule holds for each plate: 0, or 0.5 (at threshold) .. 1 (strong)."""
    out = pd.DataFrame(index=features.index)
    for rule in rules:
        s = np.ones(len(features))
        for metric, threshold, strong in rule.metrics:
            v = features[metric].to_numpy(dtype=float)
            width = max(strong - threshold, 1e-9)
            part = np.where(v >= threshold, 0.5 + 0.5 * np.clip((v - threshold) / width, 0, 1), 0)
            s = np.minimum(s, part)
        for metric, threshold in rule.gate:
            s = np.where(features[metric].to_numpy(dtype=float) >= threshold, s, 0.0)
        out[rule.code] = s
    return out


def rules_score(features: pd.DataFrame, rules: Sequence[Rule]) -> pd.Series:
    """The rules' score, 0-100 (weights rescaled to add up to 100)."""
    strengths = rule_strengths(features, rules)
    weights = np.array([r.weight for r in rules], dtype=float)
    total = weights.sum() or 1.0
    return pd.Series(strengths.to_numpy() @ weights * (100.0 / total), index=features.index)


def _matrix(features: pd.DataFrame) -> npt.NDArray[np.float64]:
    return features[list(MODEL_FEATURES)].to_numpy(dtype=float)


def _bag_round(
    x: npt.NDArray[np.float64], pos: npt.NDArray[np.int64], unl: npt.NDArray[np.int64], seed: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """One PU-bagging round: which rows it did not train on, and their log-odds."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    held = rng.permutation(pos)[: max(1, len(pos) // 5)]
    train_pos = np.setdiff1d(pos, held)
    draw = rng.choice(unl, size=min(len(unl), 2 * len(train_pos)), replace=False)
    idx = np.concatenate([train_pos, draw])
    y = np.concatenate([np.ones(len(train_pos)), np.zeros(len(draw))])
    model = HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=8,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )
    out = np.ones(len(x), dtype=bool)
    out[idx] = False
    with threadpool_limits(1, user_api="openmp"):  # per thread: OpenMP settings are too
        model.fit(x[idx], y)
        return out, model.decision_function(x[out])


def model_score(
    features: pd.DataFrame, positive: Bool, *, seed: int = 0, rounds: int = 8
) -> pd.Series:
    """Positive-unlabelled bagged gradient boosting, 0-100; ``positive`` marks known plates.

    Each round trains on all but a fifth of the positives and on twice as many random
    unlabelled plates, and scores the plates it did not see; the score is the logistic of
    the mean log-odds over those rounds, softened (÷3) so that the top does not saturate.
    Rounds run on two threads, each single-threaded inside, so results do not depend on the
    machine's load.
    """
    from joblib import Parallel, delayed

    x = _matrix(features)
    pos, unl = np.flatnonzero(positive), np.flatnonzero(~positive)
    if len(pos) < 2 or len(unl) < 1:
        raise ValueError(f"the model needs known plates to learn from; {len(pos)} given")
    parts = Parallel(n_jobs=2, prefer="threads")(
        delayed(_bag_round)(x, pos, unl, seed * 1000 + b) for b in range(rounds)
    )
    total, seen = np.zeros(len(x)), np.zeros(len(x))
    for out, logit in parts:
        total[out] += logit
        seen[out] += 1
    mean = np.divide(total, seen, out=np.zeros(len(x)), where=seen > 0)
    return pd.Series(100.0 / (1.0 + np.exp(-mean / 3.0)), index=features.index)


def grade(scores: pd.Series, levels: tuple[float, float, float]) -> pd.Series:
    """``high`` / ``medium`` / ``low`` / ``none`` from a 0-100 score and (low, medium, high)."""
    low, medium, high = levels
    v = scores.to_numpy(dtype=float)
    codes = np.select([v >= high, v >= medium, v >= low], ["high", "medium", "low"], "none")
    return pd.Series(codes, index=scores.index, dtype=object)


def rank_order(scores: pd.Series, plates: pd.Series) -> npt.NDArray[np.int64]:
    """Positions sorting by score (high first), ties by plate: the same order every time."""
    return np.lexsort((plates.to_numpy(dtype=str), -np.round(scores.to_numpy(dtype=float), 9)))


# ---------------------------------------------------------------- backtest


def _metrics(ranked_hidden: Bool, n_hidden: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in KS:
        hits = int(ranked_hidden[:k].sum())
        out[f"precision@{k}"] = hits / k if len(ranked_hidden) >= k else math.nan
        out[f"recall@{k}"] = hits / n_hidden if n_hidden else math.nan
    out["r_precision"] = float(ranked_hidden[:n_hidden].mean()) if n_hidden else math.nan
    return out


def scorer_scores(
    features: pd.DataFrame, positive: Bool, settings: ScreeningSettings, seed: int
) -> dict[str, pd.Series]:
    """Both scorers' scores (the model only with enough known plates)."""
    out = {"rules": rules_score(features, settings.rules)}
    if int(positive.sum()) >= settings.min_known and int((~positive).sum()) >= 2:
        out["model"] = model_score(features, positive, seed=seed)
    return out


def evaluate(
    features: pd.DataFrame, known: Bool, settings: ScreeningSettings, *, seed: int = 0
) -> pd.DataFrame:
    """Backtest both scorers: hide known plates, rank the rest, see where the hidden ones land.

    Each of ``settings.eval_repeats`` rounds hides a random ``eval_share`` of the known
    plates; the model learns from the others; every plate that is not still known is ranked.
    Hidden plates found high count as hits. Vehicles that operate illegally but were never
    caught count as misses, so the figures are lower bounds; hiding a large share keeps that
    bias small.

    Parameters
    ----------
    features : DataFrame
        The feature table (:func:`geo.screening.features.compute_features`).
    known : array of bool
        Which rows are known illegal-operation plates.
    settings : ScreeningSettings
        ``eval_share``, ``eval_repeats``, ``min_known``, the rules.
    seed : int
        Randomness of the draws and the model.

    Returns
    -------
    DataFrame
        One row per scorer: ``scorer``, ``rounds``, ``hidden`` (per round), and the means
        over rounds of ``precision@k``, ``recall@k`` (k = 10, 20, 50, 100) and
        ``r_precision`` (precision at k = the number hidden). Empty when fewer than
        ``min_known`` known plates were screened.
    """
    pos = np.flatnonzero(known)
    n_hidden = int(round(settings.eval_share * len(pos)))
    if len(pos) < max(2, settings.min_known) or not 0 < n_hidden < len(pos):
        return pd.DataFrame()
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(settings.eval_repeats):
        hidden = rng.permutation(pos)[:n_hidden]
        train = np.zeros(len(features), dtype=bool)
        train[np.setdiff1d(pos, hidden)] = True
        is_hidden = np.zeros(len(features), dtype=bool)
        is_hidden[hidden] = True
        for name, score in scorer_scores(features, train, settings, seed + 101 * f).items():
            cand = np.flatnonzero(~train)
            order = cand[rank_order(score.iloc[cand], features["plate"].iloc[cand])]
            rows.append(
                {"scorer": name, "hidden": n_hidden, **_metrics(is_hidden[order], n_hidden)}
            )
    means = pd.DataFrame(rows).groupby("scorer", sort=False).mean().reset_index()
    means.insert(1, "rounds", settings.eval_repeats)
    return means


def choose_scorer(evaluation: pd.DataFrame) -> str:
    """The scorer with the higher R-precision (then precision@20); rules on a tie."""
    if evaluation.empty or "model" not in set(evaluation["scorer"]):
        return "rules"
    by = evaluation.set_index("scorer")
    key = [(by.at[s, "r_precision"], by.at[s, "precision@20"]) for s in ("rules", "model")]
    return "model" if key[1] > key[0] else "rules"
