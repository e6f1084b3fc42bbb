"""Locked-down rendering: hostile templates and Markdown give a pack or an error, never file contents or a fetch."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from packgen.cli import main

from .conftest import MINIMAL, NO_LOGS, flat, read_pdf, write

SECRET = "TOP-SECRET-LINE-42"


# A base template that names `markup` on every page: the first document laid out meets it, so the build
# stops there instead of after laying out the whole pack around a cover that names it.
EVERY_PAGE = "<html><body>{}{{% block body %}}{{% endblock %}}</body></html>"


def run_build(tmp_path, templates: dict[str, str] | None = None, guidance: dict[str, str] | None = None):
    (tmp_path.parent / "secret.txt").write_text(SECRET)
    extra = ""
    for name, text in (templates or {}).items():
        write(tmp_path / "tpl" / name, text)
        extra = "templates: tpl\n"
    for name, text in (guidance or {}).items():
        write(tmp_path / "md" / "guidance" / name, text)
        extra += "content: md\n"
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + extra)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(config), "-o", str(out), "--today", "2026-11-27"])
    return result, out


@pytest.mark.parametrize(
    ("templates", "refused"),
    [
        ({"base.html": EVERY_PAGE.format('<img src="http://example.invalid/logo.png">')}, "refused to fetch http://example.invalid/logo.png"),
        ({"base.html": EVERY_PAGE.format('<img src="ftp://example.invalid/logo.png">')}, "refused to fetch ftp://example.invalid/logo.png"),
        ({"base.html": EVERY_PAGE.format('<img src="file:///etc/hostname">')}, "refused to read /etc/hostname"),
        ({"base.html": EVERY_PAGE.format('<img src="../secret.txt">')}, "outside the trusted root"),
        ({"base.html": '<html><head><link rel="stylesheet" href="https://example.invalid/x.css"></head>'
                       '<body>{% block body %}{% endblock %}</body></html>'}, "refused to fetch https://example.invalid/x.css"),
    ],
)
def test_templates_cannot_fetch_urls_or_read_other_files(tmp_path, templates, refused):
    result, out = run_build(tmp_path, templates=templates)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and refused in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not out.exists()


def test_attachments_are_never_embedded(tmp_path):
    write(tmp_path / "inside.txt", SECRET)  # inside the trusted root: still not attached
    link = ('<link rel="attachment" href="../secret.txt"><link rel="attachment" href="file:///etc/hostname">'
            '<link rel="attachment" href="inside.txt">'
            '<a rel="attachment" href="inside.txt">a</a> <a rel="attachment" href="data:text/plain,TOP-SECRET-LINE-42">b</a>')
    result, out = run_build(tmp_path, templates={"parts/cover.html": link + "<p>Cover</p>"})
    assert result.exit_code == 0, result.output
    for pack in (out / "b12345-hillside-surgery").rglob("*.pdf"):
        reader = PdfReader(pack)
        assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
        annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
        assert not [a for a in annotations if a.get("/Subtype") == "/FileAttachment"], pack
        assert SECRET.encode() not in pack.read_bytes() and b"/EmbeddedFile" not in pack.read_bytes()


@pytest.mark.parametrize(
    ("cover", "make", "refused"),
    [
        ('<img src="secret.png" alt="">', "link", r"Failed to load image at '\S+/secret.png': ValueError: refused to read "
                                                  r"\S+/secret.txt: outside the trusted root and packgen's folders"),
        ('<img src="pipe.png" alt="">', "fifo", r"Cover: Hillside Surgery: the image pipe.png is a FIFO \(named pipe\); "
                                                r"only regular files are read$"),
        ('<img src="broken.png" alt="">', "broken", r"Cover: Hillside Surgery: the image broken.png is not a PNG, JPEG or SVG "
                                                    r"image that can be read$"),
        ('<style>@font-face { font-family: Evil; src: url(file:///etc/hostname); } p.e { font-family: Evil; }</style>'
         '<p class="e">x</p>', "", r"Font-face 'Evil' cannot be loaded \(refused to read /etc/hostname: outside the "
                                   r"trusted root and packgen's folders\)$"),
    ],
)
def test_images_and_fonts_the_templates_name_fail_with_a_reason(tmp_path, cover, make, refused):
    (tmp_path.parent / "secret.txt").write_text(SECRET)
    if make == "link":
        (tmp_path / "secret.png").symlink_to(tmp_path.parent / "secret.txt")
    elif make == "fifo":
        os.mkfifo(tmp_path / "pipe.png")
    elif make == "broken":
        write(tmp_path / "broken.png", "not an image")
    result, out = run_build(tmp_path, templates={"base.html": EVERY_PAGE.format(cover)})
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and re.search(refused, result.output.strip()), result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "expression",
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__.os }}",
     "{{ self._TemplateReference__context }}", "{% include '/etc/hostname' %}", "{{ lipsum.__globals__ }}"],
)
def test_templates_cannot_reach_python_or_files(tmp_path, expression):
    result, out = run_build(tmp_path, templates={"parts/cover.html": expression})
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert not out.exists()


def test_hostile_markdown_prints_as_harmless_text(tmp_path):
    hostile = ("# Hostile\n\n<script>document.write('x')</script><style>body{display:none}</style>"
               "<form><input value=a></form><iframe src='file:///etc/hostname'></iframe><object data='../secret.txt'></object>"
               "<link rel=stylesheet href='http://example.invalid/x.css'>"
               "![image](../secret.txt) [a link](http://example.invalid) <img src='file:///etc/hostname'> Still here.\n")
    result, out = run_build(tmp_path, guidance={"15-hostile.md": hostile})
    assert result.exit_code == 0, result.output
    pack = read_pdf(out / "b12345-hillside-surgery" / "cutover-pack.pdf")
    text = flat(pack.text)
    assert "Hostile" in text and "a link Still here." in text
    assert "document.write" not in text and "display:none" not in text and SECRET not in text


def test_pdfs_are_tagged_with_title_language_and_table_headers(example_build):
    def structure(path):
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        found: set[str] = set()
        stack = [root["/StructTreeRoot"].get_object()]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "/S" in node:
                    found.add(str(node["/S"]))
                kids = node.get("/K")
                if kids is not None:
                    stack.extend(k.get_object() for k in (kids if isinstance(kids, list) else [kids]))
        return reader, root, found

    folder = example_build.folder
    for path in [folder / "cutover-pack.pdf", next((folder / "letters").glob("*.pdf")), folder / "roles" / "01-reception.pdf"]:
        reader, root, tags = structure(path)
        assert root["/Lang"] == "en-GB", path.name
        assert bool(root["/MarkInfo"]["/Marked"])
        assert reader.metadata.title
        assert {"/Document", "/P"} <= tags, path.name
    _reader, _root, pack_tags = structure(folder / "cutover-pack.pdf")
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/LI"} <= pack_tags
