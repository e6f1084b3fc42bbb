"""Where everything is on the sheets a machine reads back, in millimetres from the paper's top-left corner.

One source for both sides: the templates place the code, the marks, the table and its rows with these
numbers, and the reader looks for ink with the same numbers. A test checks them against the ruled lines
of the laid-out PDF. Plain data and arithmetic only: no imaging library is loaded here."""

from __future__ import annotations

from dataclasses import dataclass

from ..practice.columns import REENTRY, Column

LAYOUT_VERSION = 1  # printed in every code; the reader refuses sheets of a layout it does not know
PREFIX = "PG"  # codes read "PG1:Y01234:TEL-2027-03-04-01": packgen, layout version, ODS code, serial

MARK = 4.0  # registration marks: solid black squares this wide
QR_SIZE = 15.0  # the code with its quiet zone
QR_BORDER = 2  # quiet zone, in modules
QR_VERSION = 2  # always: 25 modules, so every code has the same geometry
QR_MODULES = 25

# Log sheets: A4 landscape, all print inside a 10 mm margin.
LOG_PAGE = (297.0, 210.0)
LOG_ORIGIN = (10.0, 10.0)  # the sheet's own box starts at the margin
LOG_WIDTH = 277.0
LOG_HEAD = 16.0  # height of the title block above its rule
LOG_TABLE_TOP = 38.0  # room for two lines of purpose (a long system name on FDP day)
LOG_HEAD_ROWS = (6.0, 13.0)  # column headings: "Re-entry in …" over the re-entry columns, then up to three lines
LOG_ROW = 11.0
LOG_MARKS = ((10.0, 10.0), (283.0, 10.0), (10.0, 196.0), (283.0, 196.0))  # top-left corners
LOG_QR = (216.0, 11.0)
MIN_SHARED = 20.0  # a column without its own width is never narrower than this
LOG_INSET = 6.0  # the title block keeps clear of the top marks

# Scanning batch cover sheets and the re-entry sign-off: A4 portrait with the pack's margins (the sign-off is in the
# guide; the batch cover sheets are a file of their own, laid out on the same page).
PACK_PAGE = (210.0, 297.0)
PACK_ORIGIN = (17.0, 20.0)
PACK_MARKS = ((7.0, 8.0), (199.0, 8.0), (7.0, 285.0), (199.0, 285.0))  # outside the running header and footer
PACK_QR = (178.0, 263.0)  # bottom right of the text area, below anything written

RULE = 0.75 * 25.4 / 72  # the table's ruled lines (0.75 pt): the layout gives their centres
CELL_MARGIN = 1.6  # ink nearer than this to a ruled line is the line, not writing


@dataclass(frozen=True)
class Cell:
    """One column of a sheet's table: where it is across the page."""

    key: str
    kind: str
    x0: float
    x1: float
    reentry: bool = False

    @property
    def width(self) -> float:
        return round(self.x1 - self.x0, 3)


@dataclass(frozen=True)
class Layout:
    """A sheet kind's geometry in mm from the paper's top-left corner."""

    kind: str  # "log", "batch" or "signoff"
    page: tuple[float, float]
    origin: tuple[float, float]  # the top-left corner of the sheet's own box: the templates place things from it
    marks: tuple[tuple[float, float], ...]  # top-left corners, each MARK wide
    qr: tuple[float, float]  # top-left corner, QR_SIZE wide
    cells: tuple[Cell, ...] = ()
    rows: tuple[tuple[float, float], ...] = ()  # top and bottom of each row, from the top of the sheet

    def local(self, x: float, y: float) -> tuple[float, float]:
        """A page position as an offset from the sheet's own box, as the template's CSS needs it."""
        return round(x - self.origin[0], 3), round(y - self.origin[1], 3)

    @property
    def local_marks(self) -> tuple[tuple[float, float], ...]:
        return tuple(self.local(x, y) for x, y in self.marks)

    @property
    def local_qr(self) -> tuple[float, float]:
        return self.local(*self.qr)

    @property
    def local_table_top(self) -> float:
        """Where the table's box starts, so that its outer ruled lines are centred on the layout's edges."""
        return round(LOG_TABLE_TOP - self.origin[1] - RULE / 2, 3)

    @property
    def local_table_left(self) -> float:
        return round(-RULE / 2, 3)

    @property
    def local_foot_top(self) -> float:
        return round(self.rows[-1][1] + 1.2 - self.origin[1], 3) if self.rows else 0.0

    @property
    def mark_centres(self) -> tuple[tuple[float, float], ...]:
        return tuple((x + MARK / 2, y + MARK / 2) for x, y in self.marks)

    @property
    def qr_corners(self) -> tuple[tuple[float, float], ...]:
        """The symbol's own corners (inside the quiet zone), clockwise from its top left."""
        pitch = QR_SIZE / (QR_MODULES + 2 * QR_BORDER)
        x0, y0 = self.qr[0] + QR_BORDER * pitch, self.qr[1] + QR_BORDER * pitch
        x1, y1 = x0 + QR_MODULES * pitch, y0 + QR_MODULES * pitch
        return (x0, y0), (x1, y0), (x1, y1), (x0, y1)


