"""What each paper log records: its columns and defaults. Plain data, shared by the config and the sheets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a log sheet. `width` is in mm; None shares the width left over."""

    key: str
    heading: str
    kind: str = "text"  # text, date (DD/MM/YYYY boxes), nhs (3-3-4 boxes), tick, choice (tick boxes with labels)
    width: float | None = None
    options: tuple[str, ...] = ()


def _c(key: str, heading: str, kind: str = "text", width: float | None = None, *options: str) -> Column:
    return Column(key, heading, kind, width, tuple(options))


COLUMNS = {c.key: c for c in [
    _c("time", "Time", "text", 15),
    _c("time_requested", "Time requested", "text", 17),
    _c("received", "Time received", "text", 17),
    _c("patient", "Patient name"),
    _c("dob", "Date of birth", "date", 35),
    _c("nhs_number", "NHS number", "nhs", 43),
    _c("clinician", "Clinician", "text", 26),
    _c("summary", "Summary"),
    _c("action", "Action taken or needed"),
    _c("requested_by", "Requested by", "text", 26),
    _c("visiting_clinician", "Visiting clinician", "text", 26),
    _c("outcome", "Outcome"),
    _c("how_received", "How received", "choice", 34, "Phone", "Counter", "Online", "Other"),
    _c("items", "Items requested or issued"),
    _c("eps_or_fp10", "EPS or FP10", "choice", 18, "EPS", "FP10"),
    _c("issued_by", "Issued by", "text", 22),
    _c("service", "Referred to (service)"),
    _c("urgent", "Urgent", "tick", 14),
    _c("extra_copy", "Extra copy printed", "tick", 16),
    _c("referred_by", "Referred by", "text", 24),
    _c("source", "From", "choice", 58, "Letter", "111", "Out of hours", "Pathology", "Other"),
    _c("kept_for_scanning", "Kept for scanning", "tick", 16),
    _c("appointment", "Appointment (date and time)"),
    _c("with", "With (clinician)", "text", 26),
    _c("booked_by", "Booked by", "text", 20),
    _c("name", "Name"),
    _c("contact", "Phone or email"),
    _c("come_back_on", "Come back on", "date", 35),
]}

# The re-entry block that ends every row: what re-entry after go-live needs to prove.
REENTRY = (Column("reentered_date", "Re-entered: date", "text", 20), Column("reentered_by", "Initials", "text", 13),
           Column("checked_by", "Checked: initials", "text", 17))


# name: (title, serial prefix, what goes on it, default columns). How many sheets a day: logs.RATES.
LOGS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "telephone": ("Telephone calls log", "TEL", "Every call with a patient, as well as the entry in the clinical system.",
                  ("time", "patient", "dob", "nhs_number", "clinician", "summary", "action")),
    "home_visits": ("Home visits log", "VIS", "Every home visit requested, and what happened.",
                    ("time_requested", "patient", "dob", "nhs_number", "requested_by", "visiting_clinician", "outcome")),
    "prescriptions": ("Prescription requests log", "RX", "Every prescription request, however it arrived, and what was issued.",
                      ("time", "patient", "dob", "nhs_number", "how_received", "items", "eps_or_fp10", "issued_by")),
    "referrals": ("Referrals log", "REF", "Every referral made. Urgent only where possible; print an extra copy to scan after go-live.",
                  ("patient", "dob", "nhs_number", "service", "urgent", "extra_copy", "referred_by")),
    "correspondence": ("Incoming correspondence log", "COR", "Everything that arrives about a patient. Keep each item for scanning.",
                       ("received", "patient", "dob", "nhs_number", "source", "kept_for_scanning")),
    "appointments": ("Appointments log", "APT", "Every appointment booked, changed or cancelled during the cut-over.",
                     ("patient", "dob", "nhs_number", "appointment", "with", "booked_by")),
    "registrations": ("Registrations waiting list", "REG", "New patients who asked to register: they can register from go-live.",
                      ("name", "dob", "contact", "come_back_on")),
}
