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
"""

from __future__ import annotations

import dataclasses
import hashlib

from chalicelib.domain.papers import Paper, Question

SEED_BYTES = 12


def rank(seed: str, *parts: str) -> bytes:
    text = "\x1f".join((seed, *parts))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def option_order(question: Question, seed: str) -> tuple[str, ...]:
    """The option keys of `question` in the order this attempt shows them."""
    keys = [key for key, _ in question.options]
    return tuple(sorted(keys, key=lambda key: (rank(seed, "option", question.id, key), key)))


def ordered_question(question: Question, seed: str) -> Question:
    """The question with its options in this attempt's order (keys and key unchanged)."""
    text = dict(question.options)
    return dataclasses.replace(
        question, options=tuple((key, text[key]) for key in option_order(question, seed))
    )


def attempt_paper(paper: Paper, seed: str) -> Paper:
    """The paper as the attempt with `seed` sees it: its questions and their options reordered.

    The same (paper, seed) always gives the same result; the questions, their
    keys, points and option texts are the paper's own.
    """
    questions = sorted(paper.questions, key=lambda q: (rank(seed, "question", q.id), q.id))
    return dataclasses.replace(paper, questions=tuple(ordered_question(q, seed) for q in questions))


def fallback_seed(period_id: str, id_hash: str) -> str:
    """The seed of an attempt entered before seeds were stored: fixed for it, not guessable
    without the ID number's keyed hash."""
    return f"legacy:{period_id}:{id_hash}"
