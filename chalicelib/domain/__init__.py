"""Pure domain rules: no AWS, no Chalice, no I/O. Tested without moto."""
