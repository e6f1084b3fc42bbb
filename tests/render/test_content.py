"""Guidance Markdown: practice overrides, values filled in safely, unsafe HTML removed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from packgen.build import build
from packgen.cli import main
from packgen.errors import ContentError
from packgen.practice.load import load

from ..conftest import BUILD_DATE, MINIMAL, NO_LOGS, read_pdf, write


def build_with_content(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        write(tmp_path / "mine" / "guidance" / name, text)
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "content: mine\n")
    result = build(load(config), tmp_path / "out", BUILD_DATE)
    return read_pdf(result.folder / "cutover-pack.pdf")


# Guidance of a practice's own: a section replaced, one added and one removed, and one that tries markup.
OWN = {
    "30-appointments-and-rotas.md": "# Appointments at {{ practice.name }}\n\nBook nothing after {{ dates.go_live|day }}.\n",
    "32-flu-clinics.md": "# Flu clinics\n\nRun flu clinics before {{ dates.final_data_production|date }}.\n",
    "80-out-of-hours.md": "",
    "15-extra.md": "# Extra & more\n\nKeep <script>alert(1)</script>this <b>bold</b> and <iframe src='x'></iframe>"
                   "<img src='http://example.invalid/x.png'> {{ '<i>not markup</i>' }}.\n",
}


@pytest.fixture(scope="module")
def own_pack(tmp_path_factory):
    return build_with_content(tmp_path_factory.mktemp("own"), OWN)


def test_practice_content_replaces_adds_and_removes_sections(own_pack):
    pack = own_pack
    contents = pack.pages[2]
    assert "Appointments at Hillside Surgery" in contents
    assert "Appointments and rotas" not in pack.text
    assert "Book nothing after Monday 14 June 2027." in pack.text
    assert "Run flu clinics before 10/06/2027." in pack.text
    assert "Out of hours" not in contents
    assert contents.index("Appointments at Hillside Surgery") < contents.index("Flu clinics") < contents.index("Home visits")


def test_values_and_markdown_are_printed_literally_and_unsafe_html_is_dropped(own_pack):
    text = own_pack.text
    assert "Extra & more" in text
    assert "alert(1)" not in text
    assert "Keep this bold and" in text
    assert "<i>not markup</i>" in text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# T\n\n{{ ''.__class__.__mro__ }}\n", "not allowed in guidance"),
        ("# T\n\n{{ no_such_value }}\n", "unknown value: 'no_such_value' is undefined"),
        ("# T\n\n{% if %}\n", ":3: template error"),
        ("No title here\n", ":1: must start with a '# Title' line"),
    ],
)
def test_bad_guidance_is_a_one_line_error_naming_the_file(tmp_path, source, message):
    with pytest.raises(ContentError) as caught:
        build_with_content(tmp_path, {"15-bad.md": source})
    assert "15-bad.md" in caught.value.message
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert not (tmp_path / "out").exists()


def test_a_markdown_file_the_pack_does_not_use_is_a_warning_saying_where_it_goes_in_check_and_build(tmp_path):
    section = "# Flu clinics\n\nRun flu clinics before {{ dates.final_data_production|date }}.\n"
    for name in ("32-flu-clinics.md", "guidence/33-minor-surgery.md", "guidance/old/34-travel.md",
                 "guidance/35-baby-clinics.markdown", "letters/patholgy-notice.md", "letters/thank-you.md",
                 "roles/reception-desk.md", "roles/cleaners.md", "Poster.md",
                 # used, or not Markdown, or notes: no warning
                 "guidance/36-used.md", "letters/pathology-notice.md", "roles/reception.md", "poster.md",
                 "README.md", "guidance/notes.txt", ".drafts/37-draft.md", "guidance/.38-backup.md"):
        write(tmp_path / "mine" / name, section)
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "content: mine\n")
    where = f"warning: {config}:{NO_LOGS.count(chr(10)) + MINIMAL.count(chr(10)) + 1}: content: "
    expected = [
        where + "32-flu-clinics.md is not used; to add a guidance section, move it to guidance/32-flu-clinics.md",
        where + "Poster.md is not used; did you mean poster.md?",
        where + "guidance/35-baby-clinics.markdown is not used; did you mean guidance/35-baby-clinics.md?",
        where + "guidance/old/34-travel.md is not used; did you mean guidance/34-travel.md?",
        where + "guidence/33-minor-surgery.md is not used; did you mean guidance/33-minor-surgery.md?",
        where + "letters/patholgy-notice.md is not used; did you mean letters/pathology-notice.md?",
        where + "letters/thank-you.md is not used; packgen reads only the letters/ files named as in its own "
                "content/letters/, such as letters/bowel_screening-notice.md",
        where + "roles/cleaners.md is not used; packgen reads only the roles/ files named as in its own "
                "content/roles/, such as roles/clinicians.md",
        where + "roles/reception-desk.md is not used; did you mean roles/reception.md?",
    ]
    checked = CliRunner().invoke(main, ["check", str(config), "--today", BUILD_DATE.isoformat()])
    assert checked.exit_code == 0, checked.output
    assert [line for line in checked.stderr.splitlines() if ": content: " in line] == expected
    built = CliRunner().invoke(main, ["build", str(config), "-o", str(tmp_path / "out"), "--today", BUILD_DATE.isoformat()])
    assert built.exit_code == 0, built.output
    assert [line for line in built.stderr.splitlines() if ": content: " in line] == expected
    pack = read_pdf(tmp_path / "out" / "b12345-hillside-surgery" / "cutover-pack.pdf")
    assert "not used" not in pack.text  # for whoever builds the pack, not printed in it
    again = CliRunner().invoke(main, ["build", str(config), "-o", str(tmp_path / "out"), "--today", BUILD_DATE.isoformat()])
    assert "nothing changed since the last build" in again.stdout
    assert [line for line in again.stderr.splitlines() if ": content: " in line] == expected
