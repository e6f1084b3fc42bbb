"""Every PDF packgen writes passes an independent PDF/UA-1 checker, and its structure says what a
screen reader needs: header cells with a scope, a contents that is a TOC, figures with a description."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pdfua.document
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfua import validate

from packgen.errors import RenderError
from packgen.practice.load import load
from packgen.practice.logs import printed_sheets
from packgen.reconcile.report import exit_code, report_pdf, summary
from packgen.reconcile.run import Outcome
from packgen.render.join import join
from packgen.render.pdf import Job, lay_out

from ..conftest import BUILD_DATE, EXAMPLE, ROOT

def _walk_once(self, node, depth, page):
    """pdfua's PdfDocument._walk, without building each element's subtree again at every level below
    it: `_build` already built the children it yields (with the same depth and page), so the elements
    and their order are the same (`test_the_checker_sees_the_same_elements_walked_once`), found in a
    ninth of the time on a log's deep tables."""
    element = self._build(node, depth, page)
    if element is not None:
        yield from _subtree(element)


def _subtree(element):
    yield element
    for child in element.children:
        yield from _subtree(child)


_walk_as_shipped = pdfua.document.PdfDocument._walk
pdfua.document.PdfDocument._walk = _walk_once

# pdfua 0.1.3 fails on this rule ("Heading elements are not empty") with "cannot get key '/is_integer'
# on object of type array": a fault of the checker, not of the files. `empty_headings` checks it here.
CHECKER_FAULTS = {"UA-14-001"}


def elements(pdf: pikepdf.Pdf):
    """Every structure element of `pdf`, depth first: the order a screen reader follows."""
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            if "/K" in node:
                stack.append(node.K)


def has_content(element: pikepdf.Dictionary) -> bool:
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary)
                                    and ("/MCID" in kid or ("/S" in kid and has_content(kid)))):
            return True
    return False


def empty_headings(path: Path) -> list[str]:
    """UA-14-001 by hand: headings with no content."""
    with pikepdf.open(path) as pdf:
        return [f"{path.name}: empty {element.S}" for element in elements(pdf)
                if str(element.S) in {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"} and not has_content(element)]


def findings(path: Path) -> list[str]:
    report = validate(str(path))
    found = [f"{path.name}: {f.rule_id} {f.severity.name} {f.message[:160]}" for f in report.findings]
    found += [f"{path.name}: {o.rule_id} not run: {o.skipped_reason}" for o in report.skipped
              if o.rule_id not in CHECKER_FAULTS]
    return found + empty_headings(path)


def test_the_checker_sees_the_same_elements_walked_once(example_build):
    def seen(path: Path) -> list[tuple]:
        with pikepdf.open(path) as pdf:
            document = pdfua.document.PdfDocument(pdf, str(path))
            return [(e.role, e.obj.objgen, e.page, e.alt, e.has_scope, len(e.children)) for e in document.struct_elements]

    path = example_build.folder / "roles" / "01-reception.pdf"
    once = seen(path)
    try:
        pdfua.document.PdfDocument._walk = _walk_as_shipped
        assert seen(path) == once and len(once) > 50
    finally:
        pdfua.document.PdfDocument._walk = _walk_once


def test_every_pdf_of_the_example_passes_the_checker(example_build):
    paths = sorted(example_build.folder.rglob("*.pdf"))
    names = {path.relative_to(example_build.folder).parts[0] for path in paths}
    assert {"cutover-pack.pdf", "patient-poster.pdf", "patient-notice-large-print.pdf", "letters", "roles",
            "logs"} <= names
    assert any(path.name.endswith("-large-print.pdf") for path in (example_build.folder / "roles").iterdir())
    assert [problem for path in paths for problem in findings(path)] == []


def test_every_pdf_of_two_other_practices_passes_the_checker(small_build, late_build):
    """Every PDF of two other packs the tests build anyway: a small practice with no third parties and a
    large-print card, and one built late, with overdue tasks and a letter marked late. (A wave's packs
    are these same builds, one a practice; its overview is checked below.)"""
    paths = sorted(path for build in (small_build, late_build) for path in build.folder.rglob("*.pdf"))
    names = {path.name if path.parent.name not in ("letters", "roles") else path.parent.name for path in paths}
    assert {"cutover-pack.pdf", "patient-poster.pdf", "patient-notice-large-print.pdf", "letters", "roles"} <= names
    assert any(path.name.endswith("-large-print.pdf") for path in paths if path.parent.name == "roles")
    assert [problem for path in paths for problem in findings(path)] == []


def test_the_overview_of_a_wave_with_a_failed_practice_passes_the_checker(example_wave):
    _, _, _, written = example_wave
    assert findings(written.folder / "overview.pdf") == []


def laid_out(html: str) -> bytes:
    job = Job(f'<html lang="en-GB"><body style="font-family: Liberation Sans">{html}</body></html>', "Test",
              str(ROOT / "templates"), (str(ROOT / "templates"),), BUILD_DATE)
    return lay_out(job).data


def tags_of(html: str) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(laid_out(html)))


def test_header_cells_take_their_scope_from_the_html():
    pdf = tags_of('<table><thead><tr><th scope="col">Day</th><th>Staff</th></tr></thead>'
                  '<tbody><tr><th scope="row">Monday</th><td>Two</td></tr></tbody></table>')
    scopes = [str(e.A.Scope) for e in elements(pdf) if e.S == "/TH"]
    assert scopes == ["/Column", "/Column", "/Row"]


def test_a_table_marked_as_contents_or_list_is_tagged_as_one():
    pdf = tags_of('<table data-pdf-tag="TOC"><tr><td>Key dates</td><td>6</td></tr><tr><td>Timeline</td><td>20</td></tr></table>'
                  '<table data-pdf-tag="L"><tr><td>[ ]</td><td>Every sheet is back</td></tr></table>')
    found = Counter(str(e.S) for e in elements(pdf))
    assert found["/TOC"] == 1 and found["/TOCI"] == 2 and found["/L"] == 1 and found["/LI"] == 1
    assert found["/Lbl"] == 1 and found["/LBody"] == 1
    assert not {"/Table", "/TR", "/TD", "/TH", "/TBody"} & set(found)
    toc = next(e for e in elements(pdf) if e.S == "/TOC")
    assert all(item.P.objgen == toc.objgen for item in toc.K)


def test_each_contents_link_is_a_tagged_link_in_its_entry_described_by_its_words(example_build):
    """A screen reader reaches each link through the contents' structure: TOCI > P > Link, whose
    OBJR is the annotation, and the annotation says in words where it goes."""
    with pikepdf.open(example_build.folder / "cutover-pack.pdf") as pdf:
        parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        annotations = [annotation for page in pdf.pages[1:4] for annotation in page.obj.get("/Annots", [])]
        assert len(annotations) > 20
        for annotation in annotations:
            link = parents[int(annotation.StructParent)]
            assert (link.S, link.P.S, link.P.P.S) == ("/Link", "/P", "/TOCI")
            objects = [kid for kid in link.K if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]
            assert [kid.Obj.objgen for kid in objects] == [annotation.objgen]
            words = " ".join(str(annotation.Contents).split())
            assert words and not words.startswith("packgen:")
        toc_entries = [e for e in elements(pdf) if e.S == "/TOCI"]
        assert len(toc_entries) == len(annotations)


def test_a_links_annotation_is_described_by_the_links_text_not_its_address():
    pdf = tags_of('<p>See <a href="https://example.org/a">the <b>NHS</b>   guide</a>.</p>')
    # WeasyPrint gives the bold part its own annotation too
    assert [str(annotation.Contents) for annotation in pdf.pages[0].Annots] == ["the NHS guide", "NHS"]


def test_the_logo_is_described_by_the_practice_name(example_build):
    with pikepdf.open(example_build.folder / "cutover-pack.pdf") as pdf:
        alts = {str(e.Alt) for e in elements(pdf) if e.S == "/Figure"}
    assert alts == {"Riverside Medical Centre"}


PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}


