"""What packgen relies on in WeasyPrint beyond its public API, and how a failed layout is told apart
from a warning: checked against the WeasyPrint installed, so that an upgrade that changes either fails
here, naming the version, before it fails a build."""

from __future__ import annotations

import logging

import pytest
import weasyprint

from packgen.errors import ContentError
from packgen.render.pdf import Job, _Collect, lay_out

from ..conftest import BUILD_DATE, ROOT


def laid_out(head: str, body: str):
    html = (f'<html lang="en-GB"><head><title>Test</title><style>{head}</style></head>'
            f'<body style="font-family: Liberation Sans">{body}</body></html>')
    return lay_out(Job(html, "Test", str(ROOT / "templates"), (str(ROOT / "templates"),), BUILD_DATE))


def test_each_page_tells_its_named_page():
    """The page numbers are stamped on pages of the same named page: `pdf.page_name` reads it from a
    private attribute of WeasyPrint's pages, which may change in any version."""
    laid = laid_out("@page letter { size: A4 landscape } .letter { page: letter; break-before: page }",
                    '<p>Cover</p><div class="letter">One</div><div class="letter">Two</div>')
    assert laid.page_names == ("", "letter", "letter"), (
        f"WeasyPrint {weasyprint.__version__} names a laid-out page differently: update packgen.render.pdf.page_name")


def test_a_style_sheet_that_cannot_be_loaded_fails_the_layout():
    with pytest.raises(ContentError, match=r"^Test: Failed to load stylesheet at \S+/missing\.css"):
        laid_out("", '<link rel="stylesheet" href="missing.css"><p>x</p>')


def test_a_property_weasyprint_ignores_is_not_a_failure():
    assert laid_out("p { fancy-property: 3; colour: red }", "<p>x</p>").pages == 1


def record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("weasyprint", level, __file__, 1, message, (), None)


def test_failures_are_told_by_log_level_not_by_the_words_of_the_message():
    refused: list[str] = []
    collect = _Collect(refused)
    collect.emit(record(logging.WARNING, "Error: invalid value, refused, Failed to parse"))
    assert collect.problem() is None
    collect.emit(record(logging.ERROR, "Content discarded: target points to undefined anchor 'x'"))
    assert collect.problem() == "Content discarded: target points to undefined anchor 'x'"


def test_a_warning_after_a_file_the_fetcher_refused_is_a_failure_with_the_reason():
    refused: list[str] = []
    collect = _Collect(refused)
    collect.emit(record(logging.WARNING, "Ignored `fancy: 3`"))
    refused.append("refused to read /etc/hostname: outside the trusted root")
    collect.emit(record(logging.WARNING, "Font-face 'Evil' cannot be loaded"))
    assert collect.problem() == "Font-face 'Evil' cannot be loaded (refused to read /etc/hostname: outside the trusted root)"


def test_a_style_sheet_parsed_once_gives_each_document_its_page_rules():
    """A `<style>` text is parsed once a process (`pdf._style_sheet`): the next document with it still
    gets its @page rules, and one without it does not."""
    from io import BytesIO

    from pypdf import PdfReader

    def width_mm(laid) -> float:
        return round(float(PdfReader(BytesIO(laid.data)).pages[0].mediabox.width) / 72 * 25.4)

    style = "@page { size: A5 } p { color: #000 }"
    assert [width_mm(laid_out(style, "<p>x</p>")) for _ in range(2)] == [148, 148]
    assert width_mm(laid_out("p { color: #000 }", "<p>x</p>")) == 210


def test_a_style_sheet_that_fetches_is_parsed_for_each_document():
    """A font the fetcher refuses fails every document that asks for it, not only the first."""
    style = "@font-face { font-family: Evil; src: url(file:///etc/hostname); } p.e { font-family: Evil; }"
    for _ in range(2):
        with pytest.raises(ContentError, match="refused to read /etc/hostname"):
            laid_out(style, '<p class="e">x</p>')
