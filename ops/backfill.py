"""Operator backfills: data written before an index existed, brought up to date (never packaged).

`backfill-names`: registrations stored before the helpdesk's name index (`by_name`) existed lack
its keys, so a search by name misses them. This fills them in, one conditional UpdateItem per
registration: only while the item still lacks the keys and still holds the name that was read,
so a correction or a submission running meanwhile (which write the keys themselves, for the
name they store) always wins. Safe to run again; a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.update import Action

from chalicelib.runtime import Runtime
from chalicelib.storage import keys
from chalicelib.storage.dynamo import applied, dynamodb_errors
from chalicelib.storage.models import RegistrationItem


@dataclass
class NameBackfill:
    missing: int = 0  # registrations found without the name index's keys
    filled: int = 0  # given them now
    changed: int = 0  # changed meanwhile (their own write set the keys): left alone

    def public(self) -> dict[str, int]:
        return {"missing": self.missing, "filled": self.filled, "changed": self.changed}


def backfill_names(rt: Runtime) -> NameBackfill:
    """Give every registration without them the `by_name` index keys (a paginated Scan, once)."""
    report = NameBackfill()
    wanted = (
        RegistrationItem.sk.startswith(keys.REGISTRATION_SK_PREFIX) & RegistrationItem.gsi3pk.does_not_exist()
    )
    with dynamodb_errors():
        found = list(RegistrationItem.scan(filter_condition=wanted))
    for item in found:
        report.missing += 1
        id_hash = keys.person_hash(item.pk)
        actions: list[Action] = [
            RegistrationItem.gsi3pk.set(keys.by_name_pk(rt.repo.name_hash(item.name))),
            RegistrationItem.gsi3sk.set(keys.by_name_sk(item.period_id, id_hash)),
        ]
        condition = (
            RegistrationItem.pk.exists()
            & RegistrationItem.gsi3pk.does_not_exist()
            & (RegistrationItem.name == item.name)
        )
        if applied(lambda: item.update(actions=actions, condition=condition)):  # noqa: B023
            report.filled += 1
        else:
            report.changed += 1
    return report
