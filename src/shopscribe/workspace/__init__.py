"""The review workspace's library: a text checked for a reviewer (claims highlighted and linked to the
attribute that bears on them), approved copy exported as shops import it, reviewed copy as training data,
and retraining a new model version from it. The web pages live in ``shopscribe.ui``."""
