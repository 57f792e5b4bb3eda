"""Local infrastructure without Docker: a real Kafka broker and a real PostgreSQL server."""
