"""HTTP: Chalice blueprints by audience, and the one place errors become JSON."""
