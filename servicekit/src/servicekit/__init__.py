"""Shared service plumbing. Knows nothing of land, grades or credit: only services, events and
databases."""
