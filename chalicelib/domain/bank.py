"""The question bank: items with a 知识点 (topic) and a 难度, each version kept apart.

A period that draws its paper from the bank gives every attempt its own
questions (see `blueprint`), so one screenshot no longer answers everyone.
An item is a paper question plus its topic and difficulty. Items are
versioned: importing an item whose content changed makes it a new version,
and the period's paper keeps a copy of the versions it draws from, so an
attempt is always shown and scored against the version it saw. Importing an
unchanged item keeps its version; items absent from an import are kept.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from chalicelib.domain.errors import BankInvalid, PaperInvalid
from chalicelib.domain.paper_sheet import OPTION_LETTERS
from chalicelib.domain.papers import Question, parse_question

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
DIFFICULTY_LABELS: dict[str, str] = {"easy": "易", "medium": "中", "hard": "难"}
DEFAULT_DIFFICULTY: Difficulty = "medium"
TOPIC_MAX = 40
ITEMS_MAX = 5000


@dataclass(frozen=True)
class BankItem:
    question: Question
    topic: str
    difficulty: Difficulty
    version: int = 1

    @property
    def id(self) -> str:
        return self.question.id

    def content(self) -> dict[str, Any]:
        """What an item says, without its version: two imports of the same content are one version."""
        q = self.question
        return {
            "id": q.id,
            "type": q.type,
            "text": q.text,
            "options": dict(q.options),
            "answer": sorted(q.answer),
            "points": q.points,
            "topic": self.topic,
            "difficulty": self.difficulty,
        }

    def document(self) -> dict[str, Any]:
        return {**self.content(), "version": self.version}

    def staff_view(self) -> dict[str, Any]:
        return self.document()


@dataclass(frozen=True)
class Bank:
    """The bank's current items (the latest version of each), in import order."""

    items: tuple[BankItem, ...] = ()

    def item(self, item_id: str) -> BankItem | None:
        return next((item for item in self.items if item.id == item_id), None)

    def document(self) -> dict[str, Any]:
        return {"items": [item.document() for item in self.items]}

    def summary(self) -> dict[str, Any]:
        """Counts per type, topic and difficulty: what a blueprint may ask for."""
        counts: dict[tuple[str, str, str], int] = {}
        for item in self.items:
            cell = (item.question.type, item.topic, item.difficulty)
            counts[cell] = counts.get(cell, 0) + 1
        return {
            "items": len(self.items),
            "cells": [
                {"type": kind, "topic": topic, "difficulty": difficulty, "count": count}
                for (kind, topic, difficulty), count in sorted(counts.items())
            ],
        }


@dataclass(frozen=True)
class Merge:
    bank: Bank
    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]

    def public(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "changed": list(self.changed),
            "unchanged": len(self.unchanged),
            "items": len(self.bank.items),
        }


def _problem(message: str, where: str | None = None) -> BankInvalid:
    return BankInvalid(f"题库有误：{message}", field=where)


def parse_difficulty(value: object, where: str) -> Difficulty:
    if value is None or value == "":
        return DEFAULT_DIFFICULTY
    for code in DIFFICULTIES:
        if value == code:
            return code
    raise _problem(f"{where}的难度 difficulty 应为 easy、medium 或 hard（易、中、难）。", where)


def parse_item(raw: object, number: int, seen: set[str], where: str | None = None) -> BankItem:
    """One bank item: a paper question (validated as in a paper) plus topic, difficulty, version."""
    where = where or f"items[{number - 1}]"
    try:
        question = parse_question(raw, number, seen, where)
    except PaperInvalid as exc:
        raise BankInvalid(exc.message.replace("试卷有误", "题库有误", 1), field=exc.field) from None
    assert isinstance(raw, Mapping)
    label = f"第 {number} 题（{question.id}）"
    # The bank's workbook has the columns 选项A–选项H: an item must fit them to be exported.
    if any(key not in OPTION_LETTERS for key, _ in question.options):
        raise _problem(f"{label}的选项名应为 A 到 H 的大写字母。", f"{where}.options")
    topic = raw.get("topic")
    if not isinstance(topic, str) or not topic.strip() or len(topic.strip()) > TOPIC_MAX:
        raise _problem(f"{label}缺少知识点 topic，或知识点超过 {TOPIC_MAX} 字。", f"{where}.topic")
    difficulty = parse_difficulty(raw.get("difficulty"), f"{where}.difficulty")
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _problem(f"{label}的版本 version 应为正整数。", f"{where}.version")
    # The question carries its topic, so a drawn paper can give feedback by topic.
    question = dataclasses.replace(question, topic=topic.strip())
    return BankItem(question=question, topic=topic.strip(), difficulty=difficulty, version=version)


def parse_items(raw: object) -> tuple[BankItem, ...]:
    """The items of an import or of a stored bank; the error names the first problem found."""
    if not isinstance(raw, list) or not raw:
        raise _problem("缺少题目列表 items。", "items")
    if len(raw) > ITEMS_MAX:
        raise _problem(f"一次最多 {ITEMS_MAX} 道题。", "items")
    items: list[BankItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        item = parse_item(entry, index + 1, seen)
        seen.add(item.id)
        items.append(item)
    return tuple(items)


def parse_bank(document: object) -> Bank:
    if not isinstance(document, Mapping):
        raise _problem("题库必须是一个 JSON 对象。")
    items = document.get("items")
    return Bank(parse_items(items)) if items else Bank()


def _same(a: BankItem, b: BankItem) -> bool:
    return json.dumps(a.content(), sort_keys=True) == json.dumps(b.content(), sort_keys=True)


def merge(bank: Bank, incoming: Iterable[BankItem]) -> Merge:
    """The bank after an import: a new item is version 1, a changed one the next version,
    an unchanged one keeps its version; items the import does not name stay as they are."""
    current = {item.id: item for item in bank.items}
    order = [item.id for item in bank.items]
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    for item in incoming:
        before = current.get(item.id)
        if before is None:
            current[item.id] = BankItem(item.question, item.topic, item.difficulty, version=1)
            order.append(item.id)
            added.append(item.id)
        elif _same(before, item):
            unchanged.append(item.id)
        else:
            current[item.id] = BankItem(
                item.question, item.topic, item.difficulty, version=before.version + 1
            )
            changed.append(item.id)
    return Merge(
        bank=Bank(tuple(current[item_id] for item_id in order)),
        added=tuple(added),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
    )
