"""govtool: governance of broker API integrations, from one tracker.yaml in git."""

__version__ = "0.1.0"
