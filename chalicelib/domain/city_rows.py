"""How many rows a city template's file may hold: the two limits the settings need.

Their own module so that `config` (on every cold start) does not import the
template's rules and classes (domain/city_template.py), which only the
city entries' export and the template's console use.
"""

DEFAULT_MAX_ROWS = 500
# A file of the template is written in memory (openpyxl's normal mode): keep it bounded.
MAX_FILE_ROWS = 10_000
