"""A period's blueprint: how many questions of each type and topic each attempt draws from the bank.

Instead of one paper for everyone, a period may name counts per type and
知识点 (optionally per 难度): 35 single-choice and 15 multiple-choice questions
by default, points summing to 100 for every draw. Setting a blueprint checks
it against the bank there and then, and the refusal names every row the
bank cannot fill. The period then keeps a copy of the items each row may
draw from (its pool, at their current versions) as its paper: attempts are
shown and scored against exactly those versions, whatever the bank becomes.

Which items an attempt gets is a pure function of the pool and the
attempt's seed, as its order is (see `attempt_order`): nothing but the seed
is stored per attempt, so a reload, a second device or a re-score draws the
same questions again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.attempt_order import Ranker
from chalicelib.domain.bank import (
    DIFFICULTIES,
    DIFFICULTY_LABELS,
    TOPIC_MAX,
    BankItem,
    Difficulty,
    parse_items,
)
from chalicelib.domain.errors import BlueprintInvalid
from chalicelib.domain.papers import (
    DEFAULT_PASS_MARK,
    MULTIPLE_COUNT,
    SINGLE_COUNT,
    TITLE_MAX,
    TOTAL_POINTS,
    Paper,
    Question,
    QuestionType,
    parse_paper,
)

KIND = "bank_draw"
ROWS_MAX = 200
_TYPE_LABELS = {"single": "单选题", "multiple": "多选题"}
_LABEL_DIFFICULTY = {label: code for code, label in DIFFICULTY_LABELS.items()}


@dataclass(frozen=True)
class Row:
    type: QuestionType
    topic: str
    count: int
    difficulty: Difficulty | None = None

    def matches(self, item: BankItem) -> bool:
        return (
            item.question.type == self.type
            and item.topic == self.topic
            and (self.difficulty is None or item.difficulty == self.difficulty)
        )

    def label(self) -> str:
        shown = f"（{DIFFICULTY_LABELS[self.difficulty]}）" if self.difficulty else ""
        return f"「{self.topic}」{_TYPE_LABELS[self.type]}{shown}"

    def document(self) -> dict[str, Any]:
        return {"type": self.type, "topic": self.topic, "difficulty": self.difficulty, "count": self.count}


@dataclass(frozen=True)
class Blueprint:
    rows: tuple[Row, ...]
    singles: int = SINGLE_COUNT
    multiples: int = MULTIPLE_COUNT

    def document(self) -> dict[str, Any]:
        return {
            "singles": self.singles,
            "multiples": self.multiples,
            "rows": [row.document() for row in self.rows],
        }


def _invalid(message: str, where: str | None = None) -> BlueprintInvalid:
    return BlueprintInvalid(f"抽题规则有误：{message}", field=where)


def _count(value: object, where: str, label: str, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= TOTAL_POINTS:
        raise _invalid(f"{label}应为 {minimum} 到 {TOTAL_POINTS} 的整数。", where)
    return value


def _row(raw: object, index: int) -> Row:
    where = f"rows[{index}]"
    if not isinstance(raw, Mapping):
        raise _invalid(f"第 {index + 1} 行不是一个对象。", where)
    kind = raw.get("type")
    if kind not in ("single", "multiple"):
        raise _invalid(f"第 {index + 1} 行的 type 应为 single 或 multiple。", f"{where}.type")
    topic = raw.get("topic")
    if not isinstance(topic, str) or not topic.strip() or len(topic.strip()) > TOPIC_MAX:
        raise _invalid(f"第 {index + 1} 行缺少知识点 topic，或超过 {TOPIC_MAX} 字。", f"{where}.topic")
    difficulty = raw.get("difficulty")
    code = _LABEL_DIFFICULTY.get(difficulty, difficulty) if isinstance(difficulty, str) else difficulty
    level: Difficulty | None = next((known for known in DIFFICULTIES if known == code), None)
    if level is None and difficulty not in (None, ""):
        raise _invalid(
            f"第 {index + 1} 行的难度 difficulty 应为 easy、medium、hard 或留空。", f"{where}.difficulty"
        )
    count = _count(raw.get("count"), f"{where}.count", f"第 {index + 1} 行的题数 count")
    return Row(type=kind, topic=topic.strip(), count=count, difficulty=level)


def parse_blueprint(raw: object) -> Blueprint:
    """A blueprint's own shape (rows, counts per type); the bank is checked by `pool_for`."""
    if not isinstance(raw, Mapping):
        raise _invalid("抽题规则必须是一个 JSON 对象。")
    singles = _count(raw.get("singles", SINGLE_COUNT), "singles", "单选题总数 singles", 0)
    multiples = _count(raw.get("multiples", MULTIPLE_COUNT), "multiples", "多选题总数 multiples", 0)
    raw_rows = raw.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows or len(raw_rows) > ROWS_MAX:
        raise _invalid(f"缺少抽题行 rows（1 到 {ROWS_MAX} 行）。", "rows")
    rows = tuple(_row(entry, index) for index, entry in enumerate(raw_rows))
    cells: dict[tuple[str, str], set[Difficulty | None]] = {}
    for index, row in enumerate(rows):
        levels = cells.setdefault((row.type, row.topic), set())
        # Two rows drawing from overlapping items could draw one item twice.
        if row.difficulty in levels or (levels and (row.difficulty is None or None in levels)):
            raise _invalid(
                f"第 {index + 1} 行{row.label()}与前面的行重复：同一知识点和题型，"
                "要么只写一行不分难度，要么每个难度各写一行。",
                f"rows[{index}]",
            )
        levels.add(row.difficulty)
    for kind, wanted in (("single", singles), ("multiple", multiples)):
        total = sum(row.count for row in rows if row.type == kind)
        if total != wanted:
            raise _invalid(f"{_TYPE_LABELS[kind]}共应抽 {wanted} 道，各行合计为 {total} 道。", "rows")
    return Blueprint(rows=rows, singles=singles, multiples=multiples)


