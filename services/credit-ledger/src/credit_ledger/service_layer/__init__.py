"""Handlers: each runs inside one transaction it is given (a consumer's savepoint or a request's)."""
