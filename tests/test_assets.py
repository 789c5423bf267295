"""Images on the web are linked, never fetched; a site's own image paths follow base-url."""

from pipeline.build import build


def write_essay(folder, body: str, extra: str = "") -> object:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "essay.md"
    path.write_text(f"---\ntitle: Pictures\n{extra}---\n\n{body}\n", encoding="utf-8")
    return path


def test_an_image_on_the_web_becomes_a_link_with_a_warning(tmp_path):
    essay = write_essay(tmp_path / "m", "See ![the chart](https://example.org/chart.png) here.")
    warnings: list[str] = []
    built = build(essay, ["html"], tmp_path / "out", warn=warnings.append)
    page = built[0].path.read_text(encoding="utf-8")
    assert '<a href="https://example.org/chart.png" class="remote-image">the chart</a>' in page
    assert "<img" not in page.split("<main", 1)[1]
    assert warnings == [
        f"{essay.resolve()}:5: links to the image https://example.org/chart.png instead of"
        " showing it: the pipeline reads no file from the network"
    ]


def test_a_site_path_follows_base_url(tmp_path):
    essay = write_essay(
        tmp_path / "m", "![map](/images/map.png)", extra="base-url: https://example.org/\n"
    )
    warnings: list[str] = []
    page = build(essay, ["html"], tmp_path / "out", warn=warnings.append)[0].path.read_text()
    assert 'href="https://example.org/images/map.png"' in page
    assert len(warnings) == 1 and "/images/map.png" in warnings[0]
