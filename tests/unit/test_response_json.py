"""Responses' JSON: a value answered again and again is encoded once, to the very same text."""

from __future__ import annotations

import json

import pytest

from chalicelib.web.http import ReusedJson, json_response, json_text


def _dumps(body: object) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def test_reused_values_give_the_text_of_the_whole_body_byte_for_byte():
    questions = [{"id": "s1", "text": "单选题 1", "options": {"B": "乙", "A": "甲"}, "order": ["B", "A"]}]
    for answers in ({}, {"s1": ["B"]}, {"s1": ["A"]}):
        body = {"title": "考试", "questions": questions, "answers": answers, "seconds_left": 60}
        assert json_text(body, reused=("questions",)) == _dumps(body)
        assert json_response(body, reused=("questions",)).body == _dumps(body)
    assert json_text({1: "x"}, reused=("1",)) == _dumps({1: "x"})
    assert json_text(["not", "an", "object"], reused=("questions",)) == _dumps(["not", "an", "object"])


def test_a_reused_value_is_encoded_once_and_only_the_same_object_gets_its_text():
    texts = ReusedJson(size=2)
    paper = ["甲"]
    assert texts.text(paper) == '["甲"]'
    paper.append("changed")  # against the contract: shows the stored text is answered
    assert texts.text(paper) == '["甲"]'
    assert texts.text(["甲", "changed"]) == '["甲","changed"]'  # an equal list is another object


def test_only_the_last_values_are_kept():
    texts = ReusedJson(size=2)
    first, second, third = ["a"], ["b"], ["c"]
    for value in (first, second, third):
        texts.text(value)
    second.append("y")
    assert texts.text(second) == '["b"]'  # kept
    first.append("x")
    assert texts.text(first) == '["a","x"]'  # evicted, so encoded again


def _refusal(text: str) -> str | None:
    from chalicelib.domain.errors import BadRequest
    from chalicelib.web.http import parse_json

    try:
        parse_json(text)
    except BadRequest as refused:
        return refused.message
    return None


@pytest.mark.parametrize("escaped", [False, True])
def test_nesting_is_refused_past_32_levels_with_or_without_escapes(escaped: bool):
    from chalicelib.web.http import TOO_DEEP_MESSAGE

    text = "\\u00e9" if escaped else "é"
    for depth, refused in ((32, None), (33, TOO_DEEP_MESSAGE)):
        inner = '{"a":' * (depth - 1) + f'["{text}"]' + "}" * (depth - 1)
        assert _refusal(inner) == refused, depth
    # Many brackets side by side are shallow: the count alone refuses nothing.
    assert _refusal("[" + ",".join(["[1]"] * 60) + "]") is None


@pytest.mark.parametrize("body", ['{"a":"\\ud800"}', '{"\\udc00":1}', '{"a":["x",{"b":"\\ud83d"}]}'])
def test_a_lone_surrogate_escape_is_refused_in_a_key_or_a_value(body: str):
    from chalicelib.web.http import SURROGATE_MESSAGE

    assert _refusal(body) == SURROGATE_MESSAGE
    assert _refusal('{"a":"\\ud83d\\ude00"}') is None  # a pair is one character
