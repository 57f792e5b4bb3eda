"""The console: server-rendered pages over the four services' public APIs (issue #18)."""
