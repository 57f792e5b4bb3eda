# Shared fixtures for every suite (tests/ and services/*/tests/).
pytest_plugins = ["landgrade.testing"]
