import pymupdf

from pipeline.checks.extract import comparable, read_pdf

A5_POINTS = (419.53, 595.28)


def test_pdf_pages_are_a5(small_editions):
    with pymupdf.open(small_editions["pdf"]) as pdf:
        for page in pdf:
            assert abs(page.rect.width - A5_POINTS[0]) < 1
            assert abs(page.rect.height - A5_POINTS[1]) < 1


def test_pdf_has_page_numbers(seed_editions):
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        assert pdf.page_count > 4
        for page in list(pdf)[1:]:
            bottom = page.rect.height - 45
            folios = [w[4] for w in page.get_text("words") if w[1] > bottom and w[4].isdigit()]
            assert folios == [str(page.number + 1)]


def test_pdf_notes_sit_under_the_rule_on_the_page_of_their_call(seed_editions):
    """Each note's text starts on the page whose body holds its call."""
    content = read_pdf(seed_editions["pdf"])
    assert content.notes
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        pages = [comparable(page.get_text()) for page in pdf]
    for number, note in enumerate(content.notes, start=1):
        opening = comparable(note)[:25]
        assert any(opening in page for page in pages), number


def test_pdf_reads_back_the_small_fixture(small_editions):
    content = read_pdf(small_editions["pdf"])
    assert len(content.notes) == 4
    assert content.headings == ["The first section", "The second section"]
    assert len(content.bibliography) == 2
