"""A supplier's evidence pack as a PDF: the totals (units sold and returned, confirmed defects,
both rates and their thresholds), the reasons its units came back for, every confirmed defect
with its inspection notes, and the photos themselves (thumbnails beside each unit's grade,
reason, the shopper's comment and the inspector's notes); in the page's language (es/en).

The rows are the ones the CSV evidence pack has (retorno.analytics.suppliers): the PDF is that
table made readable for a supplier's claims desk. Drawn with reportlab in its invariant mode,
so the same figures give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from retorno.analytics.returns import returned_items
from retorno.analytics.scope import Scope
from retorno.analytics.suppliers import SupplierQuality, supplier_evidence, supplier_report
from retorno.core import labels
from retorno.core.errors import NotFound
from retorno.core.images import stored_photo_thumbnail
from retorno.domain.analytics.rates import Rate

# Thumbnails: pixels kept per photo (sharp at THUMB_WIDTH), and how many photos a pack embeds
# (the CSV links every photo).
THUMB_PIXELS = 360
THUMB_WIDTH = 42 * mm
THUMB_HEIGHT = 32 * mm
MAX_PHOTOS = 150


@dataclass(frozen=True)
class DefectPhotos:
    """The photos of one confirmed defect with what the supplier needs beside them."""

    rma: str
    title: str
    sku: str
    reason: str
    comment: str
    grade: str
    reason_confirmed: bool
    notes: str
    photos: tuple[str, ...]


@dataclass(frozen=True)
class EvidencePack:
    scope: Scope
    quality: SupplierQuality
    reasons: list[tuple[str, int]]
    columns: tuple[str, ...]
    defects: tuple[tuple[object, ...], ...]

    @property
    def photos(self) -> list[tuple[str, str]]:
        """(RMA, photo path) of every photo of the confirmed defects, in order."""
        rma = self.columns.index("rma")
        photos = self.columns.index("photos")
        return [(str(row[rma]), path) for row in self.defects for path in str(row[photos]).split()]

    @property
    def defect_photos(self) -> list[DefectPhotos]:
        """The confirmed defects that have photos, in order."""
        i = {name: n for n, name in enumerate(self.columns)}
        return [
            DefectPhotos(
                rma=str(row[i["rma"]]),
                title=str(row[i["title"]]),
                sku=str(row[i["sku"]]),
                reason=str(row[i["reason"]]),
                comment=str(row[i["comment"]]),
                grade=str(row[i["grade"]]),
                reason_confirmed=bool(row[i["reason_confirmed"]]),
                notes=str(row[i["inspection_notes"]]),
                photos=tuple(str(row[i["photos"]]).split()),
            )
            for row in self.defects
            if str(row[i["photos"]]).strip()
        ]


def evidence_pack(scope: Scope, supplier: str, *, now: datetime) -> EvidencePack:
    """The figures of a supplier's evidence pack; NotFound (`supplier_not_found`) when it sold
    and returned nothing in the scope."""
    rows = supplier_evidence(scope, supplier)  # raises supplier_not_found
    quality = next(
        (s for s in supplier_report(scope, now=now).suppliers if s.supplier == supplier), None
    )
    if quality is None:
        raise NotFound(f"No supplier {supplier!r} in this period.", code="supplier_not_found")
    reasons = [
        (row["reason"], int(row["units"] or 0))
        for row in returned_items(scope)
        .filter(order_line__vendor=supplier)
        .values("reason")
        .annotate(units=Sum("quantity_requested"))
        .order_by("-units", "reason")
    ]
    return EvidencePack(scope, quality, reasons, rows.columns, rows.rows)


def _printable(text: object) -> str:
    """The standard PDF fonts speak cp1252 (Spanish is fine); anything else becomes '?'."""
    return escape(str(text).encode("cp1252", errors="replace").decode("cp1252"))


def _rate(value: Rate) -> str:
    return _("not enough data") if value.percent is None else f"{value.percent} %"


def _threshold(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'))} %"


def render_evidence_pdf(pack: EvidencePack, *, language: str) -> bytes:
    """The pack as an A4 PDF in `language`."""
    with translation.override(language):
        return _render(pack)


def _render(pack: EvidencePack) -> bytes:
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=7.5, leading=9)
    buffer = io.BytesIO()
    quality = pack.quality
    title = _("Evidence pack: %(supplier)s") % {"supplier": quality.name}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_printable(title),
        author="Retorno",
        invariant=True,
    )
    period = pack.scope.period
    story: list[object] = [
        Paragraph(_printable(title), styles["Title"]),
        Paragraph(
            _printable(
                _("%(store)s · supplier code %(code)s · %(start)s to %(end)s (by %(basis)s date)")
                % {
                    "store": pack.scope.store.name,
                    "code": quality.supplier,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "basis": _("request") if period.basis.value == "request" else _("order"),
                }
            ),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(_printable(_("Totals")), styles["Heading2"]),
    ]
    totals = [
        (_("Units sold"), str(quality.units_sold)),
        (_("Units returned"), str(quality.units_returned)),
        (_("Return rate"), _rate(quality.return_rate)),
        (_("Return rate threshold"), _threshold(quality.return_threshold)),
        (_("Confirmed defects"), str(quality.defects)),
        (_("Defect rate"), _rate(quality.defect_rate)),
        (_("Defect rate threshold"), _threshold(quality.threshold)),
    ]
    story.append(_table([(_printable(a), _printable(b)) for a, b in totals], header=False))
    story += [Spacer(1, 4 * mm), Paragraph(_printable(_("Reasons")), styles["Heading2"])]
    story.append(
        _table(
            [
                (_printable(_("Reason")), _printable(_("Units returned"))),
                *[(_printable(labels.label("reason", r)), str(n)) for r, n in pack.reasons],
            ]
        )
        if pack.reasons
        else Paragraph(_printable(_("Nothing returned in this period.")), styles["BodyText"])
    )
    story += [
        Spacer(1, 4 * mm),
        Paragraph(_printable(_("Confirmed defects")), styles["Heading2"]),
        Paragraph(
            _printable(
                _(
                    "Units returned as defective, damaged or with missing parts that inspection "
                    "graded damaged, or that the inspector marked as confirming the shopper's "
                    "reason."
                )
            ),
            small,
        ),
    ]
    index = {name: i for i, name in enumerate(pack.columns)}
    if pack.defects:
        header = [
            _("Return"),
            _("Requested"),
            _("Product"),
            _("Reason"),
            _("Units"),
            _("Grade"),
            _("Inspection notes"),
        ]
        body = []
        for row in pack.defects:
            notes = str(row[index["inspection_notes"]])
            if row[index["reason_confirmed"]]:
                notes = f"[{_('confirms the reason')}] {notes}"
            comment = str(row[index["comment"]])
            body.append(
                [
                    Paragraph(_printable(row[index["rma"]]), small),
                    Paragraph(_printable(str(row[index["requested_at"]])[:10]), small),
                    Paragraph(_printable(f"{row[index['title']]} ({row[index['sku']]})"), small),
                    Paragraph(
                        _printable(labels.label("reason", str(row[index["reason"]])))
                        + (f"<br/><i>{_printable(comment[:300])}</i>" if comment else ""),
                        small,
                    ),
                    Paragraph(str(row[index["units"]]), small),
                    Paragraph(_printable(labels.label("grade", str(row[index["grade"]]))), small),
                    Paragraph(_printable(notes[:800]), small),
                ]
            )
        widths = [22 * mm, 18 * mm, 36 * mm, 30 * mm, 10 * mm, 18 * mm, 48 * mm]
        story.append(
            _table([[Paragraph(_printable(h), small) for h in header], *body], widths=widths)
        )
    else:
        story.append(
            Paragraph(_printable(_("No confirmed defect in this period.")), styles["BodyText"])
        )
    story += [Spacer(1, 4 * mm), Paragraph(_printable(_("Photos")), styles["Heading2"])]
    story += _photos(pack, small, styles["BodyText"])
    document.build(story)
    return buffer.getvalue()


def _thumbnail(name: str, store_id: int) -> Image | None:
    data = stored_photo_thumbnail(name, store_id, THUMB_PIXELS)
    if data is None:
        return None
    image = Image(io.BytesIO(data))
    scale = min(THUMB_WIDTH / image.imageWidth, THUMB_HEIGHT / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def _photos(pack: EvidencePack, small: ParagraphStyle, body: ParagraphStyle) -> list[object]:
    """One row per confirmed defect with photos: the thumbnails (a photo that is not one of
    the store's stored photos, or cannot be read, by its name), then the unit's grade, reason,
    the shopper's comment and the inspector's notes; at most MAX_PHOTOS photos."""
    defects = pack.defect_photos
    if not defects:
        return [Paragraph(_printable(_("No photos.")), body)]
    store_id = pack.scope.store.id
    rows: list[list[object]] = [
        [Paragraph(_printable(h), small) for h in (_("Photos"), _("Unit and inspection"))]
    ]
    shown = 0
    for defect in defects:
        if shown >= MAX_PHOTOS:
            break
        cells: list[object] = []
        for name in defect.photos[: MAX_PHOTOS - shown]:
            shown += 1
            thumbnail = _thumbnail(name, store_id)
            if thumbnail is not None:
                cells.append(thumbnail)
            cells.append(Paragraph(_printable(name), small))
        notes = defect.notes
        if defect.reason_confirmed:
            notes = f"[{_('confirms the reason')}] {notes}"
        words = [
            f"<b>{_printable(defect.rma)}</b> · {_printable(defect.title)} ({_printable(defect.sku)})",
            _printable(
                _("Grade: %(grade)s · Reason: %(reason)s")
                % {
                    "grade": labels.label("grade", defect.grade),
                    "reason": labels.label("reason", defect.reason),
                }
            ),
        ]
        if defect.comment:
            words.append(
                _printable(_("Shopper: “%(comment)s”") % {"comment": defect.comment[:300]})
            )
        if notes.strip():
            words.append(_printable(_("Inspector: %(notes)s") % {"notes": notes[:600]}))
        rows.append(
            [
                Table([[cell] for cell in cells], colWidths=[THUMB_WIDTH + 4 * mm]),
                Paragraph("<br/>".join(words), small),
            ]
        )
    story: list[object] = [_table(rows, widths=[THUMB_WIDTH + 8 * mm, 130 * mm])]
    total = sum(len(d.photos) for d in defects)
    if total > shown:
        story.append(
            Paragraph(
                _printable(
                    _("%(more)s more photos are linked in the CSV evidence pack.")
                    % {"more": total - shown}
                ),
                body,
            )
        )
    return story


def _table(
    rows: list[tuple[str, str]] | list[list[object]],
    *,
    header: bool = True,
    widths: list[float] | None = None,
) -> Table:
    table = LongTable(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    table.setStyle(TableStyle(style))
    return table
