from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.metadata import load_metadata, metadata_from_front_matter, slugify


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "metadata.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> PipelineError:
    with pytest.raises(PipelineError) as caught:
        load_metadata(write(tmp_path, text))
    return caught.value


def test_valid_metadata_is_read(tmp_path):
    meta = load_metadata(
        write(tmp_path, "title: T\nauthor: A\ndate: 2000-05-01\nprint:\n  page-size: A5\n")
    )
    assert meta.title == "T"
    assert meta.authors == ["A"]
    assert meta.get("date") == "2000-05-01"
    assert meta.section("print") == {"page-size": "A5"}
    assert meta.slug == "t"


def test_missing_title_names_the_key(tmp_path):
    error = error_for(tmp_path, "author: A\n")
    assert "'title'" in str(error) and "metadata.yaml" in str(error)


def test_malformed_yaml_gives_the_line(tmp_path):
    error = error_for(tmp_path, "title: T\nauthor: [A, B\nlang: en\n")
    assert error.line is not None and error.line >= 2
    assert "not valid YAML" in error.message


def test_unknown_key_gives_key_and_line(tmp_path):
    error = error_for(tmp_path, "title: T\ntitel: typo\n")
    assert "'titel'" in error.message
    assert error.line == 2


def test_unknown_nested_key(tmp_path):
    error = error_for(tmp_path, "title: T\nprint:\n  paper: A5\n")
    assert "'print.paper'" in error.message
    assert error.line == 3


def test_duplicate_key(tmp_path):
    error = error_for(tmp_path, "title: T\ntitle: U\n")
    assert "twice" in error.message and error.line == 2


def test_wrong_type(tmp_path):
    error = error_for(tmp_path, "title: T\nprint:\n  toc: maybe\n")
    assert "'print.toc' must be a true or false" in error.message


def test_not_a_mapping(tmp_path):
    error = error_for(tmp_path, "- just\n- a list\n")
    assert "map" in error.message


def test_empty_file(tmp_path):
    assert "empty" in error_for(tmp_path, "").message


def test_bad_language_tag(tmp_path):
    assert "'lang'" in error_for(tmp_path, "title: T\nlang: English please\n").message


def test_slugify():
    assert slugify("1922–3: The communist fractions against the rising") == (
        "1922-3-the-communist-fractions-against"
    )


def test_checks_ignore_is_a_list_of_rule_ids(tmp_path):
    text = "title: T\nchecks:\n  ignore:\n    - epub.page-list\n    - html.nu-warning\n"
    meta = load_metadata(write(tmp_path, text))
    assert meta.section("checks") == {"ignore": ["epub.page-list", "html.nu-warning"]}


def test_checks_ignore_names_an_unknown_rule(tmp_path):
    error = error_for(tmp_path, "title: T\nchecks:\n  ignore: [epub.page-list, pdf.fonts]\n")
    assert "'pdf.fonts'" in error.message and "not a check rule" in error.message
    assert error.line == 3 and error.path.name == "metadata.yaml"


def test_checks_ignore_must_be_a_list(tmp_path):
    error = error_for(tmp_path, "title: T\nchecks:\n  ignore: {epub.page-list: true}\n")
    assert error.message == "'checks.ignore' must be a list of texts"
    assert error.line == 3


def test_checks_has_only_the_ignore_key(tmp_path):
    error = error_for(tmp_path, "title: T\nchecks:\n  skip: [epub.page-list]\n")
    assert "'checks.skip'" in error.message and error.line == 3


def front_matter_error(source: str, first_line: int = 2) -> PipelineError:
    with pytest.raises(PipelineError) as caught:
        metadata_from_front_matter(source, Path("essay.md"), first_line)
    return caught.value


def test_front_matter_is_validated_like_metadata_yaml():
    meta = metadata_from_front_matter("title: T\nprint:\n  page-size: A5\n", Path("e.md"), 2)
    assert meta.title == "T" and meta.section("print") == {"page-size": "A5"}
    assert meta.path == Path("e.md")
    assert meta.line_of("title") == 2 and meta.line_of("print.page-size") == 4


def test_front_matter_errors_give_the_line_in_the_markdown_file():
    error = front_matter_error("title: T\nauthor: {name: A}\n", first_line=5)
    assert "'author'" in error.message
    assert (error.path, error.line) == (Path("essay.md"), 6)
    passed_over = metadata_from_front_matter("title: T\ntitel: typo\n", Path("essay.md"), 5)
    assert passed_over.warnings == ("essay.md:6: passes over 'titel', which the pipeline ignores",)
    assert front_matter_error("title: T\nprint:\n  paper: A5\n").line == 4
    assert front_matter_error("title: T\nlang: English please\n").line == 3


def test_front_matter_that_is_not_a_map():
    error = front_matter_error("- just\n- a list\n")
    assert error.message == "front matter must be a map of keys to values"
    assert error.line == 2


def test_front_matter_with_bad_yaml_gives_its_line():
    error = front_matter_error("title: T\nauthor: [A, B\nlang: en\n")
    assert error.message.startswith("front matter is not valid YAML")
    assert error.line is not None and error.line >= 3


def test_empty_front_matter_and_missing_title_point_at_the_opening_line():
    empty = front_matter_error("")
    assert empty.message == "front matter is empty; it needs at least a title"
    assert empty.line == 1
    untitled = front_matter_error("author: A\n")
    assert "front matter has no 'title'" in untitled.message and untitled.line == 1
