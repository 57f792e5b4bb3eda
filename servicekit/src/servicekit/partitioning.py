"""Which partition a keyed Kafka record goes to: the Java client's rule (murmur2 of the key bytes,
sign bit cleared, modulo the partition count), as aiokafka's default partitioner computes it.

Every producer of the project uses this one rule (`kafka.new_producer` passes `KeyPartitioner`, and
the outbox relay, which builds its record batches per partition itself, calls `partition_for`), so
a key lands on the same partition whoever sends it: per-key order rests on that. The arithmetic
reads the key four bytes at a time; a test holds it equal to aiokafka's own function.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

_M = 0x5BD1E995
_MASK = 0xFFFFFFFF
_SEED = 0x9747B28C
_WORDS = [struct.Struct(f"<{n}I") for n in range(64)]


def murmur2(data: bytes) -> int:
    """MurmurHash2 (32-bit, seed 0x9747b28c) of `data`, unsigned, as Kafka's `Utils.murmur2`."""
    length = len(data)
    h = _SEED ^ length
    words = length // 4
    unpack = _WORDS[words] if words < len(_WORDS) else struct.Struct(f"<{words}I")
    for k in unpack.unpack_from(data):
        k = (k * _M) & _MASK
        k ^= k >> 24
        h = ((h * _M) & _MASK) ^ ((k * _M) & _MASK)
    tail = length & 3
    if tail:
        rest = data[length - tail:]
        if tail == 3:
            h ^= rest[2] << 16
        if tail >= 2:
            h ^= rest[1] << 8
        h ^= rest[0]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def partition_for(key: bytes, partitions: Sequence[int]) -> int:
    """The partition of a keyed record among `partitions` (sorted, as the cluster lists them)."""
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


class KeyPartitioner:
    """aiokafka's partitioner interface over `partition_for`; a record without a key goes to any
    available partition, as with aiokafka's default."""

    def __call__(self, key: bytes | None, all_partitions: Sequence[int], available: Sequence[int]) -> Any:
        if key is None:
            import random

            return random.choice(list(available or all_partitions))  # nosec B311  # spreading load, not a secret
        return partition_for(key, all_partitions)
