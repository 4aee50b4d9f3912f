"""Reviews: loading with personal data masked, sentiment, aspect insights."""

from shopscribe.reviews.data import ReviewRow, ReviewSet, load_reviews
from shopscribe.reviews.pii import mask_pii
from shopscribe.reviews.sentiment import SentimentConfig, SentimentModel, score_reviews, train_sentiment

__all__ = ["ReviewRow", "ReviewSet", "SentimentConfig", "SentimentModel", "load_reviews", "mask_pii",
           "score_reviews", "train_sentiment"]
