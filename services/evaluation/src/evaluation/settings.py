from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "evaluation"
    http_port: int = 8002
