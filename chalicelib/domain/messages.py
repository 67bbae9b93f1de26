"""Candidate wording longer than one error message, kept with the FAQ's (templates/faq.html)."""

from __future__ import annotations

# In the words of the FAQ (templates/faq.html): what happened, and what to do.
DUPLICATE_MESSAGES = {
    "id_number": "该身份证号已报名本期考试，说明您本人（或同事替您）已经报过名，无需重复报名。"
    "请记下考试时间，继续学习课程；忘记考试时间可在「查询报名与成绩」中查看。",
    "phone": "该手机号已被其他身份证号使用，可能是同事用您的手机号替他人报了名。请填写您本人的手机号。",
    "email": "该邮箱已被其他身份证号使用，可能是同事用您的邮箱替他人报了名。请填写您本人的电子邮箱。",
}
