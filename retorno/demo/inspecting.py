"""What the demo's warehouse and agents add to a return beyond its steps, so every analytics
panel has something real to show: the inspector's notes, a photo and the "confirms the
shopper's reason" box on faulty units (the supplier panel and its evidence pack), the
disposition taken at once (recovered value), a reviewing agent's override now and then
(policy exceptions), and a refund issued at inspection paid a few hours later by the bank
(the cycle time's "inspected → refunded").

Choices hang on a hash of the return's order number (`key`: RMAs are random by design), not on
the generator's random stream, so the same seed gives the same choices and adding them changes
nothing else the demo draws.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from retorno.core.actors import Actor
from retorno.returns.workflows.inspection import LETTER_GRADES, rtv_batch_ship
from retorno.stores.models import Store
from retorno.warehouse.models import RtvStatus
from retorno.warehouse.selectors import rtv_batches_for_store
from retorno.warehouse.services import InspectionInput
from retorno.warehouse.services.photos import store_photos

# Reasons the shopper blames on the product; an inspector who finds the fault says so.
FAULTS = ("defective", "damaged", "missing_parts")
# Letter grades in which the inspector finds the fault the shopper described.
FAULT_FOUND = ("B", "C", "D")
FAULT_NOTES = {
    "defective": (
        "No enciende; probado con otro cargador y otro cable.",
        "Se apaga a los pocos minutos de uso. Fallo confirmado.",
        "La batería no carga por encima del 10 %.",
    ),
    "damaged": (
        "Golpe en la esquina y grieta en la carcasa.",
        "Roto por un lateral; la caja llegó intacta.",
        "Arañazos profundos en la superficie.",
    ),
    "missing_parts": (
        "Falta el cable USB-C de la caja.",
        "Faltan los tornillos de montaje.",
    ),
}
OVERRIDE_NOTES = (
    "Clienta habitual; revisado el importe con ella, se acepta.",
    "Fotos revisadas: el artículo está como nuevo, se acepta.",
    "Pedido de regalo; se acepta fuera de la regla por importe.",
)
# The warehouse ships a supplier's return-to-vendor batch this long before its deadline.
RTV_SHIP_AHEAD = timedelta(days=5)
# One reviewed return in OVERRIDE_EVERY has an item accepted by an explicit override.
OVERRIDE_EVERY = 2


def pick(key: str, salt: str, choices: int) -> int:
    """A stable choice in range(choices) for the return of `key`."""
    return zlib.crc32(f"{key}:{salt}".encode()) % choices


def overrides(key: str) -> bool:
    return pick(key, "override", OVERRIDE_EVERY) == 0


def override_note(key: str) -> str:
    return OVERRIDE_NOTES[pick(key, "override-note", len(OVERRIDE_NOTES))]


def bank_settles_at(key: str, issued_at: datetime, before: datetime) -> datetime:
    """When the bank confirms a refund issued at `issued_at`: 2 to 30 hours later, but before
    `before` (the return's next step, or the demo's today)."""
    at = issued_at + timedelta(hours=2 + pick(key, "bank", 29))
    return min(at, before - timedelta(minutes=1))


def rtv_ship_due(store: Store, actor: Actor, at: datetime) -> None:
    """Ship, at `at`, the open return-to-vendor batches due within RTV_SHIP_AHEAD: the
    warehouse keeps its suppliers' deadlines, so only recent batches are still open."""
    for batch in rtv_batches_for_store(store=store, status=RtvStatus.OPEN):
        if batch.deadline_at is not None and batch.deadline_at <= at + RTV_SHIP_AHEAD:
            rtv_batch_ship(store=store, batch_id=batch.id, actor=actor, now=at)


def fault_photo(store_id: int, key: str, rma: str, title: str) -> str:
    """A photo of a faulty unit (a drawing of a parcel's contents with the fault marked),
    stored as the inspection photos are; its storage name."""
    hue = pick(key, "colour", 6)
    colours = (
        (70, 110, 160),
        (160, 80, 70),
        (70, 140, 100),
        (120, 90, 150),
        (60, 60, 60),
        (190, 150, 60),
    )
    image = Image.new("RGB", (480, 360), (232, 230, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 260, 440, 330), fill=(200, 180, 140))  # the box
    draw.rounded_rectangle((120, 60, 360, 280), radius=24, fill=colours[hue])
    x = 200 + pick(key, "crack", 80)
    draw.line([(x, 70), (x + 25, 130), (x - 10, 180), (x + 20, 240)], fill=(220, 30, 30), width=6)
    draw.ellipse((x - 40, 110, x + 60, 210), outline=(220, 30, 30), width=4)
    draw.text((16, 12), f"{rma} · {title[:40]}", fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    upload = SimpleUploadedFile("fault.jpg", buffer.getvalue(), content_type="image/jpeg")
    return store_photos(store_id, [upload])[0]


def inspection_inputs(
    store_id: int,
    key: str,
    rma: str,
    items: Iterable[tuple[str, str, str, str]],
) -> list[InspectionInput]:
    """The inspections of a return's lines: (line, title, reason, letter grade) each. A faulty
    unit in a grade that shows the fault gets the inspector's note, a photo and the box
    confirming the shopper's reason."""
    inputs = []
    for line, title, reason, letter in items:
        grade = LETTER_GRADES.get(letter, letter)
        if reason in FAULTS and letter in FAULT_FOUND:
            notes = FAULT_NOTES[reason]
            inputs.append(
                InspectionInput(
                    line=line,
                    grade=grade,
                    notes=notes[pick(key, line, len(notes))],
                    photos=(fault_photo(store_id, key, rma, title),),
                    reason_confirmed=True,
                )
            )
        else:
            inputs.append(InspectionInput(line=line, grade=grade))
    return inputs
