"""The kept layout reads back as it was written, under keys that change with the tools."""

from pipeline import cache as cache_module
from pipeline.cache import Cache, content_key
from pipeline.layout import PageTop, PrintLayout, PrintPages, store


def test_the_layout_reads_back_as_written(tmp_path):
    layout = PrintLayout(
        block_pages={1: 3, 2: 3, 7: 4},
        page_count=5,
        id_pages={"bibliography": 5},
        page_tops={3: PageTop(1, None, "The opening words"), 4: PageTop(None, "x", "")},
    )
    cache = Cache(tmp_path)
    store.save(cache, "a-title", "key1", PrintPages(layout, b"%PDF-1.7 pages"))
    kept = store.load(cache, "a-title", "key1", with_pdf=True)
    assert kept == PrintPages(layout, b"%PDF-1.7 pages")
    assert store.load(cache, "a-title", "key1", with_pdf=False) == PrintPages(layout, None)
    assert store.load(cache, "a-title", "other key", with_pdf=False) is None
    assert store.load(cache, "another-title", "key1", with_pdf=False) is None


def test_a_summary_without_its_pdf_does_not_serve_a_print_edition(tmp_path):
    cache = Cache(tmp_path)
    store.save(cache, "t", "k", PrintPages(PrintLayout(page_count=2), None))
    assert store.load(cache, "t", "k", with_pdf=True) is None
    assert store.load(cache, "t", "k", with_pdf=False) == PrintPages(PrintLayout(page_count=2))


def test_every_key_changes_with_the_tools_versions(monkeypatch):
    versions = cache_module.tool_versions()
    assert {"pypandoc-binary", "weasyprint", "pydyf", "pandoc binary"} <= set(versions)
    before = content_key(["same input"])
    upgraded = {**versions, "weasyprint": "999.0"}
    monkeypatch.setattr(cache_module, "tool_versions", lambda: upgraded)
    cache_module.code_version.cache_clear()
    try:
        assert content_key(["same input"]) != before
    finally:
        monkeypatch.undo()
        cache_module.code_version.cache_clear()
    assert content_key(["same input"]) == before
