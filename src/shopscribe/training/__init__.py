"""Fine-tuning: TrainConfig and train()."""

from shopscribe.training.config import TrainConfig
from shopscribe.training.train import TrainResult, train

__all__ = ["TrainConfig", "TrainResult", "train"]
