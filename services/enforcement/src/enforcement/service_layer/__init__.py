"""Use cases of the enforcement service: each runs one unit of work (state + outbox events)."""
