"""Static material for the demo store: its catalog, names, streets and reason texts.

Plain data, no randomness and no database: `generator.py` draws from it with a seeded RNG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from retorno.domain.policies import default_policy_document

STORE_NAME = "Tienda Demo · Moda y Hogar"
# Shelf prices include Spanish VAT.
VAT = Decimal("0.21")
# The demo shop's own site (fictional): product pages the shopper's recommendations link to.
SHOP_URL = "https://tienda-demo.example.com"
STORE_BRANDING = {
    "timezone": "Europe/Madrid",
    "primary_colour": "#0f4c5c",
    "accent_colour": "#e36414",
    "font": "humanist",
    "logo_url": "/static/demo/logo.svg",
    "favicon_url": "/static/demo/favicon.svg",
    "support_email": "ayuda@tienda-demo.example.com",
    "support_phone": "+34 910 000 123",
    "rma_prefix": "TD",
    "return_address": {
        "name": "Tienda Demo – Devoluciones",
        "line1": "Polígono Industrial Las Mercedes, Nave 14",
        "line2": "Calle de la Logística 7",
        "city": "Getafe",
        "region": "Madrid",
        "postal_code": "28906",
        "country": "ES",
        "phone": "+34 910 000 123",
    },
}
# The shop that takes returns in person (the portal's "in store" method, free, no carrier).
STORE_LOCATIONS = [
    {
        "name": "Tienda Demo Malasaña",
        "address": "Calle del Espíritu Santo 12",
        "postal_code": "28004",
        "city": "Madrid",
        "hours": {
            **{day: "10:00–20:30" for day in ("mon", "tue", "wed", "thu", "fri")},
            "sat": "10:00–14:00",
        },
    }
]

APPAREL_SIZES = ("XS", "S", "M", "L", "XL")
APPAREL_SIZE_WEIGHTS = (8, 22, 32, 25, 13)
SHOE_SIZES = tuple(str(s) for s in range(36, 46))
SHOE_SIZE_WEIGHTS = (4, 7, 10, 12, 12, 12, 13, 12, 10, 8)
BED_SIZES = ("90 cm", "135 cm", "150 cm", "180 cm")
BED_SIZE_WEIGHTS = (20, 30, 35, 15)
GIFT_CARD_CATEGORY = "gift-cards"


@dataclass(frozen=True)
class ProductSpec:
    """One product of the demo catalog. `sizes` and `colours` multiply into variants;
    `price_by_size` overrides the price of some sizes (bedding). `popularity` weighs how often
    the product is bought, `fit` biases sizing returns (-1 runs small, +1 runs large), and a
    `defect_prone` product (a bad batch) comes back more often, mostly defective, so its
    supplier passes the defect threshold of the analytics."""

    code: str
    title: str
    category: str
    kind: str
    vendor: str
    price: Decimal
    weight_grams: int
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    size_weights: tuple[int, ...] = ()
    size_option: str = "size"
    price_by_size: dict[str, Decimal] = field(default_factory=dict)
    popularity: int = 10
    fit: int = 0
    defect_prone: bool = False
    final_sale: bool = False
    premium: bool = False
    tags: tuple[str, ...] = ()


def _d(value: str) -> Decimal:
    return Decimal(value)


A, AW = APPAREL_SIZES, APPAREL_SIZE_WEIGHTS
S, SW = SHOE_SIZES, SHOE_SIZE_WEIGHTS

CATALOG: tuple[ProductSpec, ...] = (
    # --- apparel -----------------------------------------------------------------------------
    ProductSpec(
        "TSH-BAS",
        "Camiseta básica de algodón orgánico",
        "apparel",
        "t-shirt",
        "Algodón Norte",
        _d("19.95"),
        180,
        ("blanco", "negro", "azul marino", "gris jaspeado"),
        A,
        AW,
        popularity=30,
    ),
    ProductSpec(
        "TSH-RAY",
        "Camiseta marinera de rayas",
        "apparel",
        "t-shirt",
        "Algodón Norte",
        _d("24.95"),
        200,
        ("crudo/azul", "blanco/rojo"),
        A,
        AW,
        popularity=14,
    ),
    ProductSpec(
        "TSH-OVR",
        "Camiseta oversize estampada",
        "apparel",
        "t-shirt",
        "Estudio Bravo",
        _d("29.95"),
        230,
        ("negro", "arena"),
        A,
        AW,
        popularity=12,
        fit=1,
    ),
    ProductSpec(
        "JNS-SLM",
        "Vaqueros slim fit",
        "apparel",
        "jeans",
        "Denim Levante",
        _d("59.95"),
        650,
        ("azul oscuro", "azul lavado", "negro"),
        A,
        AW,
        popularity=18,
        fit=-1,
    ),
    ProductSpec(
        "JNS-MOM",
        "Vaqueros mom fit",
        "apparel",
        "jeans",
        "Denim Levante",
        _d("54.95"),
        620,
        ("azul claro", "azul medio"),
        A,
        AW,
        popularity=12,
    ),
    ProductSpec(
        "JNS-REC",
        "Vaqueros rectos de tiro alto",
        "apparel",
        "jeans",
        "Denim Levante",
        _d("64.95"),
        680,
        ("azul medio", "negro lavado"),
        A,
        AW,
        popularity=9,
    ),
    ProductSpec(
        "DRS-LIN",
        "Vestido midi de lino",
        "apparel",
        "dress",
        "Atelier Brisa",
        _d("79.95"),
        380,
        ("terracota", "verde salvia", "blanco"),
        A,
        AW,
        popularity=12,
        fit=-1,
    ),
    ProductSpec(
        "DRS-CAM",
        "Vestido camisero estampado",
        "apparel",
        "dress",
        "Atelier Brisa",
        _d("69.95"),
        340,
        ("flores azules", "lunares"),
        A,
        AW,
        popularity=9,
    ),
    ProductSpec(
        "DRS-PNT",
        "Vestido de punto canalé",
        "apparel",
        "dress",
        "Atelier Brisa",
        _d("89.95"),
        450,
        ("camel", "negro", "burdeos"),
        A,
        AW,
        popularity=7,
        fit=1,
    ),
    ProductSpec(
        "JKT-DEN",
        "Chaqueta vaquera clásica",
        "apparel",
        "jacket",
        "Denim Levante",
        _d("79.95"),
        900,
        ("azul lavado", "negro"),
        A,
        AW,
        popularity=8,
    ),
    ProductSpec(
        "JKT-IMP",
        "Chaqueta impermeable ligera",
        "apparel",
        "jacket",
        "Montaña Outdoor",
        _d("119.95"),
        420,
        ("verde oliva", "amarillo", "azul noche"),
        A,
        AW,
        popularity=8,
        fit=-1,
    ),
    ProductSpec(
        "JKT-ACO",
        "Cazadora acolchada reciclada",
        "apparel",
        "jacket",
        "Montaña Outdoor",
        _d("149.95"),
        780,
        ("negro", "caqui"),
        A,
        AW,
        popularity=6,
    ),
    ProductSpec(
        "JKT-PIE",
        "Chaqueta de piel nappa",
        "apparel",
        "jacket",
        "Pieles Ubrique",
        _d("595.00"),
        1400,
        ("negro", "coñac"),
        A,
        AW,
        popularity=1,
        premium=True,
    ),
    ProductSpec(
        "SWT-OUT",
        "Sudadera outlet temporada pasada",
        "apparel",
        "sweatshirt",
        "Estudio Bravo",
        _d("24.95"),
        520,
        ("gris", "verde botella"),
        A,
        AW,
        popularity=6,
        final_sale=True,
        tags=("outlet",),
    ),
    # --- shoes -------------------------------------------------------------------------------
    ProductSpec(
        "SHO-URB",
        "Zapatillas urbanas de piel",
        "shoes",
        "sneakers",
        "Pasos Calzado",
        _d("89.95"),
        900,
        ("blanco", "negro"),
        S,
        SW,
        popularity=14,
        fit=-1,
    ),
    ProductSpec(
        "SHO-RUN",
        "Zapatillas de running Ligera",
        "shoes",
        "running",
        "Pasos Calzado",
        _d("109.95"),
        620,
        ("gris/coral", "azul/lima"),
        S,
        SW,
        popularity=10,
    ),
    ProductSpec(
        "SHO-CHE",
        "Botines Chelsea",
        "shoes",
        "boots",
        "Calzados Elda",
        _d("129.95"),
        1100,
        ("marrón", "negro"),
        S,
        SW,
        popularity=7,
        fit=1,
    ),
    ProductSpec(
        "SHO-SAN",
        "Sandalias de piel",
        "shoes",
        "sandals",
        "Calzados Elda",
        _d("49.95"),
        450,
        ("camel", "negro"),
        S,
        SW,
        popularity=8,
    ),
    ProductSpec(
        "SHO-LON",
        "Zapatillas de lona outlet",
        "shoes",
        "sneakers",
        "Pasos Calzado",
        _d("29.95"),
        600,
        ("blanco", "azul"),
        S,
        SW,
        popularity=4,
        final_sale=True,
        tags=("outlet",),
    ),
    # --- electronics -------------------------------------------------------------------------
    ProductSpec(
        "ELE-ANC",
        "Auriculares inalámbricos con cancelación de ruido",
        "electronics",
        "headphones",
        "Volta Electronics",
        _d("179.00"),
        260,
        ("negro", "blanco"),
        popularity=8,
    ),
    ProductSpec(
        "ELE-SPT",
        "Auriculares deportivos True Wireless",
        "electronics",
        "headphones",
        "Volta Electronics",
        _d("59.90"),
        60,
        ("negro", "azul"),
        popularity=10,
    ),
    ProductSpec(
        "ELE-C65",
        "Cargador USB-C GaN 65 W",
        "electronics",
        "charger",
        "Chispa Power",
        _d("39.90"),
        120,
        ("blanco",),
        popularity=10,
        defect_prone=True,
    ),
    ProductSpec(
        "ELE-CWL",
        "Cargador inalámbrico 15 W",
        "electronics",
        "charger",
        "Chispa Power",
        _d("29.90"),
        150,
        ("negro", "blanco"),
        popularity=7,
    ),
    ProductSpec(
        "ELE-SWF",
        "Smartwatch Volta Fit",
        "electronics",
        "smartwatch",
        "Volta Electronics",
        _d("249.00"),
        90,
        ("negro", "plata"),
        ("S/M", "M/L"),
        (55, 45),
        size_option="strap",
        popularity=5,
    ),
    ProductSpec(
        "ELE-SWP",
        "Smartwatch Volta Pro Titanio",
        "electronics",
        "smartwatch",
        "Volta Electronics",
        _d("649.00"),
        110,
        ("titanio natural", "titanio negro"),
        popularity=1,
        premium=True,
    ),
    # --- home --------------------------------------------------------------------------------
    ProductSpec(
        "HOM-LMC",
        "Lámpara de mesa de cerámica",
        "home",
        "lamp",
        "Lumen Casa",
        _d("69.90"),
        2100,
        ("blanco roto", "verde agua"),
        popularity=6,
    ),
    ProductSpec(
        "HOM-LMA",
        "Lámpara de pie de arco",
        "home",
        "lamp",
        "Lumen Casa",
        _d("189.00"),
        7800,
        ("negro", "latón"),
        popularity=3,
    ),
    ProductSpec(
        "HOM-LMD",
        "Lámpara de pie de diseño en latón macizo",
        "home",
        "lamp",
        "Lumen Casa",
        _d("549.00"),
        9500,
        ("latón",),
        popularity=1,
        premium=True,
    ),
    ProductSpec(
        "HOM-SAB",
        "Juego de sábanas percal 300 hilos",
        "home",
        "bedding",
        "Textil Hogar Mediterráneo",
        _d("59.90"),
        1300,
        ("blanco", "gris perla"),
        BED_SIZES,
        BED_SIZE_WEIGHTS,
        size_option="bed",
        price_by_size={"135 cm": _d("69.90"), "150 cm": _d("74.90"), "180 cm": _d("89.90")},
        popularity=7,
    ),
    ProductSpec(
        "HOM-NOR",
        "Funda nórdica de lino lavado",
        "home",
        "bedding",
        "Textil Hogar Mediterráneo",
        _d("99.00"),
        1600,
        ("arena", "azul niebla"),
        BED_SIZES[1:],
        BED_SIZE_WEIGHTS[1:],
        size_option="bed",
        price_by_size={"180 cm": _d("119.00")},
        popularity=4,
    ),
    ProductSpec(
        "HOM-EDR",
        "Edredón nórdico ligero",
        "home",
        "bedding",
        "Textil Hogar Mediterráneo",
        _d("79.00"),
        2400,
        (),
        BED_SIZES[1:],
        BED_SIZE_WEIGHTS[1:],
        size_option="bed",
        popularity=4,
    ),
    # --- accessories: cheap enough that a return parcel (6.50) costs more than they are worth,
    # so the demo policy lets the shopper keep them -----------------------------------------
    ProductSpec(
        "ACC-CAL",
        "Calcetines de algodón (pack de 3)",
        "accessories",
        "socks",
        "Algodón Norte",
        _d("5.95"),
        120,
        ("surtido", "negro", "blanco"),
        popularity=14,
    ),
    ProductSpec(
        "ACC-COL",
        "Coleteros de tela (pack de 6)",
        "accessories",
        "hair-ties",
        "Atelier Brisa",
        _d("3.50"),
        30,
        ("pastel", "neutros"),
        popularity=9,
    ),
    ProductSpec(
        "ACC-LLA",
        "Llavero de cuero grabado",
        "accessories",
        "keyring",
        "Pieles Ubrique",
        _d("4.95"),
        25,
        ("coñac", "negro"),
        popularity=7,
    ),
    # --- gift cards --------------------------------------------------------------------------
    ProductSpec(
        "GFT-025",
        "Tarjeta regalo 25 €",
        GIFT_CARD_CATEGORY,
        "gift-card",
        "Tienda Demo",
        _d("25.00"),
        0,
        popularity=4,
        tags=("gift-card",),
    ),
    ProductSpec(
        "GFT-050",
        "Tarjeta regalo 50 €",
        GIFT_CARD_CATEGORY,
        "gift-card",
        "Tienda Demo",
        _d("50.00"),
        0,
        popularity=3,
        tags=("gift-card",),
    ),
    ProductSpec(
        "GFT-100",
        "Tarjeta regalo 100 €",
        GIFT_CARD_CATEGORY,
        "gift-card",
        "Tienda Demo",
        _d("100.00"),
        0,
        popularity=1,
        tags=("gift-card",),
    ),
)

# How often a line comes from each category.
CATEGORY_WEIGHTS = {
    "apparel": 48,
    "shoes": 20,
    "electronics": 14,
    "home": 12,
    "accessories": 8,
    "gift-cards": 6,
}
# How likely a delivered line is to be sent back, per category.
RETURN_RATE = {
    "apparel": 0.11,
    "shoes": 0.10,
    "electronics": 0.05,
    "home": 0.04,
    "accessories": 0.07,
}
PREMIUM_RETURN_RATE = 0.3

REASONS = (
    "too_small",
    "too_large",
    "defective",
    "damaged",
    "wrong_item",
    "not_as_described",
    "changed_mind",
    "other",
    "missing_parts",
    "better_price",
    "arrived_late",
)
SIZING_REASON_WEIGHTS = (34, 30, 4, 3, 3, 9, 14, 3, 0, 2, 1)
ELECTRONICS_REASON_WEIGHTS = (0, 0, 36, 12, 8, 16, 24, 4, 6, 3, 1)
HOME_REASON_WEIGHTS = (0, 0, 10, 26, 9, 25, 26, 4, 3, 2, 1)
ACCESSORY_REASON_WEIGHTS = (0, 0, 14, 12, 10, 24, 34, 6, 0, 2, 1)
# Reasons a shopper swaps a size or colour for (an exchange needs another variant to want).
SIZE_SWAP_REASONS = ("too_small", "too_large")
COLOUR_SWAP_REASONS = ("not_as_described", "changed_mind", "other")

SPANISH_FIRST = (
    "Lucía",
    "Sofía",
    "Martina",
    "María",
    "Julia",
    "Paula",
    "Valeria",
    "Emma",
    "Daniela",
    "Carla",
    "Alba",
    "Noa",
    "Sara",
    "Carmen",
    "Ana",
    "Laura",
    "Elena",
    "Marta",
    "Irene",
    "Cristina",
    "Hugo",
    "Martín",
    "Lucas",
    "Mateo",
    "Leo",
    "Daniel",
    "Alejandro",
    "Pablo",
    "Manuel",
    "Álvaro",
    "Adrián",
    "David",
    "Mario",
    "Diego",
    "Javier",
    "Sergio",
    "Jorge",
    "Carlos",
    "Antonio",
    "Iván",
)
SPANISH_LAST = (
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Núñez",
    "Medina",
    "Garrido",
)
ENGLISH_FIRST = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophie",
    "Emily",
    "Charlotte",
    "Ella",
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Liam",
)
ENGLISH_LAST = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Byrne",
    "Ryan",
    "Walsh",
)

# (city, region, postal code prefix, weight)
SPANISH_CITIES = (
    ("Madrid", "Madrid", "280", 26),
    ("Barcelona", "Barcelona", "080", 18),
    ("Valencia", "Valencia", "460", 9),
    ("Sevilla", "Sevilla", "410", 7),
    ("Zaragoza", "Zaragoza", "500", 5),
    ("Málaga", "Málaga", "290", 5),
    ("Bilbao", "Bizkaia", "480", 4),
    ("Murcia", "Murcia", "300", 4),
    ("Palma", "Illes Balears", "070", 3),
    ("Valladolid", "Valladolid", "470", 3),
    ("Alicante", "Alicante", "030", 4),
    ("A Coruña", "A Coruña", "150", 3),
    ("Granada", "Granada", "180", 3),
    ("Vitoria-Gasteiz", "Araba", "010", 2),
    ("Oviedo", "Asturias", "330", 2),
    ("Pamplona", "Navarra", "310", 2),
)
SPANISH_STREETS = (
    "Calle Mayor",
    "Calle de Alcalá",
    "Gran Vía",
    "Avenida de la Constitución",
    "Calle Real",
    "Paseo de la Castellana",
    "Calle del Sol",
    "Avenida de América",
    "Calle San Juan",
    "Calle de la Paz",
    "Rambla Nova",
    "Calle Nueva",
    "Avenida del Puerto",
    "Calle Colón",
)
IRISH_CITIES = (
    ("Dublin", "Co. Dublin", "D0"),
    ("Cork", "Co. Cork", "T12"),
    ("Galway", "Co. Galway", "H91"),
)
IRISH_STREETS = ("Main Street", "Church Road", "Harbour View", "Station Road", "Park Avenue")

# The carriers of the demo's past returns: the simulator's, whose accounts the demo keeps (so
# the carriers' figures have a history); Rápido Express takes half the parcels.
CARRIERS = (
    ("rapido", "Rápido Express", "RX"),
    ("norte", "Norte Logística", "NL"),
    ("eco", "Eco Envíos", "EC"),
    ("rapido", "Rápido Express", "RX"),
)
PROMO_CODES = (("BIENVENIDA10", 10), ("VERANO15", 15), ("AMIGOS20", 20))

STAFF = (
    # username, first name, last name, role
    ("elena.owner", "Elena", "Ruiz", "owner"),
    ("lucia.admin", "Lucía", "Ortega", "admin"),
    ("pablo.manager", "Pablo", "Vidal", "manager"),
    ("carlos.agent", "Carlos", "Medina", "agent"),
    ("marta.warehouse", "Marta", "Iglesias", "warehouse"),
    ("javier.finance", "Javier", "Sanz", "finance"),
    ("sofia.analyst", "Sofía", "Navarro", "analyst"),
)
REJECT_NOTES = (
    "The photos show clear signs of use; outside our returns conditions.",
    "Serial number does not match the unit we shipped.",
    "Item was bought for an event and returned after use (wardrobing).",
)
APPROVE_NOTES = (
    "Checked the order history: long-standing customer, approved.",
    "Photos confirm the fault; approved.",
    "",
)
CANCEL_NOTES = ("Customer decided to keep the item.", "Customer asked to cancel by chat.", "")


def demo_policy_document() -> dict[str, Any]:
    """The default policy with the money perks the demo shows: gold members get their exchange
    before sending the old item back (21 days to send it), and an item that would recover less
    than the 6.50 a return parcel costs, and is worth at most 8.00, can be kept. A fault is
    refunded after inspection. A serial returner's or an empty box's return waits for a person
    (docs/insight.md, abuse signals)."""
    document = default_policy_document()
    document["base"].update(
        {
            "instant_exchange_return_days": 21,
            "keep_item": True,
            "keep_item_max_value": "8.00",
            "return_shipping_cost": "6.50",
        }
    )
    document["rules"].append(
        {
            "id": "gold-instant-exchange",
            "description": "Gold members get their exchange before sending the item back.",
            "when": {"tier_in": ["gold"]},
            "then": {"instant_exchange": True},
        }
    )
    document["rules"].append(
        {
            "id": "faults-refund-after-inspection",
            "description": "A fault the shopper reports is refunded once the warehouse saw it.",
            "when": {"reason_in": ["defective", "damaged", "missing_parts"]},
            "then": {"refund_timing": "on_inspection"},
        }
    )
    document["rules"].append(
        {
            "id": "abuse-review",
            "description": "Serial returners and empty boxes: a person looks before approving.",
            "when": {"signal_any": ["serial_returner", "empty_box"]},
            "then": {"always_review": True},
        }
    )
    return document


# --- claims (damaged, missing or wrong items reported without sending anything back) ---------

# Claim reason -> the categories it is believable for.
CLAIM_REASONS = {
    "damaged_in_transit": ("apparel", "shoes", "electronics", "home", "accessories"),
    "missing_item": ("apparel", "shoes", "electronics", "accessories"),
    "wrong_item": ("apparel", "shoes", "accessories"),
    "defective_on_arrival": ("electronics",),
}
CLAIM_DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "damaged_in_transit": (
            "La caja llegó aplastada y el artículo está roto.",
            "El paquete venía mojado y el producto está manchado.",
        ),
        "missing_item": (
            "En el paquete faltaba uno de los artículos del pedido.",
            "Recibí el paquete pero este artículo no venía dentro.",
        ),
        "wrong_item": (
            "Me llegó otra talla distinta a la que pedí.",
            "El color que recibí no es el del pedido.",
        ),
        "defective_on_arrival": (
            "No enciende desde el primer día.",
            "Viene con la pantalla sin imagen.",
        ),
    },
    "en": {
        "damaged_in_transit": (
            "The box arrived crushed and the item is broken.",
            "The parcel was soaked and the item is stained.",
        ),
        "missing_item": (
            "One of the items on the order was not in the parcel.",
            "The parcel arrived but this item was not inside.",
        ),
        "wrong_item": (
            "I received a different size from the one I ordered.",
            "The colour I received is not the one I ordered.",
        ),
        "defective_on_arrival": (
            "It does not turn on out of the box.",
            "The screen stays blank from day one.",
        ),
    },
}
CLAIM_RESOLVE_NOTES = {
    "refund": "Refunded the item; no need to send anything back.",
    "replacement": "Sending a replacement at no cost.",
    "both": "Sending a replacement and refunding the item as an apology.",
}
CLAIM_REJECT_NOTES = (
    "The carrier's proof of delivery shows the parcel intact and the packing weight matches.",
    "The photos show the item we shipped, in the size and colour ordered.",
)
