"""The README's tables of roles and of routes, read as data: the authorisation tests are generated
from them, so the README cannot say one thing while the services do another."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
PUBLIC = "—"


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    scopes: frozenset[str]  # empty: public
    bound: str  # "", "street" (the token's jurisdiction) or "own" (the token's enterprise)


def _rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.replace(" ", "").startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def roles(text: str | None = None) -> dict[str, list[str]]:
    """role → scopes, from the table headed `| role | scopes |`."""
    found = {}
    for role, scopes in _rows(text or README.read_text(encoding="utf-8"), "|role|scopes|"):
        found[role] = re.findall(r"`([^`]+)`", scopes)[0].split()
    return found


def routes(text: str | None = None) -> list[Route]:
    """Every route, from the table headed `| service | method | path | scopes | bound |`."""
    return [Route(service, method, path, frozenset() if scopes == PUBLIC else frozenset(scopes.split()), bound)
            for service, method, path, scopes, bound
            in _rows(text or README.read_text(encoding="utf-8"), "|service|method|path|scopes|bound|")]
