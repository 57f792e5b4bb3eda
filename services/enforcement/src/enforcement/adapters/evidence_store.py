"""Evidence files on disk, content-addressed by SHA-256 under a configurable directory.

A file is written to a temporary name and renamed into place, so a crash never
leaves a half-written file under a real name; an existing file is never
overwritten (same name = same bytes). Reads re-check the hash, so a file altered
on disk is reported instead of served.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from pathlib import Path

from enforcement.domain.errors import EvidenceAltered


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, storage_name: str) -> Path:
        return self.root / storage_name[:2] / storage_name

    async def put(self, storage_name: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, self.path_for(storage_name), content)

    async def read(self, storage_name: str, sha256: str) -> bytes:
        content = await asyncio.to_thread(self.path_for(storage_name).read_bytes)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise EvidenceAltered(storage_name)
        return content

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        if path.exists() and path.stat().st_size == len(content):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
