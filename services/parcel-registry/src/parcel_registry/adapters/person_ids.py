"""ID numbers of responsible persons and person shareholders, protected at rest.

Each number is stored three ways, none of them the plain text: encrypted (Fernet: AES-128-CBC
with an HMAC, keys rotatable), as a *person reference* — a keyed HMAC-SHA256 that finds the same
person across enterprises without decrypting anything and is what events carry — and masked
(``110***********002X``) for every read except an ``admin`` one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet

from landgrade_reference.resident_ids import mask_resident_id, normalise_resident_id


@dataclass(frozen=True)
class ProtectedId:
    ciphertext: bytes
    person_ref: str
    masked: str


class PersonIdVault:
    def __init__(self, encryption_keys: str, ref_key: str) -> None:
        keys = [k.strip() for k in encryption_keys.split(",") if k.strip()]
        if not keys:
            raise ValueError("at least one encryption key is needed for ID numbers")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._ref_key = ref_key.encode()

    def person_ref(self, id_number: str) -> str:
        digest = hmac.new(self._ref_key, normalise_resident_id(id_number).encode(), hashlib.sha256)
        return "p_" + digest.hexdigest()[:40]

    def protect(self, id_number: str) -> ProtectedId:
        number = normalise_resident_id(id_number)
        return ProtectedId(self._fernet.encrypt(number.encode()), self.person_ref(number), mask_resident_id(number))

    def reveal(self, ciphertext: bytes) -> str:
        """The plain number, for ``admin`` reads only."""
        return self._fernet.decrypt(ciphertext).decode()
