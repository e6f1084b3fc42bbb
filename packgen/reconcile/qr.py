"""The sheet's QR code: drawn as vector SVG with segno, read back from a scan with zxing-cpp."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from .layout import QR_BORDER, QR_VERSION, payload


def code_uri(serial: str, ods_code: str) -> str:
    """The sheet's code as an SVG `data:` URI (vector, so it prints sharp), quiet zone included.

    The templates' filter `serial|sheet_code(practice.ods_code)`: made only for the sheets a document
    prints (making one takes about 5 ms, and the pack's values are read by `check` and every wording)."""
    import segno

    if not isinstance(serial, str) or not isinstance(ods_code, str) or len(serial) > 40 or len(ods_code) > 10:
        raise ValueError("sheet_code takes a sheet's serial and the practice's ODS code")
    try:
        code = segno.make(payload(ods_code, serial), version=QR_VERSION, error="m", micro=False)
    except segno.DataOverflowError:
        raise ValueError(f"sheet_code: the serial {serial!r} is too long for a sheet's code") from None
    out = io.BytesIO()
    code.save(out, kind="svg", border=QR_BORDER, omitsize=True, xmldecl=False, nl=False)
    svg = out.getvalue().decode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


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


def sheet_marks(log_columns: dict[str, tuple], rows: int) -> dict[str, object]:
    """What the templates need to print the marks and place the code: each sheet kind's layout."""
    from .layout import BATCH, BATCH_PREFIX, LOG_HEAD, LOG_HEAD_ROWS, LOG_INSET, MARK, QR_SIZE, SIGNOFF, SIGNOFF_SERIAL, log_layout

    return {"log_layouts": {name: log_layout(columns, rows) for name, columns in log_columns.items()},
            "batch_layout": BATCH, "signoff_layout": SIGNOFF, "mark_size": MARK, "head_rows": LOG_HEAD_ROWS, "log_head": LOG_HEAD, "log_inset": LOG_INSET,
             "code_size": QR_SIZE, "signoff_serial": SIGNOFF_SERIAL,
            "batch_prefix": BATCH_PREFIX}
