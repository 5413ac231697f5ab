"""Bilingual word families: what a comment talks about, even when no phrase rule matches.

"Venía sin las hélices" names no part the rules know, but "sin" and a thing make it about
something missing; "la fiesta ya había pasado" is about time. Each family is a set of word
stems (a word belongs when it starts with one; "part=" only as the whole word); the model gets
one feature per family present ("l:time") and learns what each is worth, alone and together.
"""

from __future__ import annotations

from collections.abc import Sequence

_FAMILIES: dict[str, str] = {
    "size": (
        "talla talle numero size sized sizing fit fits fitting queda quedan quedo medium "
        "large small xl xs"
    ),
    "small": (
        "pequen chic chiquit apret estrech just corto corta tight snug small tiny short "
        "narrow squeez pinch aprieta"
    ),
    "big": (
        "grand enorm anch holgad larg suelt floj gigant ampli big huge loose baggy massive "
        "wide long oversiz roomy"
    ),
    "body": (
        "hombro pecho cintura cadera pie pies dedo brazo manga pierna talon shoulder chest "
        "waist hip foot feet toe arm sleeve leg heel wrist"
    ),
    "fault": (
        "funcion enciend prend carg arranc bateria pantalla ruido conect work turn power "
        "charg batter screen noise connect pair boot defect fault fallo falla averi murio "
        "died dead apag reinici restart freez congel leak gote pierde lavado wash descos seam "
        "stitch"
    ),
    "breakage": (
        "rot roto rota romp raj aboll golpe manch aplast rayad rayon aran grieta partid "
        "astill destroz broke crack smash shatter dent scratch stain chip crush bent damag "
        "dan torn ripped squash wet soak moj empap"
    ),
    "transit": (
        "caja paquete embalaje envio transporte mensajer repartidor agencia correos box "
        "parcel package packag courier driver transit shipping postie postman delivery "
        "entrega"
    ),
    "parts": (
        "pieza tornillo cargador cable accesori mando tapa pata instruccion manual pila "
        "correa cinturon boton funda adaptador llave herraje tuerca rueda balda estante "
        "helice pedal part= parts piece screw charger cord accessor remote lid strap belt button "
        "adapter hardware bolt wheel shelf shelves propeller bulb bombilla controller plato "
        "plate vaso glass par pair set juego pack"
    ),
    "absence": (
        "falta faltan faltaba sin missing without lacking incomplet solo only short menos instead"
    ),
    "description": (
        "foto imagen descripcion anuncio web pagina ficha catalogo photo picture pic image "
        "description listing website advert advertis anunci describ promet promis dice decia "
        "pone says said claim chart guia guide tabla"
    ),
    "material": (
        "tela tejido material algodon poliester piel cuero madera plastico fabric cotton "
        "polyester leather wood plastic wool lana seda silk metal plata silver acabado finish "
        "calidad quality cheap barat"
    ),
    "colour": (
        "color colour tono shade negro black blanco white rojo red azul blue verde green gris "
        "grey gray rosa pink beige crema cream marron brown amarill yellow oscur dark clar "
        "light"
    ),
    "ordering": (
        "pedi pedido encargu compre ordene elegi escogi mandaron enviaron mandast enviast "
        "order bought picked chose sent shipped received recib equivoc wrong incorrect otro "
        "otra another different distint diferent instead vez lugar"
    ),
    "time": (
        "tarde tard retras demor semana dias mes plazo tiempo late delay week days month time "
        "took forever ages enero febrero septiembre diciembre january september december "
        "lunes martes viernes sabado domingo monday tuesday friday saturday sunday despues "
        "after vuelta back"
    ),
    "event": (
        "cumple boda viaje fiesta evento comunion bautizo navidad nochebuena reyes vacacion "
        "carnaval verano invierno curso birthday wedding party trip holiday vacation event "
        "christmas halloween christening summer winter term season spring primavera"
    ),
    "price": (
        "precio barat econom rebaj oferta descuento euro dinero pague pagu cuesta vale "
        "diferencia mitad price cheap sale discount deal offer paid pay cost dollar pound "
        "quid bucks difference half less pct friday cupon code codigo"
    ),
    "store": (
        "tienda amazon outlet competencia aliexpress zalando decathlon wallapop store shop "
        "retailer site target walmart ebay comercio liverpool mercado"
    ),
    "mind": (
        "gust convenc necesit quier quiero arrepent opinion idea error querer duplica regal "
        "like love need want mind mistake accident twice gift present remorse regret style "
        "estilo favorec flatter decid cancel impuls impulse ocupo"
    ),
    "service": (
        "atencion cliente servicio soporte telefono correo email ticket factura invoice cobr "
        "charged garantia warranty customer service support agent contrato contract empresa "
        "company alerg allerg reaccion reaction rash perro gato dog cat nombre behalf hermana "
        "sister marido husband vecin neighbour personal test prueba pregunta question"
    ),
}
_MIN_PREFIX = 4
# Whole-word stems, and longer stems by their first four letters, so each word costs one or two
# dictionary look-ups.
_EXACT: dict[str, set[str]] = {}
_BY_PREFIX: dict[str, list[tuple[str, str]]] = {}
for _family, _stems in _FAMILIES.items():
    for _stem in _stems.split():
        whole_word = _stem.endswith("=")
        _stem = _stem.rstrip("=")
        _EXACT.setdefault(_stem, set()).add(_family)
        if len(_stem) >= _MIN_PREFIX and not whole_word:
            _BY_PREFIX.setdefault(_stem[:_MIN_PREFIX], []).append((_stem, _family))


def families(tokens: Sequence[str]) -> list[str]:
    """The word families present, as "l:<family>" features, each once, sorted. A stem of
    fewer than four letters must be the whole word; a longer one may start it."""
    found: set[str] = set()
    for token in tokens:
        found.update(_EXACT.get(token, ()))
        for stem, family in _BY_PREFIX.get(token[:_MIN_PREFIX], ()):
            if token.startswith(stem):
                found.add(family)
    return sorted(f"l:{family}" for family in found)
