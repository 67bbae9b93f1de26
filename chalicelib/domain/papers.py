"""Exam papers: validation, the candidate's view without keys, and scoring.

A paper is 35 single-choice and 15 multiple-choice questions whose points sum
to 100. Validation names the first problem it finds, so staff can fix an
uploaded file line by line. Scoring gives no partial credit: a multiple-choice
question scores only when the chosen set equals the key.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard, cast

from chalicelib.domain.errors import Invalid, PaperInvalid
from chalicelib.domain.registrations import ExamResult

SINGLE_COUNT = 35
MULTIPLE_COUNT = 15
TOTAL_POINTS = 100
DEFAULT_PASS_MARK = 60
MIN_OPTIONS, MAX_OPTIONS = 2, 8

_QUESTION_ID = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
_OPTION_KEY = re.compile(r"^[A-Za-z0-9]{1,4}$")
TEXT_MAX = 2000
TITLE_MAX = 200

QuestionType = Literal["single", "multiple"]


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: str
    options: tuple[tuple[str, str], ...]
    answer: frozenset[str]
    points: int
    # 知识点 of a question drawn from the bank; a fixed paper's questions have none.
    topic: str = ""

    def public(self) -> dict[str, Any]:
        """What a candidate sees: never the answer. `order` lists the option keys
        in the order they are shown (an attempt's own order, see `attempt_order`)."""
        return {
            "id": self.id,
            "type": self.type,
            "text": self.text,
            "options": dict(self.options),
            "order": [key for key, _ in self.options],
            "points": self.points,
        }

    @functools.cached_property
    def option_keys(self) -> frozenset[str]:
        # Asked for every chosen option of every answer saved or submitted: made once.
        return frozenset(key for key, _ in self.options)


@dataclass(frozen=True)
class Paper:
    title: str
    pass_mark: int
    questions: tuple[Question, ...]

    def public(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "pass_mark": self.pass_mark,
            "questions": [q.public() for q in self.questions],
        }

    def question(self, question_id: str) -> Question | None:
        return self._by_id().get(question_id)

    def _by_id(self) -> dict[str, Question]:
        cache: dict[str, Question] | None = self.__dict__.get("_index")
        if cache is None:
            cache = {q.id: q for q in self.questions}
            object.__setattr__(self, "_index", cache)
        return cache

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def pool(self) -> Paper:
        """Every question an attempt may be asked (a fixed paper: all of them)."""
        return self

    def drawn(self, seed: str) -> Paper:
        """The questions the attempt with `seed` answers (a fixed paper: all of them, for every seed)."""
        return self


def _problem(message: str, where: str | None = None) -> PaperInvalid:
    return PaperInvalid(f"试卷有误：{message}", field=where)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_paper(
    data: object, single_count: int = SINGLE_COUNT, multiple_count: int = MULTIPLE_COUNT
) -> Paper:
    """Validate an uploaded paper; the error names the first problem found."""
    if not isinstance(data, Mapping):
        raise _problem("试卷必须是一个 JSON 对象。")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > TITLE_MAX:
        raise _problem(f"缺少试卷标题 title，或标题超过 {TITLE_MAX} 字。", "title")
    pass_mark = data.get("pass_mark", DEFAULT_PASS_MARK)
    if not _is_int(pass_mark) or not 1 <= pass_mark <= TOTAL_POINTS:
        raise _problem(f"及格分 pass_mark 应为 1 到 {TOTAL_POINTS} 的整数。", "pass_mark")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise _problem("缺少题目列表 questions。", "questions")
    questions: list[Question] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_questions):
        question = parse_question(raw, index + 1, seen)
        seen.add(question.id)
        questions.append(question)
    singles = sum(1 for q in questions if q.type == "single")
    multiples = len(questions) - singles
    if singles != single_count or multiples != multiple_count:
        raise _problem(
            f"应有 {single_count} 道单选题和 {multiple_count} 道多选题，"
            f"实际为 {singles} 道单选题和 {multiples} 道多选题。",
            "questions",
        )
    total = sum(q.points for q in questions)
    if total != TOTAL_POINTS:
        raise _problem(f"各题分值之和应为 {TOTAL_POINTS}，实际为 {total}。", "questions")
    return Paper(title=title.strip(), pass_mark=int(pass_mark), questions=tuple(questions))


