from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "enforcement"
    http_port: int = 8004
