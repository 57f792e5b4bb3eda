"""Regression: a cluster id that began with "-" made the storage tool fail (read as an option),
so one local Kafka start in 64 failed."""

import base64

from landgrade.devstack.kafka import cluster_id


def test_cluster_ids_never_start_with_a_dash_and_decode_to_16_bytes() -> None:
    ids = [cluster_id() for _ in range(2000)]
    assert not any(i.startswith("-") for i in ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
