"""Use cases: each function is one thing a candidate, staff member or schedule does.

They join the pure domain rules to storage and hold no HTTP detail, so the
routes in `chalicelib/web` stay a few lines each and the CLI can call the same
functions.
"""
