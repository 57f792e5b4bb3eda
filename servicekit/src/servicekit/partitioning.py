"""Which partition a keyed Kafka record goes to: the Java client's rule (murmur2 of the key bytes,
sign bit cleared, modulo the partition count), which aiokafka's default partitioner also applies.

The outbox relay builds its record batches per partition itself and calls `partition_for`; every
other record goes through a producer's default partitioner. A test holds the two equal, so a key
lands on the same partition whoever sends it: per-key order rests on that. The arithmetic reads
the key four bytes at a time, about twice as fast as aiokafka's byte by byte, once per event.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

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

