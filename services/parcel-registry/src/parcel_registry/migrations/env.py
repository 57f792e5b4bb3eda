from parcel_registry.adapters.tables import metadata
from servicekit.migrations import run_env

run_env(metadata)
