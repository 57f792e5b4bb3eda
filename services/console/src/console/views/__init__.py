"""What the pages show, computed from the services' answers: pure functions, no I/O, no framework."""
