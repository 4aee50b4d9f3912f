"""Preference tuning (``shopscribe prefer``): candidates sampled by the copy pipeline, ranked by the guard, DPO on
a run's adapter. It sits beside evaluation, above generation, because it writes copy to learn from."""

from shopscribe.preferences.tune import build_pairs, candidate_score, tune_preferences

__all__ = ["build_pairs", "candidate_score", "tune_preferences"]
