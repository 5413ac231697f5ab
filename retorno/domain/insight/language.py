"""Which language a comment is written in: Spanish, English, or another one.

Shopper comments are short, so this counts function words (the words every sentence needs:
articles, pronouns, prepositions) and a few return words per language, on the normalised
text. Portuguese, French, German and Italian are scored too, so that a comment in one of them
is recognised as "other" instead of being read as bad Spanish or English. A comment with no
telling word has no language (None): the caller decides (the shopper's language, or what the
rules recognised).
"""

from __future__ import annotations

from dataclasses import dataclass

from retorno.domain.insight.text import fold, words

SUPPORTED: tuple[str, ...] = ("es", "en")
OTHER = "other"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOCABULARY: dict[str, frozenset[str]] = {
    "es": _words(
        "ahi ahora al antes aqui asi aunque bien caja cambio camisa chica chico color como "
        "compre con cuando de del despues devolver dias donde el enviaron era es ese eso esta "
        "estan este esto fin fue funciona grande grandes gusta gusto hace hasta hay la las le "
        "les llegaron llego lo los mal mandaron mas me menos mi mis muy nada necesito ni no "
        "nunca o otra otro pantalon para pedi pedido pequena pequeno pero por porque precio "
        "pues que queda quedan quedo queria quiero regalo rota roto se semana sin solo son su "
        "sus talla tallas tambien tarde te tela tengo tiene toda todo un una unas unos vestido "
        "vino y ya zapatillas"
    ),
    "en": _words(
        "a after all also an and are arrived as at be because been before big bought box broken "
        "but by came color colour days did do does fabric fit fits fitting for from get gift "
        "got had has have he i into is it its just large late like liked loose me missing my "
        "need needed no not of on one only or ordered other price really same she size small so "
        "still than that the them then there these they this those tight too two very want "
        "wanted was week were what when where which who with without work working works wrong "
        "you your"
    ),
    "pt": _words(
        "ainda chegou com da das do dos e ela ele eles em esta este funciona grande isso ja "
        "mais mas meu minha muito na nao nas no nos o obrigado os ou para pequeno porque pra "
        "que quebrado sem seu sim sua tamanho tambem um uma umas uns veio voce"
    ),
    "fr": _words(
        "arrive aussi avec casse ce cette de deja des du elle encore est et etait fonctionne "
        "grand grande il ils j je la le les ma mais mes moins mon ne nous ou parce pas petit "
        "petite plus pour que qui sans sont taille tres trop un une vous"
    ),
    "de": _words(
        "aber angekommen auch das dass der die du ein eine einen er funktioniert fur geliefert "
        "gross grosse ich ist kaputt kein keine klein leider mehr mein meine mit nicht noch "
        "oder ohne schon sehr sie sind und war weil wir zu zum zur"
    ),
    "it": _words(
        "anche ancora arrivata arrivato che con del della di e era funziona gia gli grande il "
        "io la le lo ma meno mia mio molto non o per perche piccola piccolo piu questa questo "
        "rotto senza sono taglia troppo un una"
    ),
}
# Letters only one candidate writes (in the text before accents are folded away).
_LETTER_CUES: dict[str, str] = {"ñ": "es", "¿": "es", "¡": "es", "ã": "pt", "õ": "pt", "ç": "pt"}
_GERMAN_LETTERS = frozenset("äöüß")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """`code` is "es", "en", "other" or None (nothing telling); `scores` per candidate."""

    code: str | None
    scores: tuple[tuple[str, float], ...]


def detect_language(text: str) -> LanguageGuess:
    """Guess the language of `text` from its function words and telling letters.

    Each word known to a candidate's vocabulary adds 1 to it (divided among the candidates
    that share it, so "que" or "no" count little); a telling letter adds 1.5. The best
    candidate wins when it leads; a tie between Spanish and English goes to neither (None),
    a lead of another language makes the comment "other".
    """
    tokens = [token for token in words(text) if token != "."]
    scores = dict.fromkeys(_VOCABULARY, 0.0)
    for token in tokens:
        owners = [code for code, vocabulary in _VOCABULARY.items() if token in vocabulary]
        for code in owners:
            scores[code] += 1.0 / len(owners)
    lowered = text.casefold()
    for letter, code in _LETTER_CUES.items():
        if letter in lowered:
            scores[code] += 1.5
    if any(letter in lowered for letter in _GERMAN_LETTERS):
        scores["de"] += 1.5
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, best_score = ranked[0]
    runner_score = ranked[1][1]
    rounded = tuple((code, round(score, 3)) for code, score in ranked)
    if best_score <= 0:
        return LanguageGuess(None, rounded)
    if best in SUPPORTED:
        if best_score - runner_score < 1e-9:
            return LanguageGuess(None, rounded)
        return LanguageGuess(best, rounded)
    # Another language leads. Spanish and Portuguese share much: only a clear lead counts.
    supported_best = max(scores[code] for code in SUPPORTED)
    if best_score >= supported_best + 1.0 and best_score >= 1.5:
        return LanguageGuess(OTHER, rounded)
    fallback = max(SUPPORTED, key=lambda code: scores[code])
    if scores[fallback] <= 0:
        return LanguageGuess(None, rounded)
    return LanguageGuess(fallback, rounded)


def has_letters(text: str) -> bool:
    """Whether the comment has anything to read (letters, once folded)."""
    return any(ch.isalpha() for ch in fold(text))
