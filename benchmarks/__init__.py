"""Performance measurements, run with `make bench` (never as timed tests)."""
