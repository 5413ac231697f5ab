"""The label PDF: a 4x6 in page with the RMA, the tracking number and the addresses."""

from __future__ import annotations

import base64
import re
import subprocess
import zlib

from retorno.integrations.labels import render_label_pdf
from retorno.integrations.tests.fixtures import SHOPPER, WAREHOUSE


def _label(**overrides: object) -> bytes:
    arguments: dict = {
        "rma": "RMA-2026-000123",
        "tracking_number": "RAP4820193746",
        "carrier_name": "Rápido Express",
        "sender": SHOPPER,
        "recipient": WAREHOUSE,
        "qr_payload": "https://shop.example/returns/RMA-2026-000123",
    }
    arguments.update(overrides)
    return render_label_pdf(**arguments)


def _text(pdf: bytes) -> str:
    """Text of the page content streams (reportlab encodes them ASCII85 over Flate)."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = match.group(1).strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data[:-2])
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            chunks.append(data.decode("latin-1"))
    return "\n".join(chunks)


def test_label_is_a_one_page_4x6_pdf() -> None:
    pdf = _label()
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert [(float(w), float(h)) for w, h in boxes] == [(288.0, 432.0)]


def test_label_shows_rma_tracking_number_and_addresses() -> None:
    text = _text(_label())
    for expected in ("RMA-2026-000123", "RAP4820193746", "28906 Getafe", "33003 Oviedo"):
        assert expected in text


def test_drop_off_label_shows_the_code() -> None:
    assert "DX7K-92QF" in _text(_label(drop_off_code="DX7K-92QF"))
    assert "DX7K-92QF" not in _text(_label())


def test_rendering_is_deterministic() -> None:
    assert _label() == _label()


def test_pdftotext_reads_the_label(tmp_path) -> None:
    path = tmp_path / "label.pdf"
    path.write_bytes(_label(drop_off_code="DX7K-92QF"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    decoded = text.decode()
    assert "RMA-2026-000123" in decoded
    assert "RAP4820193746" in decoded
    assert "DX7K-92QF" in decoded
    assert "Lucía Fernández" in decoded
