"""Guess a text's language from its commonest short words.

Counting a score of function words per language is crude but needs no model: a few hundred
words of prose are enough to tell English, French, German, Spanish, Italian and Russian
apart. A text in none of these gets no guess.
"""

from __future__ import annotations

import re


def _common(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _common(
        "the and of to in is that it was for with as which this be by not are from have "
        "had were their they but"
    ),
    "fr": _common(
        "le la les et des du un une est que qui dans pour pas sur au aux ce avec il sont "
        "mais ou nous leur"
    ),
    "de": _common(
        "der die das und ist nicht ein eine zu den von mit sich auf dem des im auch es wird "
        "wurde dass sie aus"
    ),
    "es": _common(
        "el la los las y que de en un una es por con para del se no su al lo como pero sus fue"
    ),
    "it": _common(
        "il la di e che è un una per non sono del della con gli le si nel al da come anche "
        "dei delle"
    ),
    "ru": _common("и в не на что с по как это он к из но а для то от его за было они она же"),
}
WORD = re.compile(r"[^\W\d_]+")
SAMPLE_WORDS = 5000
MIN_SHARE = 0.08


def guess_language(text: str) -> str | None:
    """The code of the language whose common words make up most of ``text``, if any do."""
    words = [w.casefold() for w in WORD.findall(text)[:SAMPLE_WORDS]]
    if not words:
        return None
    scores = {
        code: sum(word in common for word in words) / len(words)
        for code, common in STOPWORDS.items()
    }
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= MIN_SHARE else None
