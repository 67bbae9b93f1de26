"""`python -m chalicelib.cli rehearsal seed|clean`: a load rehearsal on a stage no candidate uses."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_seed_lists_the_candidates_a_second_seed_adds_none_and_clean_removes_them_all(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    assert cli("bootstrap", "--stage", "local").returncode == 0
    people = tmp_path / "people.csv"
    seeded = cli("rehearsal", "seed", "--stage", "local", "--candidates", "5", "--people", str(people))
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded   5 new rehearsal candidates" in seeded.stdout
    with people.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 and len({row["id_number"] for row in rows}) == 5

    again = cli("rehearsal", "seed", "--stage", "local", "--candidates", "5", "--people", str(people))
    assert "seeded   0 new rehearsal candidates" in again.stdout, again.stdout + again.stderr

    cleaned = cli("rehearsal", "clean", "--stage", "local", "--candidates", "5")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "deleted  5 rehearsal candidates" in cleaned.stdout
    assert "deleted  rehearsal period" in cleaned.stdout


def test_a_live_stage_is_refused_unless_asked_for(cli: Callable[..., Any]) -> None:
    done = cli("rehearsal", "seed", "--stage", "prod", "--candidates", "1")
    assert done.returncode != 0
    assert "live" in done.stderr and "--allow-live" in done.stderr