def painted(page: pikepdf.Page) -> Counter:
    """How many painting operators of `page` are artifacts, tagged, or neither."""
    stack: list[str] = []
    found: Counter = Counter()
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BMC", "BDC"):
            stack.append(str(operands[0]))
        elif name == "EMC":
            stack.pop()
        elif name in PAINTING:
            found["artifact" if "/Artifact" in stack else "tagged" if stack else "untagged"] += 1
    return found


def test_boxes_to_write_in_rules_and_codes_are_artifacts(example_build):
    """A log sheet is text, and lines, boxes and codes that a screen reader should pass over."""
    with pikepdf.open(example_build.folder / "logs" / "appointments.pdf") as pdf:
        found = painted(pdf.pages[0])
    assert found["artifact"] > 100 and set(found) == {"artifact"}


def test_a_reconcile_report_passes_the_checker(tmp_path):
    """The report when no sheet came back: its summary and the table of sheets not scanned."""
    config = load(EXAMPLE).config
    outcome = Outcome(config.practice.ods_code, config.practice.name, printed_sheets(config))  # spares included
    result = summary(outcome)
    path = tmp_path / "reconcile.pdf"
    path.write_bytes(report_pdf(outcome, result, exit_code(outcome, result), BUILD_DATE))
    assert findings(path) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(["td", "th", "th row", "th col", "th rowgroup"]), min_size=1, max_size=4),
                min_size=1, max_size=4),
       st.sampled_from([None, "TOC", "L"]))
def test_every_header_cell_has_the_scope_its_html_says_and_a_marked_table_keeps_no_cell(rows, kind):
    def cell(spec: str) -> str:
        tag, *scope = spec.split()
        return f'<{tag}{f" scope={scope[0]!r}" if scope else ""}>x</{tag}>'

    marked = f' data-pdf-tag="{kind}"' if kind else ""
    pdf = tags_of(f"<table{marked}>" + "".join(f"<tr>{''.join(map(cell, row))}</tr>" for row in rows) + "</table>")
    found = list(elements(pdf))
    if kind:
        assert not {"/Table", "/TR", "/TD", "/TH", "/THead", "/TBody"} & {str(e.S) for e in found}
        assert sum(1 for e in found if e.S == ("/TOCI" if kind == "TOC" else "/LI")) == len(rows)
    else:
        wanted = ["/Row" if spec in ("th row", "th rowgroup") else "/Column"
                  for row in rows for spec in row if spec.startswith("th")]
        assert [str(e.A.Scope) for e in found if e.S == "/TH"] == wanted


def test_a_link_to_another_part_goes_to_its_anchor_once_joined_and_an_unknown_one_is_an_error():
    contents = laid_out('<p><a href="packgen:part-b">Part B</a></p>')
    part_b = laid_out('<h1>Part A ends</h1><h1 id="part-b" style="break-before: page">Part B</h1>')
    with pikepdf.open(io.BytesIO(join([contents, part_b], None, "Test", BUILD_DATE))) as pdf:
        [link] = pdf.pages[0].Annots
        assert "/A" not in link and link.Dest[0].objgen == pdf.pages[2].obj.objgen  # part B's second page
        assert str(link.Contents) == "Part B"
    with pytest.raises(RenderError, match="a link goes to 'part-c', which no part of the pack has"):
        join([laid_out('<p><a href="packgen:part-c">Part C</a></p>'), part_b], None, "Test", BUILD_DATE)
