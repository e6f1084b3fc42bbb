"""The print list at the front of the pack: every document, its pages, copies, for whom, and the paper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .names import PACK, POSTER


@dataclass(frozen=True)
class PrintItem:
    """One row: a document, how many pages it has, and how many extra copies to print beyond the pack's own."""

    document: str
    file: str
    pages: int
    extra: int
    for_whom: str

    @property
    def paper(self) -> int:
        """Sheets of paper for the extra copies (single-sided)."""
        return self.pages * self.extra


def print_list(pack_pages: int, role_rows: list[tuple[str, str, int, int, str]], poster: tuple[int, int],
               letters: int, log_sheets: int, by_post: tuple[int, int] = (0, 0),
               large_rows: Sequence[tuple[str, str, int, int, str]] = ()) -> list[PrintItem]:
    """Rows in handing-out order. `role_rows` holds (title, file, pages, copies wanted, for whom), and
    `large_rows` the same for large-print cards, which are not in the pack: every copy is extra;
    `by_post` holds how many letters go by post (their party has no email address), and of how many."""
    rows = [PrintItem("Cut-over pack: one copy of everything below", PACK, pack_pages, 0,
                      "Practice manager: the master copy; take each part out of it to hand over")]
    for title, file, pages, copies, for_whom in role_rows:
        rows.append(PrintItem(f"Role card: {title}", file, pages, max(0, copies - 1), for_whom))
    for title, file, pages, copies, for_whom in large_rows:
        rows.append(PrintItem(f"Large-print role card: {title}", file, pages, copies, for_whom))
    poster_pages, poster_copies = poster
    rows.append(PrintItem("Patient poster", POSTER, poster_pages, max(0, poster_copies - 1),
                          "Waiting room, reception desk and entrance"))
    if letters:
        posted, count = by_post
        post = ("every one by post" if posted and posted >= count else
                f"{posted} by post, the others by email from the drafts beside them" if posted else
                "every one by email from the drafts beside them")
        rows.append(PrintItem(f"Letters to third parties ({letters})", "letters/", letters, 0,
                              f"Practice manager: sign and send each one on its date; {post}"))
    if log_sheets:
        rows.append(PrintItem(f"Paper log sheets ({log_sheets})", "logs/", log_sheets, 0,
                              "Staff, day by day. Do not print more: every serial must exist once"))
    return rows


def paper_total(rows: list[PrintItem]) -> int:
    """The pack once, plus every extra copy."""
    return sum(row.pages for row in rows if row.file == PACK) + sum(row.paper for row in rows)
