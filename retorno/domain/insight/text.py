"""Shopper writing made comparable: one spelling for what people type many ways.

Comments come lowercase or shouting, with and without accents, with stretched letters
("grandeeee"), chat shorthand ("xq", "tmb", "pls"), apostrophes dropped ("doesnt") and emoji.
`normalise` folds all of that into plain lowercase ASCII words, so rules and features see
one form. Pure functions; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

# Emoji that carry meaning in a return comment become words both languages' rules know.
_EMOJI_WORDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "💔": " roto ",
        "🔨": " roto ",
        "📦": " paquete ",
        "🐌": " tarde ",
        "⏰": " tarde ",
        "⌛": " tarde ",
        "💸": " precio ",
        "💰": " precio ",
        "🤏": " pequeno ",
        "😡": " ",
        "😤": " ",
        "😞": " ",
        "😢": " ",
        "😭": " ",
        "🙁": " ",
        "👎": " ",
        "👍": " ",
        "🙏": " ",
        "😅": " ",
        "🤷": " ",
    }
)

# Chat shorthand, word for word. Only forms that cannot be a real word of either language.
_SHORTHAND: MappingProxyType[str, str] = MappingProxyType(
    {
        "q": "que",
        "k": "que",
        "xq": "porque",
        "pq": "porque",
        "porq": "porque",
        "xk": "porque",
        "tb": "tambien",
        "tmb": "tambien",
        "tbn": "tambien",
        "tambn": "tambien",
        "d": "de",
        "pa": "para",
        "bn": "bien",
        "mxo": "mucho",
        "muxo": "mucho",
        "nd": "nada",
        "u": "you",
        "ur": "your",
        "pls": "please",
        "plz": "please",
        "bc": "because",
        "cuz": "because",
        "coz": "because",
        "bcz": "because",
        "w": "with",
        "wo": "without",
        "thx": "thanks",
        "im": "i am",
        "ive": "i have",
        "dont": "do not",
        "doesnt": "does not",
        "didnt": "did not",
        "isnt": "is not",
        "wasnt": "was not",
        "werent": "were not",
        "arent": "are not",
        "cant": "can not",
        "cannot": "can not",
        "couldnt": "could not",
        "wont": "will not",
        "wouldnt": "would not",
        "havent": "have not",
        "hasnt": "has not",
        "itll": "it will",
        "thats": "that is",
        "theres": "there is",
        "whats": "what is",
        "r": "are",
        "n": "and",
        "b4": "before",
        "gonna": "going to",
        "wanna": "want to",
        "aint": "is not",
        "dnt": "do not",
    }
)

# Misspellings shoppers make often enough to spell out (typed fast on a phone, or by ear:
# "y" for "ll", "b" for "v", "s" for "c", "k" for "qu").
_MISSPELLINGS: MappingProxyType[str, str] = MappingProxyType(
    {
        "kiero": "quiero",
        "kieres": "quieres",
        "kisiera": "quisiera",
        "keda": "queda",
        "kedan": "quedan",
        "kedo": "quedo",
        "ke": "que",
        "qiero": "quiero",
        "nesesito": "necesito",
        "nesecito": "necesito",
        "nesesitaba": "necesitaba",
        "demaciado": "demasiado",
        "yego": "llego",
        "yegaron": "llegaron",
        "yegar": "llegar",
        "yega": "llega",
        "bino": "vino",
        "binieron": "vinieron",
        "recivi": "recibi",
        "recivido": "recibido",
        "resivi": "recibi",
        "funsiona": "funciona",
        "funciana": "funciona",
        "piecas": "piezas",
        "peqeno": "pequeno",
        "xico": "chico",
        "xica": "chica",
        "golpeao": "golpeado",
        "rompido": "roto",
        "varato": "barato",
        "imajen": "imagen",
        "fto": "foto",
        "lao": "lado",
        "recieved": "received",
        "recieve": "receive",
        "recived": "received",
        "dosent": "does not",
        "dosnt": "does not",
        "doesent": "does not",
        "doesnot": "does not",
        "stoped": "stopped",
        "brokeen": "broken",
        "borken": "broken",
        "orderd": "ordered",
        "oredered": "ordered",
        "missin": "missing",
        "arived": "arrived",
        "arrvied": "arrived",
        "crushd": "crushed",
        "massiv": "massive",
        "cheeper": "cheaper",
        "anothr": "another",
        "somthing": "something",
        "nothin": "nothing",
        "anymor": "anymore",
        "realy": "really",
        "colur": "colour",
        "smal": "small",
        "tite": "tight",
        "becuase": "because",
        "wierd": "weird",
        "definately": "definitely",
        "wich": "which",
        "waht": "what",
        "teh": "the",
    }
)

_APOSTROPHES = re.compile(r"[’'`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_STRETCHED_END = re.compile(r"([aeiou])\1{2,}\b")
_STRETCHED_VOWEL = re.compile(r"([aiu])\1{2,}")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")


def fold(text: str) -> str:
    """Lowercase ASCII: accents dropped ("pequeño" → "pequeno"), emoji with a meaning turned
    into a word, every other symbol dropped. Keeps punctuation that ends a clause as " . "
    so negation can stop there."""
    for emoji, word in _EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = ascii_text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o")
    ascii_text = _APOSTROPHES.sub("", ascii_text).replace("%", " pct ")
    return re.sub(r"[.;:!?¡¿,()\[\]\n]+", " . ", ascii_text)


def words(text: str) -> list[str]:
    """The comment's words, normalised: folded, stretched letters cut back (see _unstretch),
    shorthand spelled out, digits apart from letters ("talla38" → "talla 38").
    Clause ends appear as "." tokens."""
    tokens: list[str] = []
    for chunk in fold(text).split():
        if chunk == ".":
            if tokens and tokens[-1] != ".":
                tokens.append(".")
            continue
        chunk = _DIGIT_LETTER.sub(" ", _unstretch(chunk))
        for raw in _NOT_WORD.split(chunk):
            if not raw:
                continue
            raw = _MISSPELLINGS.get(raw, raw)
            tokens.extend(_SHORTHAND.get(raw, raw).split())
    while tokens and tokens[-1] == ".":
        tokens.pop()
    return tokens


def _unstretch(word: str) -> str:
    """Letters typed three times or more: a vowel ending a word once ("grandeeee", "tooo"), one
    for a, i, u inside it ("aprietaaan"; neither language doubles them), two otherwise
    ("loooose" → "loose", "goood" → "good")."""
    word = _STRETCHED_END.sub(r"\1", word)
    word = _STRETCHED_VOWEL.sub(r"\1", word)
    return _STRETCHED.sub(r"\1\1", word)


def normalise(text: str) -> str:
    """The comment as one line of normalised words (clause ends kept as " . ")."""
    return " ".join(words(text))
