"""`optimize`: rewrite existing copy with review insights, checked before it is published."""

from shopscribe.optimize.optimize import OptimizeConfig, OptimizeResult, optimize

__all__ = ["OptimizeConfig", "OptimizeResult", "optimize"]
