"""Spacing a language sets around its punctuation, applied to the text of every edition.

French sets a narrow no-break space (U+202F) before ; ! ? and inside « », and a no-break
space before the colon; an author types an ordinary space there, or none, and the line
then breaks before the mark. Only running text is changed: code, formulas and addresses
keep their characters.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

NARROW = "\u202f"
NO_BREAK = "\u00a0"
UNTOUCHED = {"code", "pre", "kbd", "samp", "math", "script", "style", "a"}
"""Elements whose text is not running prose (a link's text is often its address)."""
INLINE = {"em", "strong", "span", "sup", "sub", "small", "mark", "cite", "q", "b", "i", "u", "s"}
"""Elements whose text runs on from the text before them."""

_SPACE = f"[ {NO_BREAK}{NARROW}]"
FRENCH = (
    # A space, or none after a word, before ; ! ? and », or « before a word.
    (re.compile(rf"(?<=[^\s{NO_BREAK}{NARROW};!?]){_SPACE}?([;!?»])"), rf"{NARROW}\1"),
    (re.compile(rf"^{_SPACE}?([;!?»])"), rf"{NARROW}\1"),
    (re.compile(rf"«{_SPACE}?(?=\S)"), f"«{NARROW}"),
    # The colon: only after a space, so that 10:30 and http:// stay as they are.
    (re.compile(rf"{_SPACE}:"), f"{NO_BREAK}:"),
)


def space_punctuation(body: HtmlElement, spacing: str | None) -> None:
    """Set the language's spaces around punctuation in the running text of ``body``."""
    if spacing != "french":
        return
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and not _untouched(element):
            element.text = french(element.text, element.tag in INLINE)
        parent = element.getparent()
        if element.tail and not (parent is not None and _untouched(parent)):
            element.tail = french(element.tail)


def french(text: str, after_text: bool = True) -> str:
    """``text`` with French spacing; ``after_text`` says whether it follows other text, so
    that a mark at its start gets its space too."""
    patterns = FRENCH if after_text else FRENCH[:1] + FRENCH[2:]
    for pattern, replacement in patterns:
        text = pattern.sub(replacement, text)
    return text


def _untouched(element: HtmlElement) -> bool:
    return element.tag in UNTOUCHED or any(
        ancestor.tag in UNTOUCHED for ancestor in element.iterancestors()
    )