def pool_for(blueprint: Blueprint, items: tuple[BankItem, ...]) -> tuple[BankItem, ...]:
    """The items the blueprint may draw, checked against them: every row has enough, each row's
    items are worth the same points, and every draw's points sum to 100. The refusal names
    every row the bank cannot fill."""
    short: list[str] = []
    first_short: str | None = None
    total = 0
    pool: list[BankItem] = []
    for index, row in enumerate(blueprint.rows):
        found = [item for item in items if row.matches(item)]
        if len(found) < row.count:
            short.append(f"{row.label()}需要 {row.count} 道，题库中只有 {len(found)} 道")
            first_short = first_short or f"rows[{index}].count"
            continue
        points = sorted({item.question.points for item in found})
        if len(points) > 1:
            raise _invalid(
                f"{row.label()}的题目分值不一致（{'、'.join(str(p) for p in points)} 分）："
                "同一行抽出的题分值必须相同，每份试卷的总分才都是 100。",
                f"rows[{index}]",
            )
        total += row.count * points[0]
        pool.extend(found)
    if short:
        raise _invalid("；".join(short) + "。请先向题库补充题目，或减少这些行的题数。", first_short)
    if total != TOTAL_POINTS:
        raise _invalid(f"按各行题数和分值，每份试卷总分为 {total} 分，应为 {TOTAL_POINTS} 分。", "rows")
    return tuple(pool)


@dataclass(frozen=True)
class DrawnPaper:
    """A period's paper drawn from the bank: its blueprint and the items (pool) it draws from."""

    title: str
    pass_mark: int
    blueprint: Blueprint
    items: tuple[BankItem, ...]

    @property
    def pool(self) -> Paper:
        """Every question an attempt may be asked: what saved answers are checked against."""
        cached: Paper | None = self.__dict__.get("_pool")
        if cached is None:
            cached = Paper(self.title, self.pass_mark, tuple(item.question for item in self.items))
            object.__setattr__(self, "_pool", cached)
        return cached

    def drawn(self, seed: str) -> Paper:
        """The questions the attempt with `seed` answers: from each row, the `count` items
        ranked first by a hash of the seed and the item's id. Ordering is `attempt_order`'s."""
        questions: list[Question] = []
        ranked = Ranker(seed)
        for row in self.blueprint.rows:
            found = [item for item in self.items if row.matches(item)]
            found.sort(key=lambda item: (ranked("draw", item.id), item.id))
            questions.extend(item.question for item in found[: row.count])
        return Paper(self.title, self.pass_mark, tuple(questions))

    def item(self, item_id: str) -> BankItem | None:
        return next((item for item in self.items if item.id == item_id), None)

    @property
    def total_points(self) -> int:
        return TOTAL_POINTS

    def document(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "title": self.title,
            "pass_mark": self.pass_mark,
            "blueprint": self.blueprint.document(),
            "items": [item.document() for item in self.items],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "pass_mark": self.pass_mark,
            "blueprint": self.blueprint.document(),
            "pool": len(self.items),
            "total_points": TOTAL_POINTS,
        }


PaperSource = Paper | DrawnPaper


def drawn_paper(raw: object, items: tuple[BankItem, ...], default_title: str) -> DrawnPaper:
    """The period's paper from a blueprint body (`rows`, optional `title`, `pass_mark`, `singles`,
    `multiples`), validated against the bank's current `items`."""
    blueprint = parse_blueprint(raw)
    assert isinstance(raw, Mapping)
    title = raw.get("title") or default_title
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > TITLE_MAX:
        raise _invalid(f"标题 title 不能超过 {TITLE_MAX} 字。", "title")
    pass_mark = _count(raw.get("pass_mark", DEFAULT_PASS_MARK), "pass_mark", "及格分 pass_mark")
    return DrawnPaper(title.strip(), pass_mark, blueprint, pool_for(blueprint, items))


def parse_drawn(document: Mapping[str, Any]) -> DrawnPaper:
    """A stored drawn paper, checked as when it was set."""
    items = parse_items(document.get("items"))
    return drawn_paper(
        {
            **document.get("blueprint", {}),
            "title": document.get("title"),
            "pass_mark": document.get("pass_mark"),
        },
        items,
        "",
    )


def parse_source(document: object) -> PaperSource:
    """A stored period paper: a fixed paper, or one drawn from the bank per attempt."""
    if isinstance(document, Mapping) and document.get("kind") == KIND:
        return parse_drawn(document)
    return parse_paper(document)
