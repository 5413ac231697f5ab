"""The phrase rules, as data: for each reason and language, regular expressions over the
normalised comment (lowercase ASCII words separated by one space; clause ends are " . ").

Write a pattern for a phrase a shopper would use to say that reason and little else; leave
loose single words ("grande", "late") to the statistical model, except where the whole comment
is that word. Alternatives are written "a|b|c" and wrapped by `_alt`; `_GAPn` allows up to n
words in between.
"""

from __future__ import annotations


def _alt(alternatives: str) -> str:
    return f"(?:{alternatives})"


def _whole(pattern: str) -> str:
    """A pattern that must be the entire comment."""
    return f"^(?:{pattern})$"


_W = r"[a-z0-9]+"
_GAP1 = rf"(?:{_W} )?"
_GAP2 = rf"(?:{_W} ){{0,2}}"
_GAP3 = rf"(?:{_W} ){{0,3}}"
_GAP5 = rf"(?:{_W} ){{0,5}}"

_MONTHS = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|january|february|march|april|may|june|july|august|september|october|november|december"
_WEEKDAYS = "lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_EVENTS = "cumpleanos|cumple|boda|viaje|fiesta|evento|comunion|bautizo|navidad|nochebuena|nochevieja|reyes|vacaciones|cena|graduacion|despedida|san valentin|aniversario|excursion|concierto|carrera|partido|feria|carnaval|halloween|semana santa|birthday|wedding|party|trip|holiday|holidays|vacation|event|christmas|christmas eve|graduation|funeral|prom|conference|anniversary|recital|concert|race|game|festival|cruise|baby shower|christening|easter|thanksgiving|new year|valentines|hen do|stag do"
# After "and it came" / "y llegó": words that make it about time or condition, not another item.
_NOT_ANOTHER_ITEM = rf"(?! (?:el |la |los |las |en |on |in |at |{_W} )?(?:{_MONTHS}|{_WEEKDAYS}|tarde|tardisimo|late|later|despues|after|cuando|when|once|con retraso|a la vuelta|a destiempo|roto|rota|rotos|broken|damaged|smashed|danado|danada|golpeado|abollado|dented|too late|demasiado tarde|una semana|a week|weeks|days|dias|semanas|later|days later|weeks later))"

_WEEKS_LATER = rf"(?:{_W} )?semanas despues"

# --- Spanish building blocks ------------------------------------------------------------------
_ES_PRONOUN = _alt("me|le|te|les|nos|se me|se le")
_ES_FITS = _alt(
    "queda|quedan|quedo|quedaba|quedaban|quedaron|va|van|iba|iban|viene|vienen|venia|venian|esta|estan|estaba|estaban|sienta|sientan|resulta|resultan|resulto"
)
_ES_DEGREE = r"(?:(?:muy|un poco|un pelin|un pelo|algo|demasiado|super|re|bastante|mega|mas|tan|excesivamente|exageradamente|mucho mas|bien|too|very) )*"
_ES_SMALL = _alt(
    r"pequen[oa]s?|pequenisim[oa]s?|chic[oa]s?|chiquit[oa]s?|chiquitit[oa]s?|just[oa]s?|justisim[oa]s?|apretad[oa]s?|apretadisim[oa]s?|estrech[oa]s?|estrechisim[oa]s?|cort[oa]s?|cortisim[oa]s?|ajustad[oa]s?|enan[oa]s?|prietos?|small|tight|tiny"
)
_ES_BIG = _alt(
    r"grandes?|grandisim[oa]s?|enormes?|anch[oa]s?|anchisim[oa]s?|holgad[oa]s?|holgadisim[oa]s?|larg[oa]s?|larguisim[oa]s?|suelt[oa]s?|floj[oa]s?|gigantes?|ampli[oa]s?|amplisim[oa]s?|grandot[ea]s?|aguad[oa]s?|big|huge|loose|baggy"
)
_ES_ARRIVED = _alt(
    "llego|llegaron|llega|llegan|vino|vinieron|venia|venian|viene|vienen|recibi|recibimos|ha llegado|han llegado|lo recibi|la recibi|los recibi|las recibi|me llego|me llegaron|me ha llegado|me han llegado|estaba|estaban|se recibio|se entrego|se entregaron|entregaron|lo entregaron"
)
_ES_BROKEN = _alt(
    r"rot[oa]s?|rajad[oa]s?|abollad[oa]s?|golpead[oa]s?|manchad[oa]s?|aplastad[oa]s?|doblad[oa]s?|rayad[oa]s?|aranad[oa]s?|agrietad[oa]s?|partid[oa]s?|astillad[oa]s?|destrozad[oa]s?|hech[oa]s? polvo|suci[oa]s?|mojad[oa]s?|empapad[oa]s?|humed[oa]s?|danad[oa]s?|con (?:un |una |varios |varias )?(?:golpes?|manchas?|rayones|rayon|raja|grietas?|abolladuras?|aranazos?|bollos?)|en mal estado|hech[oa]s? trizas|desgarrad[oa]s?|reventad[oa]s?|chafad[oa]s?|desconchad[oa]s?|quebrad[oa]s?|estrellad[oa]s?|madread[oa]s?|chuec[oa]s?|en mil pedazos|hundid[oa]s?|con (?:el|la) \w+ hundid[oa]|saltad[oa]s?|broken|smashed|damaged"
)
_ES_SENT = _alt(
    "mandaron|enviaron|mandasteis|enviasteis|mandaste|enviaste|han mandado|han enviado|habeis mandado|habeis enviado|llego|llegaron|vino|vinieron|ha llegado|han llegado|mandan|envian|pusieron|metieron"
)
_ES_ORDERED = _alt(
    "pedi|encargue|compre|pedimos|compramos|ordene|habia pedido|he pedido|he comprado|solicite|elegi|escogi|habiamos pedido"
)
_ES_RECEIVED_VERB = _alt(
    "llego|llegaron|vino|vinieron|mandaron|enviaron|mandasteis|enviasteis|mandaste|enviaste|recibi|recibimos|llegado|mandado|enviado|trajeron|pusieron|metieron|encontre|venia|habia"
)
_ES_PARTS = _alt(
    r"piezas?|tornillos?|cargador|cables?|accesorios?|mando|tapas?|patas?|instrucciones|manual|baterias?|pilas|correas?|cinturon|botones|lentes?|fundas?|adaptador|llaves?|herrajes|tuercas?|bisagras?|enchufe|bombillas?|auriculares|cascos|tacos|estantes?|baldas?|ruedas?|tirantes?|cordones|plantillas?|pedales|helices|puertas|cajon|cajones|mitad|la otra (?:mitad|parte|pieza|zapatilla|bota|sandalia)|el otro (?:zapato|guante|pendiente|auricular|calcetin)"
)
_ES_PHOTO = _alt(
    r"fotos?|imagen(?:es)?|descripcion|anuncio|web|pagina|ficha|tienda online|catalogo|video|publicidad"
)

