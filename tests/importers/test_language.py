"""Telling the language of a text from its commonest words."""

from __future__ import annotations

import pytest

from pipeline.importers.language import guess_language

SAMPLES = {
    "en": "The state is not ruled by the bourgeoisie, but by the proletariat of the country.",
    "fr": "Le parti et les ouvriers sont dans une lutte qui ne finit pas avec la révolution.",
    "de": "Die Partei und die Arbeiter sind in einem Kampf, der nicht mit dem Krieg endet.",
    "es": "El partido y los obreros están en una lucha que no termina con la revolución.",
    "it": "Il partito e gli operai sono in una lotta che non finisce con la rivoluzione.",
    "ru": "Партия и рабочие ведут борьбу, которая не кончается на этом, а только начинается.",
}


@pytest.mark.parametrize("code", list(SAMPLES))
def test_each_language_is_told_apart(code):
    assert guess_language(SAMPLES[code]) == code


def test_no_guess_without_common_words():
    assert guess_language("1923 1924 — 46 IR 100") is None
    assert guess_language("Xylophones zigzag quickly") is None
