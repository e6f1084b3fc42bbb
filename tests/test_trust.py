"""The trusted root: files are read only inside the config's folder (or --root) and packgen's own, after links."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from packgen.cli import main
from packgen.errors import ContentError
from packgen.practice.load import load
from packgen.render.templates import render_template, template_env
from packgen.trust import Trust, read_regular

from .conftest import MINIMAL, NO_LOGS, ROOT, write

SECRET = "TOP-SECRET-LINE-42"
GUIDANCE = "# Shared\n\nShared wording for {{ practice.name }}.\n"


def check(*args: str):
    result = CliRunner().invoke(main, ["check", *map(str, args), "--today", "2026-11-27"])
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    return result, errors


@pytest.fixture
def shared(tmp_path):
    """A practice folder and, beside it, a partner's shared folder with content and a secret."""
    practice = tmp_path / "practices"
    write(tmp_path / "partner" / "content" / "guidance" / "95-shared.md", GUIDANCE)
    write(tmp_path / "partner" / "secret.txt", SECRET)
    return practice


def test_a_content_folder_outside_the_root_needs_root(shared):
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL + "content: ../partner/content\n")
    result, errors = check(config)
    assert result.exit_code == 2
    assert errors == [f"error: {config}:20: content: '../partner/content' is outside the trusted root {shared}; "
                      "move it inside, or widen the root with --root"]
    result, errors = check(config, "--root", shared.parent / "partner")
    assert result.exit_code == 0 and errors == [], result.output


def test_a_guidance_link_out_of_the_root_is_refused_naming_file_and_key(shared):
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL + "content: content\n")
    (shared / "content" / "guidance").mkdir(parents=True)
    link = shared / "content" / "guidance" / "99-secret.md"
    link.symlink_to(shared.parent / "partner" / "secret.txt")
    result, errors = check(config)
    assert result.exit_code == 2 and SECRET not in result.output
    assert errors == [f"error: {config}:20: content: {link}: is outside the trusted root {shared} (it leads to "
                      f"{shared.parent / 'partner' / 'secret.txt'}); move it inside, or widen the root with --root"]


def test_a_link_inside_the_root_is_followed(shared):
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL + "content: content\n")
    write(shared / "wording" / "95-own.md", GUIDANCE)
    (shared / "content" / "guidance").mkdir(parents=True)
    (shared / "content" / "guidance" / "95-own.md").symlink_to(shared / "wording" / "95-own.md")
    result, errors = check(config)
    assert result.exit_code == 0 and errors == [], result.output


def test_a_fifo_is_refused_at_once(shared):
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL + "content: content\n")
    (shared / "content" / "guidance").mkdir(parents=True)
    os.mkfifo(shared / "content" / "guidance" / "99-pipe.md")
    os.mkfifo(shared / "content" / "patient-notice.md")
    # In a child process, so that a read that blocked would fail the test rather than hang the suite.
    run = subprocess.run([sys.executable, "-m", "packgen", "check", str(config)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert run.returncode == 2
    assert run.stderr == (f"error: {config}:20: content: {shared / 'content' / 'guidance' / '99-pipe.md'}: is a FIFO "
                          "(named pipe); only regular files are read\n")
    with pytest.raises(Exception, match="FIFO"):
        read_regular(shared / "content" / "patient-notice.md")


@pytest.mark.parametrize(("key", "value", "shown"), [("templates", "/", "'/'"), ("content", "/etc", "'/etc'"),
                                                      ("templates", "../partner", "'../partner'")])
def test_folders_outside_the_root_are_refused(shared, key, value, shown):
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL + f"{key}: {value}\n")
    result, errors = check(config)
    assert result.exit_code == 2
    assert errors == [f"error: {config}:20: {key}: {shown} is outside the trusted root {shared}; move it inside, "
                      "or widen the root with --root"]


def test_a_logo_link_out_of_the_root_is_refused(shared):
    (shared).mkdir()
    (shared / "logo.png").symlink_to(shared.parent / "partner" / "secret.txt")
    config = write(shared / "p.yaml", NO_LOGS + MINIMAL.replace("  address:", "  logo: logo.png\n  address:"))
    result, errors = check(config)
    assert result.exit_code == 2 and len(errors) == 1
    assert errors == [f"error: {config}:12: practice.logo: 'logo.png' leads to {shared.parent / 'partner' / 'secret.txt'}, "
                      f"which is outside the trusted root {shared}; move it inside, or widen the root with --root"]


def test_a_wave_trusts_its_folder_and_extends_stays_inside(tmp_path):
    wave = tmp_path / "wave"
    write(tmp_path / "region.yaml", "migration: {source_system: Vision}\n")
    write(wave / "a.yaml", "extends: ../region.yaml\n" + NO_LOGS + MINIMAL)
    result, errors = check(wave)
    assert result.exit_code == 2
    assert errors == [f"error: {wave / 'a.yaml'}:1: extends: '../region.yaml' is outside the trusted root {wave}; "
                      "move it inside, or widen the root with --root"]
    result, errors = check(wave, "--root", tmp_path)
    assert result.exit_code == 0, result.output


def test_a_config_in_a_wave_folder_that_links_out_is_refused(tmp_path):
    wave = tmp_path / "wave"
    write(tmp_path / "elsewhere" / "b.yaml", NO_LOGS + MINIMAL)
    wave.mkdir()
    (wave / "b.yaml").symlink_to(tmp_path / "elsewhere" / "b.yaml")
    result, errors = check(wave)
    assert result.exit_code == 2
    assert errors == [f"error: {wave / 'b.yaml'}: leads to {tmp_path / 'elsewhere' / 'b.yaml'}, outside the trusted "
                      f"root {wave}; widen the root with --root"]


def test_templates_include_nothing_outside_the_root(tmp_path):
    write(tmp_path / "secret.txt", SECRET)
    root = tmp_path / "practice"
    write(root / "tpl" / "a.html", '{% include "b.html" %}')
    (root / "tpl" / "b.html").symlink_to(tmp_path / "secret.txt")
    env = template_env(root / "tpl", Trust([root], {root / "tpl": "p.yaml:3: templates"}))
    with pytest.raises(ContentError) as caught:
        render_template(env, "a.html", {"today": None})
    assert caught.value.format_message() == (
        f"p.yaml:3: templates: {root / 'tpl' / 'b.html'}: is outside the trusted root {root} (it leads to "
        f"{tmp_path / 'secret.txt'}); move it inside, or widen the root with --root")
    for name in ("../secret.txt", "/etc/hostname"):
        write(root / "tpl" / "c.html", f'{{% include "{name}" %}}')
        with pytest.raises(ContentError, match="template not found"):
            render_template(env, "c.html", {"today": None})


def test_the_example_loads_with_its_own_folder_as_root():
    pc = load(ROOT / "practices" / "riverside.yaml")
    assert pc.roots == ((ROOT / "practices").resolve(),)
    assert pc.trust.folders[0] == (ROOT / "practices").resolve() and len(pc.trust.folders) >= 3
