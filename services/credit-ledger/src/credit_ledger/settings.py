from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "credit-ledger"
    http_port: int = 8003
