from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "parcel-registry"
    http_port: int = 8001
