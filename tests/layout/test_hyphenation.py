"""Hyphenation patterns kept compiled: the same hyphenation as pyphen's own parse."""

from __future__ import annotations

from pathlib import Path

import pyphen
import pytest

from pipeline.layout import hyphenation

WORDS = {
    "en_GB": ["hyphenation", "revolutionary", "counter-revolution", "international", "fractions"],
    "de_DE": ["Gesellschaftsordnung", "Arbeiterbewegung", "Unabhängigkeit"],
    "ru_RU": ["революционный", "пролетариат", "коммунистический"],
    "fr": ["révolutionnaire", "internationale", "prolétariat"],
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PIPELINE_USER_CACHE", str(tmp_path))
    monkeypatch.setattr(pyphen, "hdcache", {})
    return tmp_path / hyphenation.FOLDER


def _path(language: str) -> Path:
    return Path(pyphen.LANGUAGES[pyphen.language_fallback(language)])


@pytest.mark.parametrize("language", sorted(WORDS))
def test_a_kept_dictionary_hyphenates_as_the_parsed_one(language: str, user_cache: Path):
    path = _path(language)
    first = hyphenation.dictionary(path)
    assert len(list(user_cache.iterdir())) == 1
    kept = hyphenation.dictionary(path)
    parsed = pyphen.HyphDict(path)
    assert type(kept) is pyphen.HyphDict and kept is not first
    assert kept.patterns == parsed.patterns
    assert kept.maxlen == parsed.maxlen
    for word in WORDS[language]:
        assert kept.positions(word) == parsed.positions(word), word
        assert kept.positions(word), f"{word} has no hyphenation point in {language}"


def test_preload_puts_the_patterns_where_weasyprint_asks_for_them():
    hyphenation.preload(["en-GB", "en-GB", "xx-unknown"])
    kept = pyphen.hdcache[_path("en-GB")]
    assert pyphen.Pyphen(lang="en_GB").hd is kept
    assert len(pyphen.hdcache) == 1


def test_patterns_of_nonstandard_hyphenation_are_parsed_every_time(user_cache: Path):
    path = _path("hu_HU")
    hyph = hyphenation.dictionary(path)
    assert not user_cache.exists() or not list(user_cache.iterdir())
    parsed = pyphen.HyphDict(path)
    assert [p.data for p in hyph.positions("asszony")] == [
        p.data for p in parsed.positions("asszony")
    ]


@pytest.mark.parametrize("garbage", [b"", b"not marshal", b"\xe9" * 40])
def test_a_damaged_kept_file_is_parsed_again_and_replaced(garbage: bytes, user_cache: Path):
    path = _path("en_GB")
    hyphenation.dictionary(path)
    (kept,) = user_cache.iterdir()
    kept.write_bytes(garbage)
    hyph = hyphenation.dictionary(path)
    assert hyph.patterns == pyphen.HyphDict(path).patterns
    assert kept.read_bytes() != garbage


def test_no_user_cache_folder_still_hyphenates(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(hyphenation, "user_cache_folder", lambda: None)
    hyph = hyphenation.dictionary(_path("en_GB"))
    assert hyph.positions("hyphenation")


def test_pyphen_is_the_release_whose_internals_are_read():
    pin = next(
        line
        for line in (Path(__file__).parents[2] / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"pyphen==')
    )
    assert pin.strip().strip('",') == f"pyphen=={pyphen.__version__}"
