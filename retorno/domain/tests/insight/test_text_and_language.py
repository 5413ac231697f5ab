"""Normalising shopper writing, and telling its language."""

from __future__ import annotations

import pytest

from retorno.domain.insight.language import detect_language, has_letters
from retorno.domain.insight.text import normalise, words


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Me queda PEQUEÑO", "me queda pequeno"),
        ("GRANDEEEE", "grande"),
        ("me aprietaaan", "me aprietan"),
        ("tooooo smalll", "to small"),
        ("it is loooose", "it is loose"),
        ("doesnt work", "does not work"),
        ("Xq no me lo cambiáis??", "porque no me lo cambiais"),
        ("yego roto", "llego roto"),
        ("recieved the wrong one", "received the wrong one"),
        ("talla38", "talla 38"),
        ("30% off", "30 pct off"),
        ("Llegó roto 💔", "llego roto roto"),
        ("no funciona, llegó tarde", "no funciona . llego tarde"),
    ],
)
def test_normalise(written, normalised):
    assert normalise(written) == normalised


def test_clause_ends_are_kept_once_and_never_at_the_edges():
    assert words("¡¡No!!... vale.") == ["no", ".", "vale"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Me queda pequeño, pedí mi talla de siempre", "es"),
        ("pedi la talla 38 y me mandaron la 40", "es"),
        ("The shoes pinch my toes after ten minutes", "en"),
        ("it's way too big on me", "en"),
        ("la talla L me queda too tight, necesito una más", "es"),
        ("não serviu, ficou muito pequeno e a cor é diferente", "other"),
        ("Je le renvoie, la taille est trop petite", "other"),
        ("Ich möchte es zurückgeben, es ist leider zu klein", "other"),
        ("XL", None),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text).code == language


def test_letters_are_what_there_is_to_read():
    assert has_letters("ok!")
    assert not has_letters("👍👍 ...")
    assert not has_letters("")
