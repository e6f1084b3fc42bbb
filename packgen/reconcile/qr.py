"""The sheet's QR code: drawn as vector SVG with segno, read back from a scan with zxing-cpp."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from .layout import QR_BORDER, QR_VERSION, payload


def code_uri(ods_code: str, serial: str) -> str:
    """The sheet's code as an SVG `data:` URI (vector, so it prints sharp), quiet zone included."""
    import segno

    code = segno.make(payload(ods_code, serial), version=QR_VERSION, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=QR_BORDER, omitsize=True, xmldecl=False, nl=False)
    svg = out.getvalue().decode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def sheet_codes(ods_code: str, serials: list[str]) -> dict[str, str]:
    """Serial → code, for every machine-read sheet of the pack."""
    return {serial: code_uri(ods_code, serial) for serial in serials}


@dataclass(frozen=True)
class Found:
    """A code found on a scan: its text and its symbol's corners in pixels, clockwise from its top left."""

    text: str
    corners: tuple[tuple[float, float], ...]


def read_codes(grey: object) -> list[Found]:
    """Every QR code zxing-cpp finds on a greyscale image (a 2-D uint8 numpy array)."""
    import zxingcpp

    found = []
    for barcode in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode):
        p = barcode.position
        corners = tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
        found.append(Found(barcode.text, corners))
    return found


def sheet_marks(ods_code: str, log_columns: dict[str, tuple], rows: int, serials: list[str],
                days: list[str]) -> dict[str, object]:
    """What the templates need to print the code and the marks: each sheet kind's layout, and every code."""
    from .layout import BATCH, BATCH_PREFIX, LOG_HEAD, LOG_HEAD_ROWS, LOG_INSET, MARK, QR_SIZE, SIGNOFF, SIGNOFF_SERIAL, batch_serial, log_layout

    every = serials + [batch_serial(day) for day in days] + [SIGNOFF_SERIAL]
    return {"log_layouts": {name: log_layout(columns, rows) for name, columns in log_columns.items()},
            "batch_layout": BATCH, "signoff_layout": SIGNOFF, "sheet_codes": sheet_codes(ods_code, every),
            "mark_size": MARK, "head_rows": LOG_HEAD_ROWS, "log_head": LOG_HEAD, "log_inset": LOG_INSET,
             "code_size": QR_SIZE, "signoff_serial": SIGNOFF_SERIAL,
            "batch_prefix": BATCH_PREFIX}
