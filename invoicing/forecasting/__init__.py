"""The forecast kept in PostgreSQL: every drafted cycle ahead, refreshed by the writes."""
