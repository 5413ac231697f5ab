"""What the demo's shoppers write, and the few customers whose history tells a story.

Plain data, no randomness and no database: `generator.py` draws from it with its seeded RNG.
The comments read like shoppers' (short, chatty, typos, no accents, an emoji); some say another
reason than the one picked (a shopper who clicked "too small" and writes that it is huge, or
"changed my mind" and writes that it came broken), and most "other" picks say a reason in words,
so the back office has predictions, contradictions and "other" returns to sort.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "too_small": (
            "Me queda pequeño, necesito una talla más.",
            "Talla muy justa, no me cierra.",
            "me aprieta muchisimo de hombros",
            "Pedí mi talla de siempre y me queda chico.",
            "no me entra, me queda pequeño 😕",
        ),
        "too_large": (
            "Me queda grande.",
            "Es mucho más holgado de lo que esperaba, me sobra por todas partes.",
            "me queda enorme, necesito una talla menos",
            "Talla muy grande, me baila.",
        ),
        "defective": (
            "No enciende.",
            "Deja de funcionar a los pocos días.",
            "La costura se abrió al primer lavado.",
            "se apaga solo cada dos por tres",
            "La cremallera se rompió el segundo día.",
        ),
        "damaged": (
            "Llegó con la caja rota.",
            "Vino con un golpe en un lateral.",
            "Llegó manchado.",
            "el paquete llego mojado y la tela tiene una mancha",
            "Venía roto 💔",
        ),
        "missing_parts": (
            "Falta el cable de carga.",
            "No venía el cinturón que sale en la foto.",
            "faltan piezas, no trae los tornillos",
        ),
        "wrong_item": (
            "Me enviaron otro color.",
            "No es la talla que pedí, pedí una M y llegó una L.",
            "Me ha llegado otro producto que no es el que pedí.",
        ),
        "not_as_described": (
            "El color no es como en la foto.",
            "El tejido es mucho más fino de lo que parece en la web.",
            "No se parece a la foto, el color es mas apagado",
            "En la descripción pone algodón y es poliéster.",
        ),
        "changed_mind": (
            "Ya no lo necesito.",
            "Al final no me convence.",
            "Lo pedí por error.",
            "No me gusta cómo me queda el color, lo devuelvo.",
        ),
        "better_price": (
            "Lo he encontrado más barato en otra tienda.",
            "A los dos días bajó de precio, lo devuelvo y lo vuelvo a pedir.",
        ),
        "arrived_late": (
            "Llegó tarde, era para un viaje y ya me fui.",
            "Tardó dos semanas en llegar, ya no lo necesito.",
        ),
        "other": (
            "Atención al cliente me dijo que lo devolviera.",
            "Me da alergia el tejido.",
        ),
    },
    "en": {
        "too_small": (
            "Too tight, I need one size up.",
            "Runs small, ordered my usual size.",
            "way too small across the shoulders",
            "can't get it on, too small 😕",
        ),
        "too_large": (
            "Too big for me.",
            "Much looser than expected, need a size down.",
            "it's huge on me",
        ),
        "defective": (
            "Won't turn on.",
            "Stopped working after two days.",
            "Seam came apart after one wash.",
            "the zip broke the first time I used it",
        ),
        "damaged": (
            "Box arrived crushed and the item is dented.",
            "Scratched on arrival.",
            "Arrived stained.",
        ),
        "missing_parts": (
            "The charging cable was missing.",
            "No belt in the box although the photo shows one.",
        ),
        "wrong_item": (
            "Wrong colour sent, I ordered black.",
            "Not the size I ordered.",
            "You sent me a different product.",
        ),
        "not_as_described": (
            "Colour differs from the photo.",
            "Fabric is much thinner than it looks on the website.",
            "The description says cotton but it's polyester.",
        ),
        "changed_mind": (
            "No longer needed.",
            "Changed my mind, sorry.",
            "Ordered it by mistake.",
        ),
        "better_price": (
            "Found it cheaper elsewhere.",
            "The price dropped two days after I bought it.",
        ),
        "arrived_late": (
            "Arrived too late, it was for a trip.",
            "Took two weeks to arrive, no longer need it.",
        ),
        "other": (
            "Customer service told me to send it back.",
            "I'm allergic to the fabric.",
        ),
    },
}

# A commented item says another reason than the one picked this often; the reason it says
# instead is one shoppers mix up with the picked one.
MISPICK_RATE = 0.12
MISPICKS: dict[str, tuple[str, ...]] = {
    "too_small": ("too_large", "wrong_item"),
    "too_large": ("too_small", "not_as_described"),
    "defective": ("damaged", "missing_parts"),
    "damaged": ("defective",),
    "wrong_item": ("not_as_described", "too_small"),
    "not_as_described": ("wrong_item", "too_large"),
    "changed_mind": ("better_price", "arrived_late", "damaged", "too_large"),
}
# An item picked as "other" says, in words, one of these (else a reason no leaf has).
OTHER_SAYS = (
    "too_small",
    "too_large",
    "changed_mind",
    "better_price",
    "arrived_late",
    "missing_parts",
    "not_as_described",
    "damaged",
)
OTHER_SAYS_RATE = 0.75


# --- customers whose history tells a story ----------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """A line of a telling order sent back: its position in the order, the reason picked and
    what the shopper wrote."""

    line: int
    reason: str
    comment: str


@dataclass(frozen=True)
class TellingOrder:
    """An order placed `days_ago` days before the demo's today: (product code, colour, size)
    lines, one unit each, and what came back. `left_in_review` stops the return at its
    request (the demo policy sends a serial returner's returns to review)."""

    days_ago: int
    lines: tuple[tuple[str, str, str], ...]
    returned: tuple[Returned, ...]
    left_in_review: bool = False


@dataclass(frozen=True)
class TellingCustomer:
    name: str
    handle: str
    language: str
    orders: tuple[TellingOrder, ...]


# Returns most of what she buys, order after order: the serial returner. Her latest return
# waits in review, sent there by the demo policy's rule on signals.
SERIAL_RETURNER = TellingCustomer(
    name="Nerea Valdés Ortiz",
    handle="nerea.valdes",
    language="es",
    orders=(
        TellingOrder(
            112,
            (("DRS-CAM", "lunares", "S"), ("JNS-MOM", "azul claro", "S")),
            (
                Returned(0, "changed_mind", "Al final no me convence."),
                Returned(1, "too_small", "me aprieta de cintura"),
            ),
        ),
        TellingOrder(
            93,
            (("DRS-PNT", "burdeos", "S"), ("SHO-URB", "blanco", "38")),
            (
                Returned(0, "not_as_described", "El color no es el de la foto, es más oscuro."),
                Returned(1, "too_small", "Me quedan pequeñas, pido siempre un 38."),
            ),
        ),
        TellingOrder(
            74,
            (("JKT-DEN", "negro", "S"), ("TSH-RAY", "crudo/azul", "S")),
            (Returned(0, "other", "Lo he visto más barato en otra web."),),
        ),
        TellingOrder(
            55,
            (("DRS-LIN", "verde salvia", "S"), ("SHO-SAN", "camel", "38")),
            (
                Returned(0, "too_large", "Me queda grande de pecho."),
                Returned(1, "changed_mind", "Ya no lo necesito."),
            ),
        ),
        TellingOrder(
            36,
            (("JKT-IMP", "amarillo", "S"), ("JNS-SLM", "negro", "S")),
            (
                Returned(0, "changed_mind", "No me gusta cómo me queda el color."),
                Returned(1, "too_small", "Talla muy justa."),
            ),
        ),
        TellingOrder(
            12,
            (("DRS-CAM", "flores azules", "S"), ("TSH-OVR", "arena", "S")),
            (
                Returned(0, "too_small", "me queda enorme, necesito una talla menos"),
                Returned(1, "changed_mind", "Al final no me convence."),
            ),
            left_in_review=True,
        ),
    ),
)

# Buys the same thing in two sizes or colours and sends back what does not fit: the bracketer.
BRACKETER = TellingCustomer(
    name="Chloe Bennett",
    handle="chloe.bennett",
    language="en",
    orders=(
        TellingOrder(
            80,
            (("DRS-LIN", "terracota", "S"), ("DRS-LIN", "terracota", "M")),
            (
                Returned(
                    1, "too_large", "Bought two sizes to try, this one is too big so keeping the S."
                ),
            ),
        ),
        TellingOrder(
            47,
            (("SHO-RUN", "gris/coral", "38"), ("SHO-RUN", "gris/coral", "39")),
            (Returned(0, "too_small", "Runs small, the 39 fits so sending the 38 back."),),
        ),
        TellingOrder(
            20,
            (("JKT-ACO", "negro", "M"), ("JKT-ACO", "caqui", "M")),
            (Returned(1, "other", "Kept the black one, did not like the khaki in person."),),
        ),
    ),
)

TELLING_CUSTOMERS = (SERIAL_RETURNER, BRACKETER)
