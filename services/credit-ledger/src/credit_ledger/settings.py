from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "credit-ledger"
    http_port: int = 8003
    # How often the chain head is anchored (stored and published on landgrade.credit.anchors.v1)
    # when records were appended since the last anchor.
    anchor_interval_seconds: float = 300.0
