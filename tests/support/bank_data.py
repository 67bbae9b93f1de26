"""A question bank for tests: five topics, each with 10 single- and 4 multiple-choice items
(2 points each, keys varying by item), and the blueprint 7 + 3 per topic (35 + 15, 100 points)."""

from __future__ import annotations

from typing import Any

TOPICS = ("劳动合同", "社会保险", "工资支付", "劳动争议", "人力资源市场")
SINGLES_PER_TOPIC = 10
MULTIPLES_PER_TOPIC = 4
LETTERS = "ABCD"


def single_key(t: int, i: int) -> list[str]:
    return [LETTERS[(t + i) % 4]]


def multiple_key(t: int, i: int) -> list[str]:
    first = (t + i) % 4
    return sorted({LETTERS[first], LETTERS[(first + 1 + i % 3) % 4]})


def bank_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for t, topic in enumerate(TOPICS):
        for i in range(SINGLES_PER_TOPIC):
            items.append(
                _item(f"t{t}s{i}", "single", topic, single_key(t, i), ("easy", "medium", "hard")[i % 3])
            )
        for i in range(MULTIPLES_PER_TOPIC):
            items.append(_item(f"t{t}m{i}", "multiple", topic, multiple_key(t, i), "medium"))
    return items


def _item(item_id: str, kind: str, topic: str, key: list[str], difficulty: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": kind,
        "text": f"{topic}：题目 {item_id}",
        "options": {letter: f"{item_id} 的选项 {letter}" for letter in LETTERS},
        "answer": key,
        "points": 2,
        "topic": topic,
        "difficulty": difficulty,
    }


def keys() -> dict[str, list[str]]:
    return {item["id"]: item["answer"] for item in bank_items()}


def blueprint(singles: int = 7, multiples: int = 3) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for topic in TOPICS:
        rows.append({"type": "single", "topic": topic, "count": singles})
        rows.append({"type": "multiple", "topic": topic, "count": multiples})
    return {"rows": rows}
