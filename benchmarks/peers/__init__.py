"""Peer tools (SDMetrics) run in their own virtualenv, exchanging data as Parquet."""
