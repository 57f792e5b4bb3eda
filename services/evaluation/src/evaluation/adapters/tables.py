"""Tables of the evaluation database (this service's alone)."""

from servicekit.db import new_metadata
from servicekit.wiring import StandardTables

metadata = new_metadata()
plumbing = StandardTables.on(metadata)