def parse_question(raw: object, number: int, seen: set[str], where: str | None = None) -> Question:
    """One question of an upload (the `number`th, 1-based); `seen` holds the ids before it."""
    where = where or f"questions[{number - 1}]"
    if not isinstance(raw, Mapping):
        raise _problem(f"第 {number} 题不是一个对象。", where)
    qid = raw.get("id")
    if not isinstance(qid, str) or not _QUESTION_ID.match(qid):
        raise _problem(f"第 {number} 题的 id 应为 1 到 32 个字母、数字、下划线或连字符。", f"{where}.id")
    label = f"第 {number} 题（{qid}）"
    if qid in seen:
        raise _problem(f"{label}的 id 与前面的题目重复。", f"{where}.id")
    qtype = raw.get("type")
    if qtype not in ("single", "multiple"):
        raise _problem(f"{label}的 type 应为 single 或 multiple。", f"{where}.type")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > TEXT_MAX:
        raise _problem(f"{label}缺少题干 text，或题干超过 {TEXT_MAX} 字。", f"{where}.text")
    options = raw.get("options")
    if not isinstance(options, Mapping) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise _problem(f"{label}应有 {MIN_OPTIONS} 到 {MAX_OPTIONS} 个选项。", f"{where}.options")
    for key, value in options.items():
        if (
            not _OPTION_KEY.match(str(key))
            or not isinstance(value, str)
            or not value.strip()
            or len(value) > TEXT_MAX
        ):
            raise _problem(
                f"{label}的选项 {key} 不正确：选项名应为 1 到 4 个字母或数字，"
                f"内容不能为空且不超过 {TEXT_MAX} 字。",
                f"{where}.options",
            )
    answer = raw.get("answer")
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        raise _problem(f'{label}的答案 answer 应为选项名的列表，例如 ["B"]。', f"{where}.answer")
    if len(set(answer)) != len(answer):
        raise _problem(f"{label}的答案中有重复的选项。", f"{where}.answer")
    if qtype == "single" and len(answer) != 1:
        raise _problem(f"{label}是单选题，答案应恰好有 1 个选项。", f"{where}.answer")
    if qtype == "multiple" and len(answer) < 2:
        raise _problem(f"{label}是多选题，答案应至少有 2 个选项。", f"{where}.answer")
    unknown = [a for a in answer if a not in options]
    if unknown:
        raise _problem(f"{label}的答案 {unknown[0]} 不是它的选项。", f"{where}.answer")
    points = raw.get("points")
    if not _is_int(points) or points <= 0:
        raise _problem(f"{label}的分值 points 应为正整数。", f"{where}.points")
    return Question(
        id=qid,
        type=qtype,
        text=text.strip(),
        options=tuple((str(k), v.strip()) for k, v in options.items()),
        answer=frozenset(answer),
        points=int(points),
    )


def parse_answers(paper: Paper, raw: object) -> dict[str, list[str]]:
    """Check a candidate's answers against the paper: known questions, known options.

    An empty list clears a question's answer. An answer is always an array
    of option keys (contract v2): a bare string is refused, not guessed at. A
    single-choice question takes at most one option: the page never sends
    more, so more is a broken client, not a wrong answer to score.
    """
    if not isinstance(raw, Mapping):
        raise Invalid("answers", "答案格式不正确，请刷新页面后重试。")
    answers: dict[str, list[str]] = {}
    # Every save and submission passes here, a submission with 50 answers: the checks that
    # pass are set operations, and the message's details are looked for only on a refusal.
    questions = paper._by_id()
    for qid, value in raw.items():
        question = questions.get(str(qid))
        if question is None:
            raise Invalid("answers", f"试卷中没有编号为 {qid} 的题目，请刷新页面后重试。")
        if not isinstance(value, list):
            raise Invalid("answers", f"题目 {qid} 的答案格式不正确，请刷新页面后重试。")
        chosen: list[object] = value
        # Options are strings: a list they contain holds nothing but strings. Only a list
        # they do not contain is looked at element by element, for the refusal's wording.
        keys = question.option_keys
        if not _only_options(keys, chosen):
            if not all(isinstance(c, str) for c in chosen):
                raise Invalid("answers", f"题目 {qid} 的答案格式不正确，请刷新页面后重试。")
            unknown = [c for c in chosen if c not in keys]
            raise Invalid("answers", f"题目 {qid} 没有选项 {unknown[0]}，请刷新页面后重试。")
        distinct = sorted(set(cast(list[str], chosen)))
        if question.type == "single" and len(distinct) > 1:
            raise Invalid("answers", f"题目 {qid} 是单选题，只能选择一个选项。")
        answers[question.id] = distinct
    return answers


def _only_options(keys: frozenset[str], chosen: list[object]) -> bool:
    """Every element is one of the option keys (an unhashable element is not; nothing but a
    string equals one)."""
    try:
        return keys.issuperset(chosen)
    except TypeError:
        return False


def score(paper: Paper, answers: Mapping[str, Sequence[str]]) -> tuple[int, tuple[str, ...]]:
    """Points earned and the ids of the questions answered right.

    Single choice: the one chosen option is the key. Multiple choice: the
    chosen set equals the key exactly; a partly right answer scores 0.
    """
    right = [q for q in paper.questions if frozenset(answers.get(q.id, ())) == q.answer]
    return sum(q.points for q in right), tuple(q.id for q in right)


def grade(paper: Paper, answers: Mapping[str, Sequence[str]], submitted_at: dt.datetime) -> ExamResult:
    """The result of a submission: its score, and passed when it reaches the pass mark."""
    points, right = score(paper, answers)
    return ExamResult(
        score=points,
        pass_mark=paper.pass_mark,
        passed=points >= paper.pass_mark,
        submitted_at=submitted_at,
        correct=right,
    )


def final_answers(
    paper: Paper, saved: Mapping[str, Sequence[str]], submitted: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """What a submission is scored on: the saved answers, each replaced by the
    submitted one where the submission names it (as a save would), limited to
    the paper's questions, and without cleared (empty) answers."""
    merged: dict[str, list[str]] = {qid: list(chosen) for qid, chosen in saved.items()}
    merged.update({qid: list(chosen) for qid, chosen in submitted.items()})
    return {qid: chosen for qid, chosen in merged.items() if chosen and paper.question(qid) is not None}
