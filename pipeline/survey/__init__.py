"""The tenant perception survey: weights, accuracy, representativeness."""