# --- English building blocks ------------------------------------------------------------------
_EN_DEGREE = r"(?:(?:too|very|way|way too|a bit|a little|bit|slightly|super|really|so|much|far|quite|rather|extremely|ridiculously|a tad|tad|kinda|kind of|pretty|insanely|well) )*"
# A size word describing a flaw ("a very small scratch", "a huge dent") is not about the fit.
_EN_NOT_A_FLAW = r"(?! (?:scratch|scratches|crack|cracks|dent|dents|stain|stains|chip|chips|mark|marks|hole|holes|tear|tears|rip|part|parts|piece|pieces|print|font|box|boxes|package|parcel|detail|details|amount|issue|problem|defect|flaw|bag|gift|item|price|difference|delay|wait|screen|battery|text|letters|mistake|error|hassle|deal|discount))"
_EN_TOO = _alt(
    "too|to|way too|much too|far too|bit too|little too|tad too|slightly too|so|very|really|super|painfully|uncomfortably|ridiculously|comically|well"
)
_EN_SMALL = _alt("small|tight|snug|short|narrow|tiny|little|cramped|constricting") + _EN_NOT_A_FLAW
_EN_BIG = (
    _alt("big|large|loose|baggy|wide|roomy|oversized|huge|massive|giant|enormous|boxy")
    + _EN_NOT_A_FLAW
)
_EN_ARRIVED = _alt(
    "arrived|came|showed up|was delivered|were delivered|got here|received it|received them|received|delivered|turned up|it was|they were|comes|arrives|got to me"
)
_EN_BROKEN = _alt(
    r"broken|cracked|smashed|shattered|dented|scratched|scuffed|stained|dirty|ripped|torn|crushed|bent|chipped|damaged|wet|soaked|in pieces|leaking|squashed|busted|destroyed|battered|with a (?:\w+ )?(?:crack|dent|scratch|stain|hole|tear|chip)|with (?:cracks|dents|scratches|stains|holes|chips)|all scratched|beat up|banged up|covered in (?:scratches|stains|dirt|marks)|(?:with )?(?:the )?(?:\w+ )?caved in|with (?:chipped|peeling) paint|gouges?|in (?:poor|bad|terrible|awful) (?:condition|shape|state)|rotos?|rotas?"
)
_EN_SENT = _alt(
    "sent|shipped|received|got|gave|delivered|sent me|shipped me|gave me|sent us|you sent|they sent|was sent|were sent|i got|i received|came|arrived|it came|it arrived"
)
_EN_ORDERED = _alt("ordered|bought|purchased|picked|selected|chose|paid for|asked for|requested")
_EN_PARTS = _alt(
    r"parts?|pieces?|screws?|charger|cables?|cords?|accessor(?:y|ies)|remote|lids?|caps?|legs?|instructions|manual|batter(?:y|ies)|straps?|belt|buttons?|lens(?:es)?|adapter|adaptor|keys?|hardware|bolts?|nuts|hinges?|plug|power supply|power cord|dust bag|insoles?|shelf|shelves|wheels?|drawstring|laces|stand|base|bracket|brackets|mount|earbud|half|pedals|propellers|doors|drawers?|bulbs?|controller|the other (?:shoe|glove|earring|earbud|sock|half|piece|boot|sandal)"
)
_EN_PHOTO = _alt(
    r"photos?|pictures?|pics?|images?|description|listing|website|site|advert|ad|product page|video|catalogue|catalog"
)

RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # -------------------------------------------------------------------------------- size
    (
        "too_small",
        "es",
        (
            rf"{_ES_PRONOUN} {_ES_FITS} {_ES_DEGREE}{_ES_SMALL}",
            rf"{_alt('esta|estan|es|son|queda|quedan|viene|vienen|salen|sale')} {_ES_DEGREE}{_alt(r'pequen[oa]s?|pequenisim[oa]s?|chiquit[oa]s?|chiquitit[oa]s?|apretad[oa]s?|apretadisim[oa]s?|estrechisim[oa]s?|justisim[oa]s?')}",
            rf"{_alt('talla|tallas|horma|tallan|tallaje|patron|numeracion')} {_ES_DEGREE}{_alt(r'pequen[oa]s?|chic[oa]s?|justit[oa]s?|just[oa]s?')}",
            rf"{_alt('necesito|necesitaria|quiero|queria|pedire|pido|cambiar a|cambiarla por|cambiarlo por|cambio por|mejor|hace falta|me hace falta|preferiria|ocupo')} {_alt('una|un|el|la')} {_alt('talla|numero|numerito|talle')} {_alt('mas|superior|por encima|arriba|inmediatamente superior|siguiente')}",
            rf"{_alt('talla|numero|talle')} {_alt('mas grande|superior')}",
            rf"{_alt('una|un')} {_alt('talla|numero|talle')} (?:mas )?{_alt('arriba|superior|mas')}",
            r"no (?:me |le |te )?(?:entra|entran|cierra|cierran|abrocha|abrochan|sube|suben|cabe|caben|pasa por|pasan por|cierra la cremallera|entra el pie|entran los pies)",
            r"no (?:consigo|puedo|podia|pude) (?:subirme|abrocharme|abrochar|cerrar|cerrarme|ponerme|meter|meterme|subir)",
            r"(?:me |le )?(?:aprieta|aprietan|apretaba|apretaban|oprime|oprimen)",
            r"(?:me |le )?(?:hace|hacen|hacia|hacian) (?:dano|heridas|rozaduras) (?:en|al)",
            r"(?:los )?dedos? (?:tocan|tocaban|chocan|doblados|apretados)",
            r"(?:no puedo ni respirar|no puedo respirar|se me marca todo|parece de nino|parece de nina|talla infantil|me asfixia|ceñid[oa]|cenid[oa]s?)",
            r"(?:me |le )?(?:tira|tiran) (?:de|en) (?:la|los|las|el) (?:espalda|hombros|sisa|pecho|brazos|cadera|caderas|culo|muslos)",
            r"no (?:me |le )?(?:pasa|pasan) (?:del|de la|de los|por el|por la|por los) (?:muslo|muslos|rodilla|rodillas|cadera|caderas|gemelo|gemelos|hombros|cabeza)",
            _whole(
                rf"{_ES_DEGREE}{_alt(r'pequen[oa]s?|chic[oa]s?|apretad[oa]s?|estrech[oa]s?|talla pequena|talla chica|pequenisim[oa]')}"
            ),
        ),
    ),
    (
        "too_small",
        "en",
        (
            rf"{_EN_TOO} {_EN_DEGREE}{_EN_SMALL}",
            rf"{_alt('runs|run|running|ran|fits|fit|fitted|sized|sizing|comes up|came up|come up|cut|cuts')} {_EN_DEGREE}{_alt('small|tight|snug|short|narrow|tiny')}",
            rf"{_alt('size|sizes|one size|half size|half a size|a size')} {_alt('up|bigger|larger')}",
            rf"{_alt('bigger|larger|next')} {_alt('size|one|pair')}(?: up)?",
            rf"{_alt('is|are|was|were|feels|felt|it is|its|fits|fit')} (?:a bit |quite |really |very |so |rather |a little |just |well |way |super |pretty |too |kinda |kind of )*{_alt('tight|snug|tiny')}{_EN_NOT_A_FLAW}",
            rf"{_alt('tiny|small|tight|snug')} on (?:me|him|her|my {_W})",
            rf"{_alt('way|much|a lot|far|so much')} {_alt('smaller|tighter|shorter|narrower')}",
            r"(?:could not|can not|did not|does not|will not|would not|not) (?:zip|zip up|button|button up|close|do up|get (?:it |them )?(?:on|over|past|up)|pull (?:it |them )?(?:up|on|over)|go over|get (?:my|his|her|their) (?:foot|feet|arm|arms|hand|hands|head|leg|legs) (?:in|into|through)|fit my (?:foot|feet|shoulders|chest|hips|waist|head|wrist))",
            r"(?:pinch|pinches|pinched|pinching|squeez(?:e|es|ed|ing)|cuts? off (?:my )?circulation|digs? in|dig into|dug into|cuts? into)",
            r"(?:my )?toes (?:hit|touch|touched|hitting|touching|squashed|crushed|jammed|curled)",
            r"(?:can barely breathe|can not breathe|could not breathe|like a (?:child|kids|childs|toddler)s?|suffocat(?:ing|es)|too fitted|pulls? (?:across|at|on) (?:my|the) (?:back|shoulders|chest|hips|bust|thighs|arms))",
            r"(?:will not|wont|does not|did not|can not|could not) (?:fasten|button up|do up|close)",
            r"(?:get|pull) (?:the |them |it )?(?:\w+ )?past (?:my|his|her) (?:thighs|hips|knees|calves|shoulders|head)",
            _whole(rf"{_EN_DEGREE}{_alt('small|tight|tiny|snug|too small|to small')}"),
        ),
    ),
    (
        "too_large",
        "es",
        (
            rf"{_ES_PRONOUN} {_ES_FITS} {_ES_DEGREE}{_ES_BIG}",
            rf"{_alt('esta|estan|es|son|queda|quedan|viene|vienen|salen|sale')} {_ES_DEGREE}{_alt(r'enormes?|grandisim[oa]s?|holgadisim[oa]s?|larguisim[oa]s?|amplisim[oa]s?|gigantes?|grandot[ea]s?')}",
            rf"{_alt('talla|tallas|horma|tallan|tallaje|patron|numeracion')} {_ES_DEGREE}{_alt(r'grandes?|ampli[oa]s?|anch[oa]s?|generos[oa]s?|holgad[oa]s?')}",
            rf"{_alt('necesito|necesitaria|quiero|queria|pedire|pido|cambiar a|cambiarla por|cambiarlo por|cambio por|mejor|hace falta|me hace falta|preferiria|ocupo|solicito')} {_alt('una|un|el|la|medio')} {_alt('talla|numero|numerito|talle')} {_alt('menos|menor|inferior|por debajo|abajo|mas pequena|mas chica|mas pequeno')}",
            rf"{_alt('talla|numero|talle')} {_alt('mas pequena|mas chica|mas pequeno|menor|inferior')}",
            rf"{_alt('una|un|medio')} {_alt('talla|numero|talle')} menos",
            r"se me (?:cae|caen|caia|caian|sale|salen|salia|salian|resbala|resbalan|escurre|escurren|baja|bajan|va el pie)",
            r"(?:me |le )?(?:baila|bailan|bailaba|bailaban|sobra|sobran|sobraba|sobraban)",
            r"(?:nado|nadaba|nada|bailo) (?:dentro|en el|en ella|en ellos)",
            r"(?:parece|parezco|pareces) (?:una tienda de campana|un saco|un camison|un globo)",
            r"(?:me llega|llega|llegan|me llegan) (?:por|hasta) (?:las rodillas|los tobillos|el suelo|los dedos|las manos|la mitad de la mano)",
            r"arrastra(?:n)? por el suelo",
            r"(?:me sobra|sobra|demasiada|mucha) (?:holgura|tela|espacio)|como (?:una manta|un saco|una tienda)",
            _whole(
                rf"{_ES_DEGREE}{_alt(r'grandes?|enormes?|anch[oa]s?|holgad[oa]s?|grandisim[oa]s?|larg[oa]s?')}"
            ),
        ),
    ),
    (
        "too_large",
        "en",
        (
            rf"{_EN_TOO} {_EN_DEGREE}{_EN_BIG}",
            rf"{_alt('runs|run|running|ran|fits|fit|fitted|sized|sizing|comes up|came up|come up|cut|cuts')} {_EN_DEGREE}{_alt('large|big|loose|long|wide|generous|huge|massive')}",
            rf"{_alt('size|sizes|one size|half size|half a size|a size|sizing')} {_alt('down|smaller')}",
            rf"{_alt('smaller')} {_alt('size|one|pair')}",
            r"next size down",
            rf"{_alt('huge|massive|enormous|giant|big|loose|baggy|gigantic')} on (?:me|him|her|my {_W})",
            rf"{_alt('its|it is|is|are|they are|it was|was')} (?:absolutely |just |so |really )?{_alt('huge|massive|enormous|gigantic')}{_EN_NOT_A_FLAW}",
            rf"{_alt('way|much|a lot|far|so much')} {_alt('bigger|larger|looser|longer|wider')}",
            r"(?:sleeves|sleeve|legs|leg|arms|trousers|pants|jeans|dress|skirt|coat|jacket|shirt|top|hem|inseam|length|straps|it|they) (?:is |are |was |were )?(?:too|way too|much too|far too|a bit too|slightly too|really|very|so|miles too) long",
            r"(?:way|much|far|miles|a bit|slightly) too long",
            r"(?:falls|fall|falling|fell|slips|slip|slipping|slipped|slides|slide|sliding|slid) (?:off|down|right off)",
            r"hangs? off (?:me|my (?:shoulders|body|frame|hips))",
            r"(?:heel|heels|feet|foot) (?:slips|slip|slipping|slide|slides|lifts|lift|comes out|come out|pops out)",
            r"(?:feet|foot) (?:slide|slides|sliding|move|moves) (?:around|about)",
            r"(?:spins|spin|moves|slides) (?:around|round) (?:my|his|her) (?:finger|wrist|neck)",
            r"(?:drags|dragging|trails|trailing) (?:on|along) the (?:floor|ground)",
            r"(?:swimming|drowning|lost) in (?:it|them|the|this|these|my)",
            r"(?:like|looks like|look like) (?:a tent|a sack|a potato sack|a bag|a parachute)",
            r"(?:too much|way too much|so much|loads of) (?:room|space|fabric|material)|like wearing a (?:blanket|tent|duvet|sack)",
            _whole(
                rf"{_EN_DEGREE}{_alt('big|large|huge|loose|baggy|massive|too big|to big|way too loose')}"
            ),
        ),
    ),
    # ----------------------------------------------------------------------------- quality
    (
        "defective",
        "es",
        (
            r"no (?:me |le |nos )?(?:funciona|funcionan|funciono|funcionaba|funcionaban|enciende|encienden|encendio|prende|prenden|prendio|carga|cargan|cargo|arranca|arrancan|conecta|conectan|empareja|sincroniza|suena|suenan|calienta|enfria|responde|responden|gira|lee|detecta|marca|mide|cierra bien|anda|andan|jala|aspira|enfoca)",
            r"(?:dejo|deja|dejaron|dejan|ha dejado|han dejado) de (?:funcionar|cargar|encender|sonar|andar|ir|calentar|enfriar|conectar|girar|marcar|aspirar)",
            r"se (?:me |le |nos |les )?(?:rompio|rompe|rompen|rompieron|ha roto|han roto|descoso|descosio|descosen|descosieron|despego|despegan|despegaron|desprendio|desprendieron|solto|soltaron|pelo|pelan|quemo|apaga|apago|reinicia|cuelga|traba|bloquea|estropeo|estropea|estropearon|desmonto|desmonta|rajo|rasgo|abrio la costura|deshilacho|deshilachan|ha descosido|ha despegado|ha pelado|congela|queda congelad[oa]|calienta demasiado)",
            r"(?:defectuos[oa]s?|defecto de fabrica|defectos de fabrica|tiene un defecto|viene con defecto|vino con defecto|averiad[oa]s?|averia|fallo tecnico|falla el|falla la|fallan los|no sirve para nada|no sirve|descosid[oa]s?|costura abierta|costuras abiertas|pierde agua|gotea|hace un ruido|hace ruido|ruido raro|pantalla (?:negra|en negro|parpadea|con rayas)|destine|destino al lavar|se ha destenido|se decoloro|se destino|huele a quemado|olor a quemado|vibra (?:muchisimo|mucho|demasiado)|solo (?:se oye|suena|funciona) (?:por )?un lado|doble clic solo|pierde potencia|no aspira|se desconecta|da error|marca error|apenas calienta|no calienta|no detecta)",
            r"(?:bateria|pila) (?:no dura|dura poco|se agota|no carga|hinchada|dura (?:media|una) hora)",
            r"(?:funciono|funcionaba|duro|aguanto) (?:\w+ ){0,3}(?:y|pero) (?:\w+ )?(?:murio|se murio|dejo de|se rompio|se apago|se estropeo|ya no)",
            r"(?:a los|al|en el|en) (?:pocos|dos|tres|cuatro|cinco|primer|primeros|segundo|\d+) (?:dias|usos|uso|semanas|lavados|lavado|puestas|paseo)",
        ),
    ),
    (
        "defective",
        "en",
        (
            r"(?:does not|do not|did not|will not|would not|can not|never|stopped|stops|stop|quit|quits|refuses to|fails to|failed to|not) (?:work|working|works|turn on|turning on|power on|power up|charge|charging|hold a charge|hold charge|connect|pair|pairing|start|boot|boot up|heat|heat up|cool|spin|switch on|light up|respond|responding|read|register|sync|syncing|lock|close properly)",
            r"(?:stopped|quit|ceased) (?:\w+ ){0,2}(?:working|charging|turning on|heating|connecting|responding|producing|making|playing|giving)",
            rf"(?:broke|broken|died|dead|fell apart|came apart|ripped|tore|split|snapped|cracked|peeled|peeling|came undone|came unglued|came unstitched|unravel(?:l)?ed|frayed|stopped|shrunk|shrank|faded) {_GAP2}(?:after|within|on the first|on first|at the first|the first time|while|in the wash|in use|after one|after a|first wear|first use|second use|first wash|on day|straight away)",
            r"(?:defective|faulty|malfunction(?:ing|s|ed)?|glitch(?:y|es)?|manufacturing (?:defect|fault)|factory (?:defect|fault)|dead on arrival|doa|does nothing|is dead|was dead|it is dead|they are dead|shorted out|short circuit|overheats|overheating|keeps (?:restarting|rebooting|turning (?:itself )?off|shutting off|shutting down|disconnecting|crashing|dropping|freezing|beeping)|turns itself off|leaks|leaking water|buzzing|rattles|rattling|flicker(?:s|ing)?|dead pixels?|grinding noise|weird noise|strange noise|horrible noise|(?:smells?|stinks?) (?:of|like) burning|burning smell|lost suction|loses suction|lost power|packed in|packed up|conked out|gave up the ghost|kaput|drops the connection|keeps dropping|disconnects|shows an error|error message|barely (?:works|gets warm|heats|charges|holds)|can not find the device|not detected|only (?:\w+ ){0,3}(?:one side|one ear)|double clicks)",
            r"(?:battery|batteries) (?:dies|died|drains|drained|does not last|will not hold|swollen|lasts (?:only |about )?(?:an|one|two|\d+) (?:hour|hours|minutes))",
            r"(?:seam|seams|stitching|zip|zipper|strap|buckle|clasp|handle|sole|heel|button|buttons) (?:broke|broken|split|came apart|ripped|busted|came off|fell off|detached|peeled|snapped|gave way|gave out|came loose|unstitched|unravelled|unraveled)",
            r"(?:worked|lasted|ran) (?:\w+ ){0,3}(?:then|and then|before it|but then|and) (?:\w+ )?(?:died|stopped|broke|quit|packed in|conked out)",
            r"(?:colou?r|dye) (?:ran|runs|bled|bleeds|faded|fades) (?:in|after|when)",
        ),
    ),
    (
        "damaged",
        "es",
        (
            rf"{_ES_ARRIVED} (?:{_W} ){{0,7}}{_ES_BROKEN}",
            rf"{_alt('caja|paquete|embalaje|envoltorio|envase|bote|frasco|cristal|carton|bolsa|paqete')} {_GAP2}{_alt(r'rot[oa]|aplastad[oa]|abiert[oa]|mojad[oa]|destrozad[oa]|golpead[oa]|danad[oa]|reventad[oa]|chafad[oa]|hech[oa] polvo|abollad[oa]|deshech[oa]|empapad[oa]|madread[oa]')}",
            r"(?:en el|durante el|por el) (?:transporte|envio|camino|viaje|reparto)",
            r"(?:la mensajeria|el mensajero|el repartidor|la agencia|el transportista|correos) (?:lo |la |los |las )?(?:rompio|tiro|tiraron|golpeo|aplasto|dejo caer|trato fatal|maltrato|dejo tirado|dejo bajo la lluvia)",
            rf"(?:ya )?(?:venia|venian|vino|llego|llegaron) (?:con )?{_alt('un golpe|golpes|una mancha|manchas|rayones|un rayon|una raja|grietas|una grieta|abolladuras|una abolladura|un bollo|aranazos|un aranazo|desperfectos|un desperfecto|la pantalla rota|el cristal roto|la caja rota|la pata rota')}",
            r"(?:nada mas|recien|al) (?:abrir|abrirlo|abrirla|sacarlo|sacarla|recibirlo|recibirla|desembalar|desembalarlo|desembalarla) (?:\w+ ){0,4}(?:estaba|vi|venia|tenia|ya estaba)",
        ),
    ),
    (
        "damaged",
        "en",
        (
            rf"{_EN_ARRIVED} {_GAP3}{_EN_BROKEN}",
            rf"{_alt('box|package|parcel|packaging|packet|carton|bottle|jar|glass')} {_GAP2}{_alt('crushed|damaged|smashed|torn|ripped|soaked|wet|open|opened|destroyed|dented|caved in|broken|squashed|burst|leaking|shattered|flattened|battered|falling apart')}",
            r"(?:in|during) (?:transit|shipping|delivery|the post|the mail|shipment)",
            r"(?:courier|delivery driver|driver|carrier|postman|postie|post office|mailman|delivery guy|fedex|ups|dhl|usps) (?:\w+ ){0,3}(?:threw|dropped|crushed|broke|smashed|damaged|kicked|mishandled|sat on|left it out)",
            r"(?:out of the box|straight out of the box|when i opened (?:it|the box|the package|the parcel)|when i unpacked it|upon opening|on opening|on arrival|on delivery|upon arrival|as soon as i opened (?:it|the box|the package|the parcel)|taking it out of the box) (?:\w+ ){0,4}(?:broken|cracked|scratched|dented|stained|chipped|smashed|shattered|torn|damaged|split|a (?:crack|dent|scratch|stain|chip|tear))",
            r"(?:broken|snapped|cracked|smashed|shattered|chipped|dented|split|bent) (?:when|as soon as|once) (?:i|we) (?:opened|unpacked|unboxed|took it out)",
            r"(?:was|were|is|are) (?:\w+ )?(?:cracked|broken|smashed|dented|chipped|scratched|bent|stained) when (?:it|they) (?:arrived|came|got here|was delivered)",
        ),
    ),
    (
        "missing_parts",
        "es",
        (
            rf"(?:falta|faltan|faltaba|faltaban|faltaria|sin) {_GAP2}{_ES_PARTS}",
            rf"no (?:venia|venian|viene|vienen|traia|traian|trae|traen|incluia|incluye|incluyen|incluian|estaba|estaban|llego|llegaron|habia|hay|tenia|tiene|trajo|venia con) {_GAP3}{_ES_PARTS}",
            r"(?:incomplet[oa]s?|le falta algo|les falta algo|falta una parte|faltan partes|faltan cosas|(?:le|les|al \w+ le|a la \w+ le) (?:falta|faltan|faltaba|faltaban)(?! \d+ (?:cm|centimetros|mm|metros|tallas|dias|euros)))",
            r"(?:vino|venia|venian|llego|llegaron|viene|vienen) (?:\w+ )?sin (?:el |la |los |las |sus |su )?",
            r"(?:el otro|la otra) (?:no estaba|no venia|no vino|no llego|no esta|falta)",
            r"(?:vino|venia|llego|venian) (?:\w+ )?(?:con solo|solo con)",
            r"solo (?:venia|vino|venian|llego|llegaron|trae|traia|habia|hay|viene) (?:un|una|el|la|uno|media|la mitad|\d+)",
            r"(?:venian|venia|habia|hay|trae|traia) (?:\d+|dos|tres|cuatro|cinco) (?:\w+ )?(?:en vez de|en lugar de|y (?:eran|son|deberian ser))",
            r"(?:con|venia con|vino con) (?:un|una|dos) (?:\w+ )?menos|(?:un|una|dos) (?:\w+ )?de menos",
        ),
    ),
    (
        "missing_parts",
        "en",
        (
            rf"(?:missing|without|lacking|lacks|minus|no) (?:the |a |an |any |its |one |two |some |all |of the |both )?{_GAP2}{_EN_PARTS}",
            rf"{_EN_PARTS} (?:was|were|is|are) (?:missing|not included|not in the box|absent|nowhere)",
            r"(?:did not|does not|do not|didnt) (?:come|arrive|ship) with",
            r"(?:came|arrived|comes|come|shipped|turned up) (?:\w+ )?without",
            rf"(?:did not|does not|didnt) (?:include|have) (?:the |a |an |any |its )?{_GAP1}{_alt('screws?|charger|cables?|cords?|remote|instructions|manual|batter(?:y|ies)|power supply|adapter|hardware|bolts?|parts?|pieces?|second|extra|spare|controller')}",
            r"(?:the other (?:one )?(?:is not|was not|is missing|never came|isnt|wasnt)|(?:was|were|is|are) not included|not included)",
            r"(?:incomplete|not complete|parts? (?:are |were )?missing|pieces? (?:are |were )?missing|is missing (?:a|the|one|two|some|its)|are missing|some parts|half the parts|only (?:one|1|half) (?:of the )?(?:shoe|earbud|earring|glove|sock|piece|part|boot|sandal|pair)|only the (?:left|right) (?:\w+ )?(?:came|arrived|was there))",
            r"(?:one|two|three) (?:\w+ )?short",
            r"(?:came|arrived|comes) with (?:just|only) ",
            r"(?:was|were) not (?:there|in the box|inside)",
            r"(?:\d+|two|three|four|five) (?:\w+ ){0,2}instead of (?:\d+|two|three|four|five|six|ten|twelve)",
        ),
    ),
    # --------------------------------------------------------------- description, item
    (
        "not_as_described",
        "es",
        (
            rf"no (?:es|era|son|eran|se parece|parece|se parecen|parecen|tiene nada que ver|tienen nada que ver|corresponde|corresponden|coincide|coinciden|se corresponde|cumple) {_GAP3}(?:como|a lo|al de|a la de|a los de|a las de|con la|con lo|con el|con las|con los|a la|al|lo que) {_GAP3}{_alt(r'fotos?|imagen(?:es)?|descripcion|anuncio|web|pagina|ficha|describe|describia|anunciaba|anunciado|mostraba|muestra|salia|sale|pone|ponia|decia|dice|prometian|prometen|publicidad|catalogo|video|mostrado')}",
            rf"{_alt('diferente|distinto|distinta|distintos|distintas|nada que ver|otra cosa|no coincide|no se parece|difiere|difieren')} {_GAP3}{_alt('a la|al de|de la|de lo|con la|con lo|al que|a lo que|que en la|que el de la|que la|a las|de las|del|al|de los')} {_GAP2}{_alt(_ES_PHOTO[3:-1] + '|mostrado|anunciado|descrito')}",
            rf"(?:tabla|guia|cuadro) de (?:tallas|medidas) {_GAP5}(?:no|mal|equivocada|incorrecta|erronea|miente|falla|enganosa|no coincide|no corresponde|no cuadra|no sirve|no es real)",
            r"segun (?:la |el )?(?:tabla de tallas|guia de tallas|descripcion|ficha|web|anuncio|medidas)",
            rf"(?:las medidas|medidas|dimensiones|el tamano|la capacidad) {_GAP3}(?:no (?:son|coinciden|corresponden|cuadran)|no son las|distintas|diferentes|de la (?:web|descripcion|ficha))",
            r"(?:no es|no era|no son|no eran|no parece|no parecen|dice que es|decia que era|pone que es|ponia que era|anuncian como|anunciado como|se anuncia como|vendido como|vendida como) (?:de )?(?:piel|cuero|algodon|lana|seda|madera maciza|madera|metal|acero|plata|oro|lino|cachemir|cashmere|original|autentic[oa]|100)",
            r"(?:es|parece|era|son|parecen|resulto ser|resulta ser) (?:de )?(?:plastico|poliester|sintetico|polipiel|imitacion|falso|falsa|una imitacion|una copia|chapado|chapa|aglomerado|carton piedra)",
            rf"(?:el |los )?(?:color|colores|tono|estampado|material|tejido|tela|acabado) {_GAP3}(?:no es el|no es como|no son como|no coincide|no se parece|es distinto|es diferente|nada que ver|mucho mas (?:oscuro|claro|apagado|brillante|fino)|mas (?:oscuro|claro|apagado|chillon|brillante|fino|aspero) que|distinto al|diferente al|no es la que)",
            r"(?:beige|gris|negro|blanco|rosa|azul|verde|rojo|crema|marron|morado|naranja|amarillo|dorado|plateado) (?:en realidad|es en realidad|es realmente|es casi|realmente es)",
            r"(?:publicidad enganosa|enganos[oa]|estafa|timo|no es lo anunciado|no es lo que se anuncia|no es lo que anuncian|no es como lo describen|no es como en las fotos|no es como en la foto|no como en la foto)",
            rf"no (?:tiene|trae|incluye|hace|lleva) {_GAP3}(?:que (?:dice|decia|pone|ponia|anuncian|prometen|prometian)|como (?:dice|decia|pone|ponia)|segun la (?:descripcion|ficha|web))",
            r"(?:en la|segun la|en las|segun las) (?:foto|fotos|imagen|imagenes|descripcion|ficha|web) (?:\w+ ){0,4}(?:parecia|parece|era|es|salia|pone|ponia|decia|se veia)",
            r"(?:decia|dice|ponia|pone|prometia|prometian|anunciaba|anuncian|la descripcion prometia|la ficha decia) (?:\w+ ){0,5}(?:y|pero) (?:se |no |apenas |es |en realidad )",
            r"(?:comparad[oa] con|en comparacion con|al lado de) (?:la |el |las |los )?(?:foto|fotos|imagen|imagenes|anuncio)",
            r"(?:mas pequen[oa]|mas grande|mas chic[oa]|menos|mayor|menor|mas oscur[oa]|mas clar[oa]) (?:\w+ ){0,3}(?:de lo que (?:parecia|parece|indicaban|indica|decia|dice|ponia|pone|dan a entender|mostraban)|de lo anunciado|de lo indicado|que en la foto|que en las fotos|que en la imagen)",
            r"(?:se ve|parece|parecen|se siente) (?:\w+ ){0,2}(?:barat[oa]|cutre|de mala calidad|de juguete|de disfraz|una imitacion)",
        ),
    ),
    (
        "not_as_described",
        "en",
        (
            rf"(?:not|nothing|is not|was not|are not|were not|does not look|did not look|do not look|looks nothing|look nothing|looked nothing|does not match|did not match|do not match|different from|different than|differs from|differs considerably from|nothing like|not like|not the same as|not what was|unlike) {_GAP3}(?:like )?(?:the |in the |on the |what the |what was |the one )?{_GAP1}{_alt('photo|photos|picture|pictures|pic|pics|image|images|description|listing|website|site|advert|ad|product page|described|advertised|shown|pictured|promised|stated|catalogue|catalog|web')}",
            r"not as (?:described|advertised|pictured|shown|stated|promised|in the (?:photo|photos|picture|pictures|description|listing))",
            r"(?:misleading|false advertising|misrepresented|misdescribed|inaccurate (?:description|listing|photos)|photoshopped|false description|bait and switch)",
            rf"(?:size chart|sizing chart|size guide|measurement chart|measurements chart|size table) {_GAP5}(?:wrong|off|inaccurate|incorrect|lies|lied|useless|does not match|did not match|misleading|way off|is a joke|not accurate|nonsense)",
            r"according to the (?:size chart|sizing chart|size guide|description|listing|website|measurements)",
            rf"(?:the )?(?:colou?r|colours|colors|shade|tone|material|fabric|print|pattern|finish|texture) {_GAP3}(?:is|was|are|were|looks|looked|seems|feels|felt) (?:completely |totally |very |much |way |nothing like |so )*(?:different|off|darker|lighter|duller|brighter|thinner|cheaper|not what|not the same|nothing like)",
            r"(?:beige|grey|gray|black|white|pink|blue|green|red|navy|cream|brown|purple|orange|yellow|gold|silver) (?:is actually|is basically|is almost|is really|was actually|looks like)",
            r"(?:it is|it was|its|they are|feels like|felt like|turned out to be|is actually|was actually|is clearly|made of|made from) (?:cheap |thin |flimsy )?(?:plastic|polyester|synthetic|fake|faux|acrylic|veneer|particle board|mdf|imitation|a knockoff|a knock off|a copy|not real|not genuine|not leather|not wool|not cotton|not silk|not solid wood|not gold|not silver|not steel)",
            rf"(?:says|said|listed as|described as|advertised as|sold as|claims to be|claimed to be|supposed to be|promised|claims|claimed) {_GAP5}(?:but|yet|however|and it is not|not|and it|and they)",
            r"(?:listing|description|website|ad|advert|page) (?:says|said|promised|claims|claimed|stated|states)",
            rf"(?:does not|did not|do not) (?:have|include|support|do|offer) {_GAP5}(?:feature|features|function|that the (?:listing|description|page|ad)|the listing (?:says|said|promised|mentions|mentioned)|advertised|described|promised|mentioned|as stated)",
            r"(?:dimensions|measurements|the size|the capacity|the length|the width|the height) (?:\w+ ){0,4}(?:do not match|did not match|are wrong|were wrong|is wrong|was wrong|are off|are different|not as listed|not as stated|differ)",
            r"(?:compared to|compared with|next to) (?:the )?(?:photo|photos|picture|pictures|image|images|listing)",
            r"(?:smaller|bigger|larger|shorter|thinner|darker|lighter|cheaper looking|duller) (?:\w+ ){0,3}than (?:it looks|it looked|they look|advertised|described|pictured|shown|stated|listed|in the (?:photo|photos|pictures|picture|images)|the (?:photos?|pictures?|images?|listing|description)|the pictures make out)",
            r"(?:in|on) the (?:photos?|pictures?|images?|website|listing) (?:it |they )?(?:looked|look|looks|seemed|seems)",
            r"(?:looks?|looking|looked|feels?|felt) (?:\w+ ){0,2}(?:cheap|cheaper|tacky|flimsy) (?:than|and|like|compared)",
        ),
    ),
    (
        "wrong_item",
        "es",
        (
            rf"(?:me |nos )?{_ES_SENT} {_GAP2}{_alt(r'otr[oa]s?|equivocad[oa]s?|el equivocado|la equivocada|uno equivocado|una equivocada|diferentes?|distint[oa]s?|un[oa]s? que no|el que no|la que no')} {_alt('talla|color|modelo|articulo|producto|numero|cosa|referencia|pedido|libro|par|tono|version|tamano|talla que|color que|modelo que|distinto|distinta|diferente|que no|marca')}",
            rf"{_ES_ORDERED} {_GAP5}(?:y|pero) (?:me |nos )?(?:ha |han )?(?:en la caja )?{_ES_RECEIVED_VERB}{_NOT_ANOTHER_ITEM}",
            rf"no (?:es|era|son|eran|corresponde a|coincide con) (?:lo|el|la|los|las|el mismo|la misma) {_GAP1}(?:que|de) {_ES_ORDERED}",
            r"no (?:es|era|son|eran) (?:mi pedido|el pedido|lo pedido|el articulo pedido|la talla pedida|el color pedido|el modelo pedido|la talla que pedi|el color que pedi)",
            r"(?:articulo|producto|talla|color|modelo|pedido|paquete|envio|referencia) (?:equivocad[oa]|erroneo|erronea|incorrect[oa]|cambiad[oa])",
            r"(?:mi pedido era|el pedido era|yo habia pedido) (?:un|una|el|la|de|en)",
            r"(?:equivocaron|confundieron|se equivocaron|os equivocasteis|te equivocaste|os habeis confundido|os habeis equivocado|se han confundido|se han equivocado|habeis confundido|error (?:en el|de|al) (?:pedido|envio|empaquetar|preparar)|pedido de otra persona|era para otra persona|a nombre de otra persona|etiqueta (?:de|con) otr[oa]|mal etiquetad[oa]|etiqueta equivocada|de otro cliente|de otra clienta|que no he (?:comprado|pedido)|que no (?:compre|pedi|pedimos|encargue))",
            r"en (?:vez|lugar) de (?:la|el|los|las|una|un) (?:\w+ ){0,3}(?:me |nos )?(?:llego|llegaron|vino|vinieron|mandaron|enviaron|recibi)",
            r"(?:distint[oa]|diferente) (?:\w+ ){0,3}(?:a la solicitada|al solicitado|a la pedida|al pedido|a lo pedido|de lo que pedi|a lo que pedi)",
            r"no (?:coincide|corresponde|concuerda) con (?:\w+ ){0,3}(?:mi pedido|el pedido|lo que pedi|lo pedido)",
            rf"(?:me llego|llego|vino|recibi|lo recibi|me lo mandaron) (?:en|de color) {_GAP2}(?:y|pero) (?:yo )?(?:lo |la |los |las )?{_ES_ORDERED}",
            r"(?:los dos|las dos|ambos|ambas) (?:\w+ )?son (?:del pie )?(?:izquierd[oa]s?|derech[oa]s?)|(?:un|una) (?:zapato|zapatilla|bota|sandalia|calcetin) (?:es )?del? (?:\w+ ){1,2}y (?:el|la) otr[oa]",
            rf"(?:es|son) (?:otro|otra|otros|otras) {_GAP5}(?:que pedi|que encargue|que compre|el que pedi|la que pedi)",
        ),
    ),
    (
        "wrong_item",
        "en",
        (
            rf"{_EN_SENT} (?:me |us )?(?:the |a |an |two |both )?{_alt('wrong|different|incorrect|another|other')} {_GAP1}{_alt('item|items|size|colou?r|model|product|one|thing|version|style|shoe|shoes|book|order|pair|variant|shade|sku|edition|design|set|pack|package|parcel|length|fit|brand|reference')}",
            rf"(?:not|is not|was not|are not|were not|this is not|that is not|these are not|definitely not|clearly not|obviously not|never|not even) (?:even )?(?:what|the one|the (?:item|size|colou?r|model|product|style|pair|shoe|shoes) that|the (?:item|size|colou?r|model|product|style|pair)) (?:i |we )?{_EN_ORDERED}",
            rf"(?:i |we )?{_EN_ORDERED} {_GAP5}(?:but|and) (?:i |we )?(?:got|received|was sent|were sent|they sent|you sent|it came|came|it was|arrived|it arrived|the box had|the package had|found|there was|there were){_NOT_ANOTHER_ITEM}",
            r"(?:wrong|incorrect|mixed up|mixed-up|switched|swapped) (?:item|items|size|colou?r|model|product|order|one|thing|pair|book|shoes|variant|version|style|parcel|package|label|sku|shade|edition|set|bottle|brand)",
            r"(?:my order was|the order was|i had ordered) (?:a |an |the |in )",
            r"(?:mixed (?:them|it|the \w+) up|got (?:them|it) mixed up)",
            r"(?:mix up|mixup|mix-up|mixed up|mislabel(?:l)?ed|packing error|picking error|warehouse error|someone elses (?:order|package|parcel|item)|someone else s|was meant for someone else|addressed to someone else|another customers?|other customers? s?|that i never (?:ordered|bought)|i never (?:ordered|bought)|i did not order)",
            r"instead of (?:the |a |an |my )?(?:\w+ ){0,3}(?:i |we )?(?:got|received|was sent|were sent|they sent|you sent|it came|came)",
            rf"(?:different|another) (?:\w+ ){{0,3}}(?:from the one (?:i )?{_EN_ORDERED}|from what i {_EN_ORDERED}|than (?:what )?i {_EN_ORDERED}|from my order)",
            r"(?:does not|did not|do not|doesnt) match (?:\w+ ){0,2}(?:my order|what i ordered|the order|my purchase)",
            rf"(?:got|received|came|arrived) (?:it |them )?in {_GAP2}(?:\. |and |but )?(?:i |we )(?:picked|ordered|chose|wanted|asked for|selected)",
            r"(?:both|the two) (?:shoes|boots|trainers|sandals|gloves|earbuds) (?:are|were) (?:\w+ )?(?:left|right)|one (?:shoe|boot|trainer|sandal) is (?:a |an )?(?:\w+ ){1,2}and the other",
            rf"(?:is|was|are|were) (?:a different one|another one|a different {_W}) {_GAP5}(?:i ordered|i bought|i picked)",
        ),
    ),
    # ------------------------------------------------------------ the shopper's reasons
    (
        "changed_mind",
        "es",
        (
            r"(?:ya no|no) (?:lo|la|los|las) (?:necesito|necesitamos|quiero|queremos|voy a usar|vamos a usar|uso|usare|usamos|necesitaba|queria|ocupo|ocupamos|voy a poder usar)",
            r"(?:cambie|he cambiado|cambiado|cambio|cambiamos|hemos cambiado) de (?:opinion|idea|parecer)",
            r"(?:me arrepenti|me he arrepentido|me arrepiento|me e arrepentido|nos arrepentimos|arrepentid[oa]|me lo he pensado mejor|lo he pensado mejor|pensandolo mejor|lo pense mejor|siempre no)",
            rf"{_alt('pedi|compre|pedido|comprado|encargue|pedimos|compramos|di|le di|clique|marque')} {_GAP3}(?:por error|por equivocacion|sin querer|dos veces|repetido|por duplicado|duplicado|de mas|sin darme cuenta)",
            r"(?:pedido duplicado|compra duplicada|por error|sin querer|por equivocacion)",
            r"no me (?:gusta|gusto|gustan|gustaron|convence|convencio|convencen|acaba de convencer|acabo de convencer|termina de convencer|termino de convencer|favorece|favorecen|pega|mola|encanta|enamoro|queda bien el color|va el estilo)",
            r"(?:ya )?(?:tengo|tenia|tenemos|teniamos|me compre|me regalaron|me han regalado) (?:uno|una|otro|otra|el mismo|la misma|uno igual|una igual|otra igual|otro igual|algo parecido|uno parecido|una parecida)",
            r"(?:ya no (?:hace falta|me hace falta|lo necesitamos)|no hace falta ya|compra impulsiva|compra por impulso|por impulso|fue un capricho|un capricho|no era para mi|no es para mi|no es mi estilo|no va conmigo|no me veo)",
            r"(?:regalo|regalar|regale|regalado) (?:\w+ ){0,5}(?:no le gusto|no le gusta|no le convence|ya lo tenia|ya la tenia|repetido|no lo quiere|no la quiere|no lo quiso)",
            r"(?:al final|finalmente) (?:no lo quiero|no la quiero|me quedo con|prefiero|he decidido|decidi|me decidi)",
            r"(?:he decidido|decidi|prefiero|preferimos|hemos decidido) no (?:quedarmelo|quedarmela|quedarlo|quedarla|quedarmelos|quedarnoslo)",
            r"(?:desistimiento|derecho de desistir|desisto de la compra)",
            r"no (?:\w+ ){0,3}(?:aprovechar|veo necesario|le veo sentido|le veo utilidad|le hizo gracia|le hace gracia)",
            r"(?:se le paso|se le ha pasado|perdio el interes|ha perdido el interes|se compro otro igual|se compro otra igual|compro otro igual|compro otra igual)",
            r"(?:se cancelo|cancelaron|se suspendio|ya no (?:voy|vamos|viajo|viajamos)|no (?:voy|vamos) a ir)",
        ),
    ),
    (
        "changed_mind",
        "en",
        (
            r"(?:changed|change) (?:my |me |our |his |her )?mind",
            r"(?:change of heart|second thoughts|thought better of it|having regrets|buyers remorse|buyer s remorse|regret (?:buying|ordering|the purchase))",
            r"(?:no longer|not|do not|did not|dont) (?:need|needed|want|wanted|require|use|like|love) (?:it|them|this|these|the item|the product)(?: anymore| any more| after all)?",
            r"(?:no longer|not) (?:needed|wanted|required|necessary)",
            rf"(?:ordered|bought|purchased|clicked|got) {_GAP3}(?:by mistake|by accident|accidentally|in error|twice|two by mistake|the wrong one by mistake|without meaning to)",
            rf"(?:accidentally|mistakenly|accidently) {_GAP2}(?:ordered|bought|purchased|clicked)",
            r"(?:duplicate order|double order|by accident|by mistake)",
            r"(?:do not|did not|just do not|simply do not|really do not|does not|dont) (?:like|love|suit|fancy) (?:it|them|the (?:colou?r|style|look|design|fit|feel|shape)|me|how)",
            r"(?:not (?:my|really my|quite my) (?:style|taste|thing|colou?r)|not for me|not really me|not me|does not suit me|did not suit me|not flattering|unflattering|not feeling it)",
            r"(?:already|alredy) (?:have|had|own|owned|got|bought) (?:one|it|this|a pair|the same|something similar|a similar one|two)",
            r"(?:got|received|given|was given) (?:the same|another|an identical) (?:one |\w+ )?(?:for|as) (?:a |my )?(?:gift|present|birthday|christmas)",
            r"(?:gift|present) (?:\w+ ){0,5}(?:did not like|didnt like|did not want|didnt want|already had|already has|no longer|not wanted|was not wanted|returned)",
            r"(?:impulse (?:buy|purchase)|on impulse|on a whim|spur of the moment|in a rush)",
            r"(?:not|never) (?:\w+ ){0,3}(?:use out of|see the point|keen on|bothered)|(?:gone off|lost interest|went off) (?:it|them|that|the)|bought the same one",
            rf"(?:decided|deciding|decide) {_GAP3}(?:not to|against|to keep|on another|on a different|something else|to go with|i do not need|i dont need|to cancel)",
            r"(?:cooling off period|cooling-off period|right to cancel|right of withdrawal|withdraw from the (?:purchase|contract))",
            r"(?:trip|event|plans|wedding|party|holiday|vacation) (?:\w+ ){0,2}(?:was |got |has been |have been |were )?(?:cancelled|canceled|called off|postponed)",
        ),
    ),
    (
        "better_price",
        "es",
        (
            r"(?:mas barat[oa]s?|mucho mas barat[oa]|mejor precio|precio (?:mas )?(?:bajo|inferior|menor)|mas economic[oa]|mas varat[oa])",
            r"(?:rebajad[oa]s?|rebaja|rebajas|bajo de precio|ha bajado de precio|han bajado el precio|bajaron el precio|bajo el precio|ha bajado el precio|precio ha bajado|mitad de precio|a mitad de precio|menos dinero|por menos|precio de oferta|esta de oferta|en oferta|lo han rebajado|lo rebajaron|black friday|cyber monday|con descuento|descuento)",
            r"(?:precio|price) (?:\w+ ){0,2}(?:dropped|drop|went down|fell|bajo|ha bajado|bajaron|baja|reducido|se ha reducido|rebajado)",
            r"(?:en|de) (?:otra tienda|otra web|otra pagina|amazon|aliexpress|el outlet|la competencia|otro sitio|otra plataforma|el corte ingles|zalando|shein|decathlon|mediamarkt|el mercadillo|wallapop|mercado libre|liverpool|otro lado|otro comercio|un comercio)",
            r"(?:ahora|hoy|ayer|esta semana) (?:cuesta|vale|esta a|sale a|lo tienen a|lo ponen a) (?:\w+ ){0,3}(?:menos|euros|eur|\d+)",
            r"(?:cuesta|vale|sale) (?:\w+ ){0,3}(?:menos|mas barato)",
            r"(?:devolv|abon|reembols)\w* (?:\w+ )?la diferencia|diferencia de precio",
            r"(?:2x1|promocion|cupon|codigo de descuento|habria ahorrado|podria haber ahorrado|\d+ pct menos)",
            r"(?:y|pero) (?:aqui|yo) (?:lo )?pague",
            r"\d+ pct (?:de descuento|mas barato|menos)|(?:rebajaron|rebajado|descuento de|un) (?:un |una |el |a )?\d+ pct",
        ),
    ),
    (
        "better_price",
        "en",
        (
            r"(?:cheaper|lower price|better price|better deal|better offer|lowest price|best price|much less|for less|less money|half price|half the price|half off|price cut|price drop|price dropped|price went down|price fell|price reduced|price is lower|price is now|now costs|costs less|now cheaper|on sale|went on sale|is on sale|marked down|discounted|discount|black friday|cyber monday|price match|price matching|price adjustment|refund the difference|the difference back|sale price|(?:for|at) half|buy one get one|bogo|2x1|coupon|voucher|promo code|could have saved|saved \d+|would have saved)",
            r"(?:another|other|a different|a cheaper|different) (?:store|shop|site|retailer|website|seller|vendor|place)",
            r"(?:elsewhere|on amazon|at amazon|at target|at walmart|at costco|on ebay|at the outlet|in store for less|at the mall|on aliexpress|on zalando|at john lewis)",
            r"(?:\d+|ten|twenty|thirty|forty|fifty|a hundred|few) (?:bucks|dollars|euros|pounds|quid|usd|eur|pct|percent)? ?(?:less|cheaper|lower|off|difference)",
            r"(?:same (?:one|item|thing|product|jacket|shoes|model)) (?:\w+ ){0,4}(?:for|at) (?:\w+ ){0,2}(?:less|half)",
            r"(?:precio|price) (?:\w+ ){0,2}(?:bajo|ha bajado|dropped|went down)",
            r"(?:and|but) i paid (?:\w+ ){0,3}(?:here|for it|with you|full price)",
            r"(?:match|honou?r) (?:the |your )?(?:sale|new|lower|reduced|current) price",
        ),
    ),
    (
        "arrived_late",
        "es",
        (
            rf"{_ES_ARRIVED} {_GAP3}{_alt('tarde|tardisimo|demasiado tarde|despues de|despues del|pasado el|pasada la|pasado|pasada|una semana tarde|dos semanas tarde|con retraso|con mucho retraso|fuera de plazo|fuera del plazo|al dia siguiente del|al dia siguiente de|cuando ya|fuera de tiempo|con dias de retraso|una semana despues|dos semanas despues|un mes despues|a destiempo|late|a la vuelta|' + _WEEKS_LATER + '|en ' + _alt(_MONTHS))}",
            rf"{_alt('tardo|tardaron|tardasteis|tardaste|ha tardado|han tardado|tarda|tardan|demoro|se demoro|se retraso|se retrasaron|se ha retrasado|se tardaron|se tardo')} {_GAP3}{_alt('tanto|mucho|muchisimo|demasiado|semanas|dias|en llegar|un mes|siglos|una eternidad|mas de|forever|un monton')}",
            r"(?:no (?:llego|llegaron|ha llegado|han llegado|llega|llegan|estuvo|estaba|llegaba) (?:\w+ ){0,2}a tiempo|fuera de tiempo|a destiempo|retraso en la entrega|entrega (?:tardia|con retraso|retrasada)|pedido retrasado|envio retrasado|plazo de entrega (?:no se cumplio|incumplido)|no cumplieron el plazo|fuera del plazo|de retraso)",
            rf"(?:{_EVENTS}) (?:\w+ ){{0,3}}(?:ya (?:paso|habia pasado|fue|era|se celebro|termino)|fue ayer|fue el|era el|era ayer|paso hace|habia terminado|ya se acabo|terminado|ya habia pasado)",
            r"(?:para cuando|cuando por fin|cuando al fin|para cuando por fin) (?:\w+ )?(?:llego|llegaron|lo recibi|me llego|vino)",
            r"(?:llego|llegaron|vino|me llego|lo recibi) (?:\w+ ){0,2}(?:dias|semanas|una semana|un mes) (?:despues|tarde|mas tarde)",
            r"(?:lo necesitaba|la necesitaba|lo ocupaba|la ocupaba|lo pedi|la pedi|era|eran) para (?:\w+ ){0,4}(?:y|pero) (?:me )?(?:llego|llegaron|vino|lo recibi)(?: hasta)? (?:el |la |en |a |despues|cuando)",
        ),
    ),
    (
        "arrived_late",
        "en",
        (
            rf"{_EN_ARRIVED} {_GAP3}{_alt('late|too late|after the|a week late|two weeks late|days late|way late|the day after|after my|after our|when it was too late|past the|well after|long after|weeks after|a day late|three days late|once we were back|after we|after term|tarde|in ' + _alt(_MONTHS) + '|after ' + _alt(_EVENTS))}",
            rf"(?:took|takes|taking|has taken|had taken|tardo) {_GAP2}(?:too long|forever|ages|weeks|so long|three weeks|a month|over a month|two weeks|way too long|far too long)",
            r"(?:did not|didnt|does not|never) (?:arrive|come|get here|make it|show up|turn up|show) (?:\w+ ){0,2}(?:in time|on time|before|till|until|til)",
            r"(?:not in time|not on time|missed the|missing the|too late for|late delivery|delivery was late|shipping delay|shipping delays|delayed shipping|delayed delivery|delivery delay|was delayed|got delayed|were delayed|it was late|came late|showed up late|arrived late|arrived too late|late arrival|after the deadline|past the delivery date|promised delivery date|later than (?:the )?(?:date|promised|indicated|expected|estimated)|after the promised date)",
            rf"(?:{_EVENTS}) (?:\w+ ){{0,3}}(?:was over|had passed|already passed|has passed|came and went|is over|was yesterday|was last|was on|already happened|had already happened|was done|had ended|was already over|had started|is already over)",
            r"by the time (?:it|they|the (?:package|parcel|order|item)) (?:finally )?(?:arrived|came|got here|showed up|was delivered)",
            r"(?:came|arrived|turned up|showed up|got here|was delivered) (?:\w+ ){0,2}(?:days?|weeks?|a week|a month) (?:later|after|late)",
            r"(?:needed|wanted|ordered|bought) (?:it|them|this) for (?:\w+ ){0,4}(?:and|but) (?:it |they )?(?:came|arrived|turned up|showed up|did not|didnt) (?:on|in|after|once|the|until|till|a )",
        ),
    ),
    # ------------------------------------------------------------------------------ other
    (
        "other",
        "es",
        (
            r"(?:atencion al cliente|servicio al cliente|servicio de atencion|soporte|el chat|la tienda|la dependienta|el comercial|vuestro equipo) (?:\w+ ){0,4}(?:me dijo|me dijeron|me indico|me indicaron|me pidio|me pidieron|acordamos|quedamos)",
            r"(?:alergia|alergic[oa]|reaccion alergica|irritacion|sarpullido|picor|me pica|ronchas|dermatitis|urticaria|eccema)",
            r"(?:motivos personales|razones personales|prefiero no (?:decir|explicar|dar)|sin comentarios|no tengo comentarios|por temas personales|asuntos personales|temas familiares)",
            r"(?:ver (?:correo|email|mail)|segun (?:correo|email|lo hablado)|como (?:hablamos|acordamos|quedamos)|lo hablado por telefono|ya lo hable)",
        ),
    ),
    (
        "other",
        "en",
        (
            r"(?:customer service|customer support|support|the agent|the rep|your team|the store|live chat|the chat) (?:\w+ ){0,4}(?:told me|said to|asked me|advised|instructed|agreed|suggested)",
            r"(?:allergic|allergy|allergies|rash|reaction|irritation|itchy|hives|eczema|skin broke out|broke out)",
            r"(?:personal reasons|rather not say|prefer not to say|no comment|no reason|private reasons|family reasons)",
            r"(?:see (?:email|e mail|my email|ticket|previous email)|as (?:discussed|agreed|arranged)|per (?:our|my) (?:call|conversation|email|chat)|ticket (?:number|no|#))",
        ),
    ),
)
