"""Reading the lines of complex scripts back from the print edition."""

from __future__ import annotations

import pymupdf
import pytest

from pipeline.checks.pdf_lines import page_lines, reading_order
from pipeline.layout.engine import import_weasyprint


@pytest.mark.parametrize(
    ("drawn", "read"),
    [
        ("Plain text (1948).", "Plain text (1948)."),
        (".صن English 1948 ةلصأتملا ةماركلاب", "بالكرامة المتأصلة English 1948 نص."),
        (
            "The word ةماركلاب means dignity (ةماركلا).",
            "The word بالكرامة means dignity (الكرامة).",
        ),
    ],
)
def test_a_line_read_from_left_to_right_is_put_in_reading_order(drawn, read):
    assert reading_order(drawn) == read


@pytest.mark.parametrize(
    ("lang", "direction", "face", "text"),
    [
        ("hi", "ltr", "Noto Serif Devanagari", "मानव अधिकारों की सार्वभौम घोषणा"),
        ("bn", "ltr", "Noto Serif Bengali", "মানবাধিকারের সার্বজনীন ঘোষণাপত্র"),
        ("th", "ltr", "Noto Serif Thai", "ปฏิญญาสากลว่าด้วยสิทธิมนุษยชน"),
        ("ar", "rtl", "Amiri", "لمّا كان الاعتراف بالكرامة المتأصلة"),
        ("ur", "rtl", "Amiri", "چونکہ ہر انسان کی ذاتی عزت اور حرمت"),
    ],
)
def test_the_print_edition_gives_complex_scripts_their_text(tmp_path, lang, direction, face, text):
    """Reordered vowel signs, conjuncts, ligatures and raised marks read back as written:
    the engine gives such lines their text (ActualText), and the checks read it."""
    html = (
        f'<html lang="{lang}" dir="{direction}"><body style="font-family: \'{face}\'">'
        f"<p>{text}</p><p>{text}</p></body></html>"
    )
    path = tmp_path / f"{lang}.pdf"
    import_weasyprint().HTML(string=html).write_pdf(path, pdf_tags=True)
    with pymupdf.open(path) as pdf:
        lines = page_lines(pdf[0])
    assert [line[3] for line in lines] == [text, text]
