"""Return labels: a 4×6 inch PDF with the tracking barcode, a QR code, both addresses and the RMA.

Everything is drawn as vectors (reportlab's Code 128, segno's QR matrix drawn as rectangles), so
the label prints sharp on a 203 dpi thermal printer and on A4 paper alike. Output is byte-for-byte
deterministic for the same input (reportlab's invariant mode), so a label can be re-rendered
instead of stored.
"""

from __future__ import annotations

import io

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from retorno.domain.logistics.gateway import Address

PAGE_WIDTH = 4 * inch  # 288 pt
PAGE_HEIGHT = 6 * inch  # 432 pt
MARGIN = 12.0

_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"


def _printable(text: str) -> str:
    """The standard PDF fonts speak cp1252 (Spanish and Portuguese are fine); anything else
    would print as a box, so it becomes '?'."""
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _address_lines(address: Address) -> list[str]:
    lines = [address.name, address.line1]
    if address.line2:
        lines.append(address.line2)
    city = f"{address.postal_code} {address.city}".strip()
    if address.region:
        city = f"{city} ({address.region})"
    lines.append(city)
    lines.append(address.country.upper())
    if address.phone:
        lines.append(f"Tel. {address.phone}")
    return [_printable(line) for line in lines if line]


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which `text` fits in `width`."""
    measured = canvas.stringWidth(text, font, size)
    return size if measured <= width else max(5.0, size * width / measured)


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """A QR code of `payload` as a `size`×`size` square with its lower-left corner at (x, y),
    quiet zone included."""
    qr = segno.make(payload, error="m", micro=False)
    matrix = list(qr.matrix_iter(scale=1, border=2))
    module = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        run_start = None
        # Draw horizontal runs of dark modules: fewer, larger rectangles, no hairline gaps.
        for column_index, dark in enumerate([*row, 0]):
            if dark and run_start is None:
                run_start = column_index
            elif not dark and run_start is not None:
                canvas.rect(
                    x + run_start * module,
                    top,
                    (column_index - run_start) * module,
                    module,
                    stroke=0,
                    fill=1,
                )
                run_start = None


def render_label_pdf(
    *,
    rma: str,
    tracking_number: str,
    carrier_name: str,
    sender: Address,
    recipient: Address,
    drop_off_code: str | None = None,
    qr_payload: str,
) -> bytes:
    """A one-page 4×6 inch (288×432 pt) PDF return label.

    `sender` is the shopper, `recipient` the store's return address. `qr_payload` is encoded in
    the small QR (typically the tracking page URL); with `drop_off_code` the lower half becomes a
    large QR of that code for the parcel point's scanner.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    canvas.setTitle(_printable(f"Return label {rma} {tracking_number}"))
    canvas.setAuthor("Retorno")
    inner_width = PAGE_WIDTH - 2 * MARGIN
    top = PAGE_HEIGHT - MARGIN

    # Header band: carrier and the word that tells the courier what this is.
    band_height = 30.0
    canvas.setFillColorRGB(0, 0, 0)
    canvas.rect(MARGIN, top - band_height, inner_width, band_height, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    name = _printable(carrier_name.upper())
    kind = "RETURN / DEVOLUCIÓN"
    canvas.setFont(_BOLD, 10)
    canvas.drawRightString(PAGE_WIDTH - MARGIN - 6, top - 19, kind)
    name_width = inner_width - canvas.stringWidth(kind, _BOLD, 10) - 20
    canvas.setFont(_BOLD, _fit(canvas, name, _BOLD, 16, name_width))
    canvas.drawString(MARGIN + 6, top - 21, name)
    canvas.setFillColorRGB(0, 0, 0)

    # Ship to: the store's return address, big, with the small QR beside it.
    qr_size = 74.0
    y = top - band_height - 14
    canvas.setFont(_BOLD, 8)
    canvas.drawString(MARGIN, y, "SHIP TO / DESTINATARIO")
    qr_x = PAGE_WIDTH - MARGIN - qr_size
    _draw_qr(canvas, qr_payload, qr_x, y - qr_size + 8, qr_size)
    text_width = inner_width - qr_size - 6
    y -= 14
    for index, line in enumerate(_address_lines(recipient)):
        font, size = (_BOLD, 12) if index == 0 else (_FONT, 11)
        canvas.setFont(font, _fit(canvas, line, font, size, text_width))
        canvas.drawString(MARGIN, y, line)
        y -= 13
    y = min(y, top - band_height - qr_size - 10)

    # From: the shopper.
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y + 4, PAGE_WIDTH - MARGIN, y + 4)
    y -= 8
    canvas.setFont(_BOLD, 7)
    canvas.drawString(MARGIN, y, "FROM / REMITENTE")
    y -= 10
    for line in _address_lines(sender):
        canvas.setFont(_FONT, _fit(canvas, line, _FONT, 8.5, inner_width))
        canvas.drawString(MARGIN, y, line)
        y -= 9.5

    # The RMA, large: the warehouse reads it across the room.
    canvas.line(MARGIN, y + 3, PAGE_WIDTH - MARGIN, y + 3)
    y -= 9
    canvas.setFont(_BOLD, 7)
    canvas.drawString(MARGIN, y, "RMA")
    rma_text = _printable(rma)
    rma_size = _fit(canvas, rma_text, _BOLD, 26, inner_width)
    y -= rma_size - 2
    canvas.setFont(_BOLD, rma_size)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, rma_text)
    y -= 10

    # Code 128 of the tracking number, as wide as the label allows, with the number below.
    barcode_height = 56.0 if drop_off_code else 90.0
    bar_width = 1.2
    barcode = Code128(tracking_number, barWidth=bar_width, barHeight=barcode_height, quiet=False)
    while barcode.width > inner_width and bar_width > 0.5:
        bar_width -= 0.1
        barcode = Code128(
            tracking_number, barWidth=bar_width, barHeight=barcode_height, quiet=False
        )
    y -= barcode_height
    barcode.drawOn(canvas, (PAGE_WIDTH - barcode.width) / 2, y)
    y -= 12
    canvas.setFont(_BOLD, 11)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, _printable(tracking_number))
    y -= 8

    if drop_off_code:
        # Drop-off: a large QR of the code for the parcel point's scanner, and the code itself.
        canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
        code_text = _printable(drop_off_code)
        canvas.setFont(_BOLD, 7)
        canvas.drawCentredString(
            PAGE_WIDTH / 2, y - 9, "DROP-OFF CODE / CÓDIGO DE ENTREGA EN PUNTO"
        )
        size = min(y - 13 - (MARGIN + 24), inner_width * 0.62)
        _draw_qr(canvas, drop_off_code, (PAGE_WIDTH - size) / 2, MARGIN + 24, size)
        canvas.setFont(_BOLD, _fit(canvas, code_text, _BOLD, 16, inner_width))
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN + 8, code_text)
    else:
        canvas.setFont(_FONT, 7.5)
        canvas.drawCentredString(
            PAGE_WIDTH / 2,
            MARGIN + 4,
            "Attach this label to the parcel. / Pegue esta etiqueta en el paquete.",
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