def column_widths(columns: tuple[Column, ...]) -> tuple[float, ...]:
    """Every column's width in mm, re-entry columns last: fixed widths as given, the rest share what is left."""
    every = columns + REENTRY
    fixed = sum(c.width for c in every if c.width is not None)
    shared = [c for c in every if c.width is None]
    each = max((LOG_WIDTH - fixed) / len(shared), MIN_SHARED) if shared else 0.0
    widths = [c.width if c.width is not None else each for c in every]
    if not shared:  # stretch the last entry column so the table keeps its width
        widths[len(columns) - 1] += max(LOG_WIDTH - fixed, 0.0)
    total = sum(widths)
    widths = [w * LOG_WIDTH / total for w in widths]  # too many columns: all narrower, still on the paper
    rounded = [round(w, 3) for w in widths[:-1]]
    return tuple(rounded + [round(LOG_WIDTH - sum(rounded), 3)])


def log_layout(columns: tuple[Column, ...], rows: int) -> Layout:
    """The geometry of a log sheet with these entry columns (then the re-entry columns) and `rows` rows."""
    x, cells = LOG_ORIGIN[0], []
    for column, width in zip(columns + REENTRY, column_widths(columns)):
        cells.append(Cell(column.key, column.kind, round(x, 3), round(x + width, 3), column in REENTRY))
        x += width
    top = LOG_TABLE_TOP + sum(LOG_HEAD_ROWS)
    spans = tuple((round(top + n * LOG_ROW, 3), round(top + (n + 1) * LOG_ROW, 3)) for n in range(rows))
    return Layout("log", LOG_PAGE, LOG_ORIGIN, LOG_MARKS, LOG_QR, tuple(cells), spans)


BATCH = Layout("batch", PACK_PAGE, PACK_ORIGIN, PACK_MARKS, PACK_QR)
SIGNOFF = Layout("signoff", PACK_PAGE, PACK_ORIGIN, PACK_MARKS, PACK_QR)
BATCH_PREFIX, SIGNOFF_SERIAL = "SCAN", "SIGNOFF"


def batch_serial(day_iso: str) -> str:
    """The serial of a day's scanning batch cover sheet: SCAN-2027-03-04."""
    return f"{BATCH_PREFIX}-{day_iso}"


def payload(ods_code: str, serial: str) -> str:
    """What a sheet's code says: upper case, digits and ':' only, so it fits a small code."""
    return f"{PREFIX}{LAYOUT_VERSION}:{ods_code.upper()}:{serial}"


@dataclass(frozen=True)
class Payload:
    """A code read back: which layout, which practice, which sheet."""

    version: int
    ods_code: str
    serial: str


def parse_payload(text: str) -> Payload | None:
    """The parts of a code packgen printed, or None for any other code."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not parts[0].startswith(PREFIX) or not parts[0][len(PREFIX):].isdigit():
        return None
    return Payload(int(parts[0][len(PREFIX):]), parts[1], parts[2])
