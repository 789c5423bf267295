"""The manuscript lint rules stay quiet on clean text and on the seed, and find the known
defects of a raw source text. Each rule firing on a text made to break it is tested from
its fixture folder under tests/checks/rules/ (test_rules.py)."""

import shutil

from tests.checks.helpers import fired, manuscript
from tests.conftest import FIXTURES, SEED

BIB = "@book{known, author={A, B}, title={T}, year=2000}\n@book{unused, title={U}, year=1}\n"


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
