"""Each attempt's own order of questions and options, derived from its seed.

Every candidate of a period used to see the same questions in the same
order, so one screenshot in a company chat answered everyone. An attempt
now carries a seed, stored when it is first entered; the order of its
questions and of each question's options is a pure function of the paper
and that seed. Nothing about the order is stored beyond the seed: a reload,
a second device or a re-score derives the same paper again.

The order only moves things around. Options keep the paper's own keys, so
answers, saving and scoring are exactly those of the unshuffled paper.

Each question's position, and each option's, is decided by a hash of the
seed and that question's id (and option key), not by a random generator
walking the paper: a question's place does not depend on the others, and
the result is the same on every Python version and host.

Ordering one paper is about 250 hashes, the bulk of a paper request's CPU, and
its result is the same for every request of the attempt: `AttemptPapers`
keeps the last few hundred per container, by paper version and seed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.last_used import LastUsed
from chalicelib.values import value_class

if TYPE_CHECKING:
    # Types only: the paper's rules (and their classes) are the exam's, and the web layer
    # imports this module on every cold start for the cache's size.
    from chalicelib.domain.papers import Paper, Question

SEED_BYTES = 12
# Attempts whose drawn and ordered paper a container keeps: a container serves one request
# at a time, so a few hundred covers every candidate it sees during one exam.
CACHED_ATTEMPTS = 512


class Ranker:
    """`rank(seed, ...)` for one seed: the seed's part of the hash is taken once and copied,
    which gives the very digests `rank` gives (blake2b reads its input as a stream)."""

    def __init__(self, seed: str) -> None:
        self._prefix = hashlib.blake2b((seed + "\x1f").encode("utf-8"), digest_size=16)

    def __call__(self, *parts: str) -> bytes:
        h = self._prefix.copy()
        h.update("\x1f".join(parts).encode("utf-8"))
        return h.digest()


def rank(seed: str, *parts: str) -> bytes:
    text = "\x1f".join((seed, *parts))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def option_order(question: Question, seed: str) -> tuple[str, ...]:
    """The option keys of `question` in the order this attempt shows them."""
    return _option_order(question, Ranker(seed))


def _option_order(question: Question, ranked: Callable[..., bytes]) -> tuple[str, ...]:
    keys = [key for key, _ in question.options]
    return tuple(sorted(keys, key=lambda key: (ranked("option", question.id, key), key)))


def ordered_question(question: Question, seed: str) -> Question:
    """The question with its options in this attempt's order (keys and key unchanged)."""
    return _ordered_question(question, Ranker(seed))


def _ordered_question(question: Question, ranked: Callable[..., bytes]) -> Question:
    text = dict(question.options)
    return dataclasses.replace(
        question, options=tuple((key, text[key]) for key in _option_order(question, ranked))
    )


def attempt_paper(paper: Paper, seed: str) -> Paper:
    """The paper as the attempt with `seed` sees it: its questions and their options reordered.

    The same (paper, seed) always gives the same result; the questions, their
    keys, points and option texts are the paper's own.
    """
    ranked = Ranker(seed)
    questions = sorted(paper.questions, key=lambda q: (ranked("question", q.id), q.id))
    return dataclasses.replace(paper, questions=tuple(_ordered_question(q, ranked) for q in questions))


@value_class
class AttemptView:
    """One attempt's questions (drawn, in the paper's order: what it is scored on) and the
    same questions as it is shown them, without keys (`attempt_paper(...).public()`)."""

    questions: Paper
    shown: dict[str, Any]

    def __init__(self, questions: Paper, shown: dict[str, Any]) -> None:
        self.__dict__.update(questions=questions, shown=shown)


class AttemptPapers:
    """The last `size` attempts' views, by (paper version, seed).

    The version must name the paper's content (the stored paper's key holds its digest),
    so a replaced paper is never answered from here. Callers must not change `shown`.
    """

    def __init__(self, size: int = CACHED_ATTEMPTS) -> None:
        self._views: LastUsed[tuple[str, str], AttemptView] = LastUsed(size)

    def view(self, version: str, seed: str, drawn: Callable[[str], Paper]) -> AttemptView:
        """The view of the attempt with `seed`; `drawn(seed)` gives its questions on a miss."""
        key = (version, seed)
        found = self._views.get(key)
        if found is not None:
            return found
        questions = drawn(seed)
        made = AttemptView(questions, attempt_paper(questions, seed).public())
        self._views.put(key, made)
        return made

    def __len__(self) -> int:
        return len(self._views)


def fallback_seed(period_id: str, id_hash: str) -> str:
    """The seed of an attempt entered before seeds were stored: fixed for it, not guessable
    without the ID number's keyed hash."""
    return f"legacy:{period_id}:{id_hash}"
