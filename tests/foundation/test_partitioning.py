"""Every producer of the project puts a key on the partition aiokafka's default partitioner (the
Java client's rule) would: the relay's own batches, the dead-letter producer and earlier versions
of the relay all agree, so per-key order holds across them."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

from servicekit.partitioning import murmur2, partition_for


def test_murmur2_is_aiokafkas_for_every_length_and_byte() -> None:
    rng = random.Random(20_261_205)
    for length in range(0, 300):
        for _ in range(10):
            key = bytes(rng.randrange(256) for _ in range(length))
            assert murmur2(key) == aiokafka_murmur2(key), key


def test_a_key_goes_where_the_default_partitioner_sends_it() -> None:
    default = DefaultPartitioner()
    for partitions in ([0], [0, 1, 2, 3], list(range(12)), [0, 2, 5]):
        for n in range(2_000):
            key = f"P-{n:08d}".encode()
            expected = default(key, partitions, partitions)
            assert partition_for(key, partitions) == expected
