"""Names fixed once for all of packgen: the files it writes, safe slugs for file names and keys, and the
one font text is set in."""

from __future__ import annotations

import re
import unicodedata

# A practice's pack: OUTPUT/<ods-code>-<name>/…
PACK = "cutover-pack.pdf"
ICS = "timeline.ics"
NOTICE = "patient-notice.txt"
POSTER = "patient-poster.pdf"
NOTICE_LARGE = "patient-notice-large-print.pdf"  # for patients who ask; not in the pack or the print list
BATCH_COVERS = "scanning-batch-cover-sheets.pdf"  # one a day the practice is open in the cut-over, for the scanning pile
MANIFEST = "manifest.json"
# A wave's overview: OUTPUT/waves/<wave>/…; a practice's folder always starts with its ODS code, so never `waves`
WAVES = "waves"
OVERVIEW = "overview.pdf"
WAVE_ICS = "wave.ics"
WAVE_CSV = "wave.csv"
# What `reconcile` writes: OUTPUT/<ods-code>-<name>-reconcile/…
RECONCILE = "-reconcile"
RECONCILE_PDF = "reconcile.pdf"
RECONCILE_JSON = "reconcile.json"
CACHE = ".cache"  # in the output folder: laid-out documents kept between builds

FONT = "Liberation Sans"  # every PDF is set in it (style.css names it too); a build refuses any other


def slug(text: str) -> str:
    """Lower-case a-z0-9 words joined by hyphens (Tŷ Gwyn → ty-gwyn): safe in file names, UIDs and keys."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"
