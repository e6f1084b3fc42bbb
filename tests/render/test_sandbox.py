"""The sandbox: templates and Markdown see plain data only, and can call nothing that acts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from packgen.cli import main
from packgen.errors import ContentError
from packgen.pack.documents import documents, html, page_numbers_html, pagination
from packgen.pack.fill import pack_env
from packgen.pack.model import prepare
from packgen.practice.load import load
from packgen.render.content import markdown_env, render_markdown
from packgen.render.sandbox import Plain, Sandbox, is_plain
from packgen.render.templates import render_template, template_env
from packgen.trust import Trust

from ..conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, ROOT, write

WAVE = sorted((ROOT / "practices" / "wave-eastshire-2027").glob("[!_]*.yaml"))


def contexts_seen(monkeypatch, config: Path) -> list[dict]:
    """Every context a template or a Markdown file is given while the pack of `config` is rendered
    (its Markdown, every document's HTML in both states of the late values, and the page-number stamp),
    as the template sees it."""
    seen: list[dict] = []
    original = Sandbox.render_plain

    def spy(self, template, context, what):
        seen.append(self.plain.context(context))
        return original(self, template, context, what)

    monkeypatch.setattr(Sandbox, "render_plain", spy)
    pc = load(config)
    ctx = prepare(pc, BUILD_DATE)
    env = pack_env(pc)
    docs = documents(ctx)
    provisional = pagination(ctx, docs, None, None)
    for doc in docs:
        html(env, ctx, provisional, doc)
    anchors = [doc.key for doc in docs] + [s.anchor for s in ctx.guidance] + [s.anchor for s in ctx.sheets]
    anchors += [f"checklist-{name}" for name in ctx.checklist_titles] + [f"task-{task.key}" for task in ctx.tasks]
    numbers = pagination(ctx, docs, {doc.key: 2 for doc in docs}, {anchor: 3 for anchor in anchors})
    for doc in docs:
        if doc.second_pass:
            html(env, ctx, numbers, doc)
    page_numbers_html(env, ctx, numbers, ["", "landscape"])
    return seen


@pytest.mark.parametrize("config", [EXAMPLE, *WAVE], ids=lambda p: p.stem)
def test_every_context_holds_plain_data_only(monkeypatch, config):
    seen = contexts_seen(monkeypatch, config)
    assert len(seen) > 40  # the Markdown files and the documents: the spy saw the renders
    for context in seen:
        problems = [bad for key, value in context.items() for bad in is_plain(value, key)]
        assert problems == [], problems[:5]
    logo = [c["practice"].logo for c in seen if c["practice"].logo]
    assert config != EXAMPLE or logo and all(isinstance(x, str) and x.startswith("file:///") for x in logo)


def test_the_walk_finds_what_is_not_plain():
    assert is_plain({"logo": Path("/etc/passwd")}) == [": builtins.dict"]
    practice = load(EXAMPLE).config.practice
    assert is_plain(practice, "practice") == ["practice: packgen.practice.config.Practice"]
    plain = Plain().context({"today": BUILD_DATE, "practice": practice})
    assert is_plain(plain["practice"]) == [] and plain["practice"].name == "Riverside Medical Centre"
    assert is_plain((1, Path("/"))) == ["[1]: pathlib.PosixPath"]
    assert is_plain((print,)) == ["[0]: builtins.builtin_function_or_method"]


ATTACKS = [
    "{{ practice.logo.read_text() }}",
    "{{ practice.logo.write_text('import os') }}",
    "{{ practice.logo.unlink() }}",
    "{{ practice.logo.iterdir()|list }}",
    "{{ practice.logo|attr('read_text') }}",
    "{{ practice.__class__ }}",
    "{{ practice.model_dump() }}",
    "{{ practice.name.__class__.__mro__ }}",
    "{{ practice.name.format }}",
    "{{ '{0.__class__}'.format(practice) }}",
    "{{ '{0}'.format_map(practice) }}",
    "{{ 'x'.encode() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ cycler('a') }}",
    "{{ joiner() }}",
    "{{ namespace(a=1) }}",
    "{{ lipsum() }}",
    "{{ dict(a=1) }}",
    "{{ range.__globals__ }}",
    "{{ range(3).__class__ }}",
    "{{ tasks.append(1) }}",
    "{{ dates.copy() }}",
    "{{ dates.__setitem__ }}",
    "{{ migration.go_live.replace(year=2000) }}",
    "{{ migration.go_live.__class__.today() }}",
    "{% for t in tasks %}{{ t.late.__class__ }}{% endfor %}",
    "{% for x in tasks %}{{ loop.__class__ }}{% endfor %}",
    "{% macro m() %}{% endmacro %}{{ m._func }}{{ m.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__ }}",
    "{{ warnings[0].key }}" if False else "{{ contacts.practice_manager.model_copy() }}",
]


@pytest.fixture(scope="module")
def example_context():
    pc = load(EXAMPLE)
    return pc, prepare(pc, BUILD_DATE).values()


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_in_markdown_are_refused(tmp_path, example_context, attack):
    pc, ctx = example_context
    path = write(tmp_path / "99-attack.md", f"# Attack\n\n{attack}\n")
    env = markdown_env(Trust([tmp_path]))
    with pytest.raises(ContentError) as caught:
        render_markdown(path, ctx, env)
    message = caught.value.format_message()
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert re.match(r"\S+: (not allowed in guidance: access to attribute|unknown value: |template error: )", message), message


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_in_templates_are_refused(example_context, tmp_path, attack):
    pc, ctx = example_context
    write(tmp_path / "tpl" / "attack.html", attack)
    env = template_env(tmp_path / "tpl", Trust([tmp_path]))
    with pytest.raises(ContentError) as caught:
        render_template(env, "attack.html", ctx)
    message = caught.value.format_message()
    assert "\n" not in message
    assert re.match(r"template attack.html( \(\S+:1\))?: (not allowed: access to attribute|unknown value: |template error: )", message), message


def test_what_templates_need_still_works(example_context):
    _pc, ctx = example_context
    env = markdown_env(_pc.trust)
    source = ("{{ practice.name|upper }} {{ practice.name.lower() }} {{ migration.go_live.isoformat() }} "
              "{{ migration.go_live.year }} {% for k, v in dates.items() %}{% if loop.first %}{{ k }}{% endif %}"
              "{% endfor %} {{ task_by_key.get('go_live').title }} {{ range(3)|list|length }} "
              "{{ '%.1f'|format(1.25) }} {% for g in tasks|groupby('owner') %}{% if loop.first %}{{ g.grouper }} "
              "{{ g.list|length }}{% endif %}{% endfor %} {% set d = {'a': 1} %}{% for k, v in d.items() %}{{ k }}{{ v }}"
              "{% endfor %} {% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(1) }}")
    out = env.render_plain(env.from_string(source), ctx, "test")
    assert out.startswith("RIVERSIDE MEDICAL CENTRE riverside medical centre 2027-03-09 2027 extract_request")
    assert re.search(r" Go-live: start using SystmOne 3 1.2 [A-Z][\w ,]+ \d+ a1 <1>$", out), out


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(dir(str)) + sorted(dir(dt.date)) + sorted(dir(Path)) + ["mro", "gi_frame", "f_globals"]))
def test_only_allowed_names_reach_an_attribute(name):
    env = Sandbox()
    text = {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith", "endswith", "split",
            "replace", "isdigit"}
    date = {"year", "month", "day", "isoformat", "weekday", "isoweekday"}
    for value, safe in (("text", text), (dt.date(2027, 3, 4), date), (Path("/etc/passwd"), set())):
        found = getattr(value, name, None)
        assert env.is_safe_attribute(value, name, found) == (name in safe and found is not None)


def write_case(tmp_path: Path, guidance: str | None = None, template: str | None = None) -> Path:
    extra = ""
    if guidance is not None:
        write(tmp_path / "md" / "guidance" / "99-attack.md", f"# Attack\n\n{guidance}\n")
        extra += "content: md\n"
    if template is not None:
        write(tmp_path / "tpl" / "parts" / "cover.html", template)
        extra += "templates: tpl\n"
    write(tmp_path / "logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    return write(tmp_path / "p.yaml", NO_LOGS + MINIMAL.replace("address:", "logo: logo.svg\n  address:") + extra)


@pytest.mark.parametrize("attack", ["{{ practice.logo.read_text() }}", "{{ practice.logo.unlink() }}",
                                    "{{ practice.logo.__class__ }}", "{{ cycler.__init__.__globals__ }}",
                                    "{{ '{0.__class__}'.format(practice.name) }}"])
def test_check_and_build_refuse_markdown_attacks_in_one_line(tmp_path, attack):
    config = write_case(tmp_path, guidance=attack)
    for args in (["check", str(config)], ["build", str(config), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, [*args, "--today", "2026-11-27"])
        assert result.exit_code == 2, result.output
        errors = [line for line in result.output.splitlines() if "error" in line.lower()]
        assert len(errors) == 1 and "99-attack.md" in errors[0], result.output
        assert "Traceback" not in result.output
    assert (tmp_path / "logo.svg").exists() and not (tmp_path / "out").exists()


def test_build_refuses_a_template_attack_in_one_line(tmp_path):
    config = write_case(tmp_path, template="{{ practice.logo.write_text('x') }}")
    result = CliRunner().invoke(main, ["build", str(config), "-o", str(tmp_path / "out"), "--today", "2026-11-27"])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert re.match(r"Error: template base.html \(\S+/tpl/parts/cover.html:1\): unknown value: 'str object' has no "
                    r"attribute 'write_text'$", result.output), result.output
    assert (tmp_path / "logo.svg").read_text().startswith("<svg") and not (tmp_path / "out").exists()


@pytest.mark.parametrize("call, message", [
    ("('A' * 40)|sheet_code('Y01234')", "sheet_code: the serial 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' is too long for a sheet's code"),
    ("3|sheet_code(practice.ods_code)", "sheet_code takes a sheet's serial and the practice's ODS code")])
def test_packgen_s_own_filters_refuse_what_they_cannot_print_in_one_line(tmp_path, call, message):
    config = write_case(tmp_path, template="{{ %s }}" % call)
    result = CliRunner().invoke(main, ["check", str(config), "--today", "2026-11-27"])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert result.output.rstrip().endswith(message), result.output


def test_compiled_templates_are_shared_only_by_environments_of_the_same_shape():
    """A template's code is kept for the process, keyed by what Jinja's code depends on: a constant is
    folded by calling the filter while compiling, so environments whose filters differ must not share."""
    def env(shout, autoescape=True):
        made = Sandbox(autoescape=autoescape)
        made.filters["shout"] = shout
        made.guard_filters()
        return made

    text = "{{ 'Ab<' | shout }}"
    assert env(str.upper).from_string(text).render() == "AB&lt;"
    assert env(str.lower).from_string(text).render() == "ab&lt;"
    assert env(str.lower, autoescape=False).from_string(text).render() == "ab<"
    assert env(str.upper).compile(text) is env(str.upper).compile(text)  # kept, under a new guard too
    assert env(str.upper).compile(text) is not env(str.lower).compile(text)
