"""Learned critic for best-of-n reranking."""

from shopscribe.critic.model import Critic
from shopscribe.critic.train import CriticConfig, train_critic

__all__ = ["Critic", "CriticConfig", "train_critic"]
