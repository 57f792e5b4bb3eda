from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "credit-ledger"
    http_port: int = 8003
    # How often the chain head is anchored (stored and published on landgrade.credit.anchors.v1)
    # when records were appended since the last anchor.
    anchor_interval_seconds: float = 300.0
    # Requests per client address to the public list, in a moving window (`limits` notation, e.g.
    # "120/minute"); beyond it the list answers 429 with Retry-After. The client address is the
    # connection's own (no X-Forwarded-For trusted).
    public_rate_limit: str = "120/minute"
