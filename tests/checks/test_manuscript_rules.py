"""Each manuscript lint rule fires on a text made to break it, and the seed is clean."""

import shutil

import pytest

from pipeline.checks.registry import all_rules
from tests.checks.helpers import fired, manuscript
from tests.conftest import FIXTURES, SEED

BIB = "@book{known, author={A, B}, title={T}, year=2000}\n@book{unused, title={U}, year=1}\n"

DUPLICATE = "@book{known, title={Again}, year=2001}\n"

CASES = {
    "manuscript.unknown-citation": ("See [@ghost].\n", "text.md:1"),
    "manuscript.uncited-entry": ("Cites [@known] only.\n", "references.bib:2"),
    "manuscript.unused-note": ("Text.\n\n[^a]: Never called.\n", "text.md:3"),
    "manuscript.undefined-note": ("Text[^b].\n", "text.md:1"),
    "manuscript.duplicate-note": ("A[^a].\n\n[^a]: One.\n\n[^a]: Two.\n", "text.md:5"),
    "manuscript.duplicate-entry": ("Cites [@known; @unused].\n", "references.bib:3"),
    "manuscript.straight-quote": ('He said "no" twice.\n', "text.md:1"),
    "manuscript.unbalanced-quotes": ("He said “no and left.\n", "text.md:1"),
    "manuscript.hyphen-as-dash": ("Words - then more.\n", "text.md:1"),
    "manuscript.mixed-dashes": ("One – two.\n\nThree – four.\n\nFive - six.\n", "text.md:5"),
    "manuscript.doubled-space": ("Two  spaces.\n", "text.md:1"),
    "manuscript.doubled-word": ("It was the the end.\n", "text.md:1"),
    "manuscript.image-alt": ("![](images/x.png)\n", "text.md:1"),
    "manuscript.three-dots": ("And so...\n", "text.md:1"),
    "manuscript.image-file": ("Text.\n\n![Alt](../outside.png)\n", "text.md:3"),
    "manuscript.active-content": ('Text.\n\nA <span onclick="x()">trap</span>.\n', "text.md:3"),
    "manuscript.heading-skip": ("# One\n\n### Three\n", "text.md:3"),
}


def test_every_manuscript_rule_has_a_case():
    rules = {rid for rid, r in all_rules().items() if r.subject == "manuscript"}
    assert rules == set(CASES)


@pytest.mark.parametrize("rule_id", CASES)
def test_rule_fires_at_the_right_place(rule_id, tmp_path):
    text, place = CASES[rule_id]
    bib = BIB + DUPLICATE if rule_id == "manuscript.duplicate-entry" else BIB
    folder = manuscript(tmp_path / "m", text, bib=bib)
    places = fired(folder, "manuscript").get(rule_id, [])
    assert any(p.startswith(place) for p in places), places


def test_clean_text_fires_nothing(tmp_path):
    text = (
        "# One\n\nIt’s “quoted” – and cited [@known; @unused].[^n]\n\n"
        "Term\n:   A definition.\n\n1.  A numbered item.\n\n[^n]: A note.\n"
    )
    folder = manuscript(tmp_path / "m", text, bib=BIB)
    assert fired(folder, "manuscript") == {}


def test_seed_manuscript_is_clean():
    assert fired(SEED, "manuscript") == {}


def test_raw_source_text_shows_its_defects(tmp_path):
    """The plain-text source mixes ' - ' with ' – ' and has quotations without an opening
    mark; the manuscript edited from it fixed both."""
    folder = manuscript(tmp_path / "raw", "")
    shutil.copy(FIXTURES / "source" / "communist-fractions-1922-3.txt", folder / "text.md")
    found = fired(folder, "manuscript")
    assert len(found["manuscript.hyphen-as-dash"]) == 11
    assert found["manuscript.mixed-dashes"] == [
        "text.md:3: 7 × spaced en dash ' – ' beside 13 × spaced hyphen ' - '"
    ]
    unbalanced = found["manuscript.unbalanced-quotes"]
    assert sum("an opening “ is missing" in u for u in unbalanced) == 3
    assert set(found) == {
        "manuscript.three-dots",
        "manuscript.hyphen-as-dash",
        "manuscript.mixed-dashes",
        "manuscript.unbalanced-quotes",
    }
