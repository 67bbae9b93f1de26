"""A request body's depth is told from its text (`nests_deeper`): the same verdict as
counting the parsed document's levels, whatever its strings hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.web.http import nests_deeper


def _levels(document: Any) -> int:
    if isinstance(document, dict):
        return 1 + max((_levels(value) for value in document.values()), default=0)
    if isinstance(document, list):
        return 1 + max((_levels(value) for value in document), default=0)
    return 0


# Strings full of what the text test must not mistake for structure.
_TRICKY = st.text(alphabet='[]{}"\\,:ab\n\u00e9', max_size=6)
_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY, inner, max_size=3),
    max_leaves=40,
)


@given(_DOCUMENTS, st.integers(min_value=0, max_value=8), st.booleans())
def test_the_text_tells_the_depth_the_document_has(document: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(document, ensure_ascii=ascii_only, indent=None if ascii_only else 1)
    assert nests_deeper(text, limit) == (_levels(document) > limit)


@pytest.mark.parametrize(
    ("text", "limit", "deeper"),
    [
        ('{"answers":{"s1":["A"],"s2":[]}}', 3, False),
        ('{"answers":{"s1":["A"],"s2":[[]]}}', 3, True),
        ('{"a":"[[[[\\"]]]]"}', 1, False),  # brackets and an escaped quote inside a string
        ("[" * 33 + "]" * 33, 32, True),
        ("[" * 32 + "]" * 32, 32, False),
        ('"just a string"', 0, False),
    ],
)
def test_the_depth_of_examples(text: str, limit: int, deeper: bool) -> None:
    json.loads(text)
    assert nests_deeper(text, limit) is deeper
