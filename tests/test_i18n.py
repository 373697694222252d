"""The zh-TW edition: PO files, the build, the check, Taiwan's language, and the runtime catalogue.

tools/i18n.py makes zh-TW/ from the English notebooks and i18n/zh_TW/*.po. These tests prove that
the build keeps every code token, cell id and piece of metadata; that an English edit turns its
entry fuzzy (with the previous English) and makes `check` fail; that every translated string is
Traditional Chinese as written in Taiwan (OpenCC s2tw leaves it unchanged, no mainland term of
deny.txt, glossary terms introduced with their English); and that series_language picks zh-TW with
no step from the learner.

GNU gettext (msgmerge, msgfmt, xgettext) and OpenCC (PyPI: opencc) are needed; without them these
tests skip on a developer's machine and fail in CI (CI=true), which installs both.
"""

import copy
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
if not os.environ.get("CI"):
    pytest.importorskip("polib", reason="polib (requirements-dev.txt) is not installed")
import polib  # noqa: E402
import i18n  # noqa: E402  tools/i18n.py

TRANSLATED = i18n.translated_notebooks()
ALL_ENGLISH = i18n.english_notebooks()


def _need(tool):
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (GNU gettext) is missing: .ci/run installs the gettext package")
        pytest.skip(f"{tool} (GNU gettext) is not installed")


@pytest.fixture(scope="module")
def s2tw():
    try:
        import opencc
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("OpenCC is missing: requirements-dev.txt installs opencc")
        pytest.skip("OpenCC (pip install opencc) is not installed")
    return opencc.OpenCC("s2tw").convert


def ids(paths):
    return [str(p.relative_to(i18n.SOURCE)) for p in paths]


def test_notebooks_00_and_01_are_translated():
    stems = {p.stem for p in TRANSLATED}
    assert {"00_welcome", "00_welcome_solutions", "01_derivatives_by_nudging",
            "01_derivatives_by_nudging_solutions"} <= stems


# ----------------------------------------------------------------------------------------------
# Extraction and build
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ALL_ENGLISH, ids=ids(ALL_ENGLISH))
def test_an_empty_catalogue_builds_the_english_notebook(path, tmp_path):
    """Split into units and put together again, every English notebook comes back character for
    character: extraction loses nothing (every notebook, not only the translated ones)."""
    po = tmp_path / "empty.po"
    polib.POFile().save(str(po))
    english = nbformat.read(path, as_version=4)
    built = i18n.build_notebook(path, po)
    assert [c.source for c in built.cells] == [c.source for c in english.cells]


@pytest.mark.parametrize("path", ALL_ENGLISH, ids=ids(ALL_ENGLISH))
def test_replacing_every_comment_keeps_every_code_token(path, tmp_path):
    """Every comment of every notebook replaced by Chinese, two lines for a full-line block: the
    code cells still compile and tokenize (comments aside) to exactly the English tokens."""
    nb = nbformat.read(path, as_version=4)
    po = polib.POFile()
    for ctxt, msgid, note in i18n.units(nb):
        text = "註解一\n註解二 (comment)" if "full-line" in note else "行尾註解 # 還是註解"
        po.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=text))
    po_file = tmp_path / "all.po"
    po.save(str(po_file))
    built = i18n.build_notebook(path, po_file)
    for old, new in zip(nb.cells, built.cells):
        if old.cell_type == "code":
            compile(new.source, f"{path.name}:{old.id}", "exec")
            assert i18n.code_tokens(new.source) == i18n.code_tokens(old.source), old.id
            if i18n.comment_groups(old.source):
                assert "註解" in new.source


def test_comment_groups_and_kept_comments():
    source = (i18n.FIRST_LINE + "\n# NBVAL_IGNORE_OUTPUT\n"
              "x = 1  # one\n# two, a sentence\n# that goes on\ny = '# not a comment'\n    # three\n")
    groups = [i18n.group_text(g) for g in i18n.comment_groups(source)]
    assert groups == ["one", "two, a sentence\nthat goes on", "three"]


def test_paragraphs_keep_fences_and_display_math_whole():
    text = "one\n\n$$a\n\nb$$\n\n```\nx\n\ny\n```\n\n  \nlast"
    paras, seps = i18n.paragraphs(text)
    assert paras == ["one", "$$a\n\nb$$", "```\nx\n\ny\n```", "last"]
    assert "".join(p + s for p, s in zip(paras, seps + [""])) == text


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_zh_tw_notebook_keeps_code_ids_and_metadata(path):
    english = nbformat.read(path, as_version=4)
    zh = nbformat.read(i18n.target_path(path), as_version=4)
    assert [c.get("id") for c in zh.cells] == [c.get("id") for c in english.cells]
    assert [c.cell_type for c in zh.cells] == [c.cell_type for c in english.cells]
    for old, new in zip(english.cells, zh.cells):
        assert new.metadata.get("slideshow") == old.metadata.get("slideshow"), old.id
        if old.cell_type == "code":
            assert i18n.code_tokens(new.source) == i18n.code_tokens(old.source), old.id
            if old.source.startswith(i18n.FIRST_LINE):
                assert new.source.startswith(i18n.FIRST_LINE + "\n"), "the series' first line is kept as it is"
        else:
            assert new.source != old.source or not old.source.strip(), f"{old.id} is not translated"
    strip = lambda m: {k: v for k, v in m.items() if k != "language_info"}  # noqa: E731
    assert strip(zh.metadata) == strip(english.metadata)


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_zh_tw_notebook_has_stored_outputs(path):
    """Built notebooks are regenerated (./dev regenerate zh-TW/...): every code cell ran."""
    zh = nbformat.read(i18n.target_path(path), as_version=4)
    counts = [c.execution_count for c in zh.cells if c.cell_type == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), f"run ./dev regenerate {i18n.shown(i18n.target_path(path))}"


def test_links_between_zh_tw_notebooks_resolve_like_the_english_ones():
    for path in TRANSLATED:
        for cell in nbformat.read(i18n.target_path(path), as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+\.ipynb)\)", cell.source):
                english_target = (path.parent / target)
                zh_target = (i18n.target_path(path).parent / target)
                assert english_target.exists() == zh_target.exists() or not zh_target.exists(), target
                # a link to a notebook not yet translated points at a file that does not exist yet
                assert not zh_target.exists() or english_target.exists(), target


# ----------------------------------------------------------------------------------------------
# PO files: msgmerge --previous, and the check
# ----------------------------------------------------------------------------------------------

def _pot(entries):
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = dict(i18n.HEADER, Language="")
    for ctxt, msgid in entries:
        pot.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=""))
    return pot


def test_msgmerge_turns_a_changed_entry_fuzzy_and_keeps_the_previous_english(tmp_path):
    """What polib's merge does not do (it made the changed entry obsolete): measured here."""
    _need("msgmerge")
    po_file = tmp_path / "x.po"
    po_file.write_text(i18n.new_po_text(_pot([("c1/p0", "The loss goes down."),
                                              ("c1/p1", "Gradients add up."),
                                              ("c2/p0", "This paragraph will go.")])), encoding="utf-8")
    po = polib.pofile(str(po_file))
    for e, text in zip(po, ["損失會下降。", "梯度會累加。", "這一段會被刪掉。"]):
        e.msgstr = text
    po.save(str(po_file))
    merged = polib.pofile(i18n.merged(_pot([("c1/p0", "The loss goes down quickly."),
                                            ("c1/p1", "Gradients add up."),
                                            ("c3/p0", "A new paragraph.")]), po_file))
    by = {e.msgctxt: e for e in merged if not e.obsolete}
    assert "fuzzy" in by["c1/p0"].flags
    assert by["c1/p0"].previous_msgid == "The loss goes down."
    assert by["c1/p0"].msgstr == "損失會下降。"          # kept for the translator to revise
    assert by["c1/p1"].translated() and "fuzzy" not in by["c1/p1"].flags
    assert by["c3/p0"].msgstr == "" and not by["c3/p0"].translated()
    assert [e.msgid for e in merged if e.obsolete] == ["This paragraph will go."]
    assert i18n.msgfmt_check(po_file)[0] == 0


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A copy of notebook 00 and its PO in a tree of their own, with i18n pointed at it."""
    _need("msgmerge")
    (tmp_path / "notebooks" / "solutions").mkdir(parents=True)
    (tmp_path / "i18n" / "zh_TW").mkdir(parents=True)
    english = tmp_path / "notebooks" / "00_welcome.ipynb"
    shutil.copy(i18n.SOURCE / "00_welcome.ipynb", english)
    shutil.copy(i18n.PO_DIR / "00_welcome.po", tmp_path / "i18n" / "zh_TW" / "00_welcome.po")
    monkeypatch.setattr(i18n, "SOURCE", tmp_path / "notebooks")
    monkeypatch.setattr(i18n, "TARGET", tmp_path / "zh-TW")
    monkeypatch.setattr(i18n, "PO_DIR", tmp_path / "i18n" / "zh_TW")
    monkeypatch.setattr(i18n, "RUNTIME_PO", tmp_path / "i18n" / "zh_TW" / "runtime.po")
    monkeypatch.setattr(i18n, "MO_FILE", tmp_path / "locale" / "zh_TW" / "LC_MESSAGES" / "series.mo")
    monkeypatch.setattr(i18n, "runtime_pot", lambda: None)
    assert i18n.cmd_build([]) == 0
    return english


def test_check_fails_on_an_english_edit_until_it_is_translated(sandbox, capsys):
    assert i18n.cmd_check() == 0
    nb = nbformat.read(sandbox, as_version=4)
    cell = next(c for c in nb.cells if c.id == "nb00-017")
    cell.source = cell.source.replace("They agree.", "They agree to four decimals.")
    nbformat.write(nb, sandbox)
    capsys.readouterr()
    assert i18n.cmd_check() == 1
    assert "out of date" in capsys.readouterr().err
    i18n.cmd_update([])
    po_file = i18n.po_path(sandbox)
    entry = next(e for e in polib.pofile(str(po_file)) if e.msgctxt == "nb00-017/p0")
    assert "fuzzy" in entry.flags and entry.previous_msgid.startswith("They agree.")
    capsys.readouterr()
    assert i18n.cmd_check() == 1
    err = capsys.readouterr().err
    assert "1 fuzzy (nb00-017/p0)" in err and "out of date" not in err
    # the translator revises it; the stored zh-TW notebook is then stale until build runs
    po = polib.pofile(str(po_file))
    entry = next(e for e in po if e.msgctxt == "nb00-017/p0")
    entry.msgstr = entry.msgstr.replace("兩邊一致。", "兩邊一致到小數點後四位。")
    entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgctxt = None   # what a PO editor does on "unfuzzy"
    po.save(str(po_file))
    capsys.readouterr()
    assert i18n.cmd_check() == 1
    assert "differs from what build makes" in capsys.readouterr().err
    i18n.cmd_build([])
    assert i18n.cmd_check() == 0


def test_check_fails_on_an_untranslated_entry_and_a_bad_format(sandbox, capsys):
    po_file = i18n.po_path(sandbox)
    po = polib.pofile(str(po_file))
    po[0].msgstr = ""
    po.append(polib.POEntry(msgctxt="x/p0", msgid="{n} grads", msgstr="{m} 個梯度", flags=["python-brace-format"]))
    po.save(str(po_file))
    assert i18n.cmd_check() == 1
    err = capsys.readouterr().err
    assert "1 untranslated (nb00-000/p0)" in err and "msgfmt --check fails" in err


def test_the_repository_passes_its_own_check(capsys):
    _need("msgmerge")
    assert i18n.cmd_check() == 0, capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# Taiwan's language, over every translated string
# ----------------------------------------------------------------------------------------------

STRINGS = i18n.translated_strings()


def where(po_file, ctxt):
    return f"{po_file.name} {ctxt}"


def test_there_are_translated_strings():
    assert len(STRINGS) > 150


def test_no_simplified_character(s2tw):
    """OpenCC's s2tw leaves Traditional Chinese as it is; a Simplified character would change.
    (s2twp is too aggressive to gate on: it turns 參數 into 引數 and 函數 into 函式.)"""
    bad = [f"{where(f, c)}: {s!r} -> {s2tw(s)!r}" for f, c, _, s in STRINGS if s2tw(s) != s]
    assert not bad, "\n".join(bad[:20])


def test_s2tw_catches_simplified_text(s2tw):
    assert s2tw("链式法则和数据") != "链式法则和数据"
    assert s2tw("連鎖律與參數、函數") == "連鎖律與參數、函數"


def _denied(text):
    hits = []
    for term, taiwan in i18n.deny_list():
        for m in re.finditer(re.escape(term), text):
            # an occurrence inside the Taiwan term (算法 in 演算法) is not a mainland term
            offset = taiwan.find(term)
            start = m.start() - offset
            if offset >= 0 and start >= 0 and text[start:start + len(taiwan)] == taiwan:
                continue
            hits.append(f"{term} (use {taiwan})")
    return hits


def test_no_mainland_term():
    bad = [f"{where(f, c)}: {hit}" for f, c, _, s in STRINGS for hit in _denied(s)]
    assert not bad, "\n".join(bad[:20])


def test_deny_list_catches_the_issues_terms():
    for mainland in ["鏈式法則", "多層感知機", "代碼", "優化", "數據", "默認", "批量", "遞歸", "對象", "變量",
                     "單元格", "調用", "運行", "隨機數", "內存", "軟件", "方差", "歸一化", "過擬合", "程序"]:
        assert _denied(f"這段文字用了{mainland}。"), mainland
    assert not _denied("演算法與程式碼")


def test_glossary_speaks_taiwans_words(s2tw):
    rows = i18n.glossary()
    assert len(rows) > 40 and sum(r["check"] for r in rows) >= 15
    for row in rows:
        for zh in row["zh"]:
            assert s2tw(zh) == zh, zh
            assert not _denied(zh), zh
    words = {zh for r in rows for zh in r["zh"]}
    assert {"儲存格", "程式碼", "執行", "連鎖律", "參數", "引數", "函式", "函數", "變異數"} <= words


def _prose(nb):
    """A notebook's markdown in order, headings aside: where terms are introduced."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines += [line for line in cell.source.splitlines() if not line.lstrip().startswith("#")]
    return "\n".join(lines)


def first_use_problems(text):
    rows = [r for r in i18n.glossary() if r["check"]]
    every_zh = sorted({zh for r in i18n.glossary() for zh in r["zh"]}, key=len, reverse=True)
    problems = []
    for row in rows:
        zh = row["zh"][0]
        masked = text
        for longer in every_zh:                      # 導數 inside 偏導數 is not 導數's first use
            if len(longer) > len(zh) and zh in longer:
                masked = masked.replace(longer, "□" * len(longer))
        at = masked.find(zh)
        if at < 0:
            continue
        after = masked[at + len(zh):at + len(zh) + 80]
        english = "|".join(re.escape(e) for e in row["english"])
        if not re.match(rf"[*_]*\s*[（(][^）)]*?\b(?:{english})(?:s|es)?\b", after, re.I):
            problems.append(f"{zh} first appears without ({row['english'][0]}): "
                            f"...{masked[max(0, at - 20):at + len(zh) + 20]!r}...")
    return problems


@pytest.mark.parametrize("path", TRANSLATED, ids=ids(TRANSLATED))
def test_glossary_terms_carry_their_english_where_they_first_appear(path):
    nb = nbformat.read(i18n.target_path(path), as_version=4)
    problems = first_use_problems(_prose(nb))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_first_use_rule_can_fail():
    assert first_use_problems("梯度很重要。梯度 (gradient)。")
    assert not first_use_problems("*梯度* (gradient) 很重要。偏導數 (partial derivative) 和導數 (derivatives)。")


CODE_SPAN = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
NOTEBOOK_EN = re.compile(r"\b[Nn]otebooks?\s+(\d\d)((?:\s*(?:,|and|to|-)\s*\d\d)*)")
NOTEBOOK_ZH = re.compile(r"筆記本\s*(\d\d)((?:\s*(?:、|，|和|與|到|至|-)\s*\d\d)*)")


def _notebook_numbers(pattern, text):
    return {n for m in pattern.finditer(text) for n in re.findall(r"\d\d", m.group(0))}


@pytest.mark.parametrize("check", ["code spans", "links", "notebook numbers"])
def test_translations_keep_code_links_and_notebook_references(check):
    """Code identifiers stay as they are; links point where the English ones do; a "notebook NN"
    reference names the same notebook (筆記本 NN), so the vocabulary test's promise carries over."""
    bad = []
    for po_file, ctxt, msgid, msgstr in STRINGS:
        if po_file == i18n.RUNTIME_PO:
            continue
        if check == "code spans" and "/p" in ctxt:
            missing = set(CODE_SPAN.findall(msgid)) - set(CODE_SPAN.findall(msgstr))
            if missing:
                bad.append(f"{where(po_file, ctxt)}: code spans {sorted(missing)} are missing")
        if check == "links" and LINK.findall(msgid) != LINK.findall(msgstr):
            bad.append(f"{where(po_file, ctxt)}: links {LINK.findall(msgstr)} != {LINK.findall(msgid)}")
        if check == "notebook numbers" and \
                _notebook_numbers(NOTEBOOK_EN, msgid) != _notebook_numbers(NOTEBOOK_ZH, msgstr):
            bad.append(f"{where(po_file, ctxt)}: notebooks {sorted(_notebook_numbers(NOTEBOOK_ZH, msgstr))} "
                       f"!= {sorted(_notebook_numbers(NOTEBOOK_EN, msgid))}")
    assert not bad, "\n".join(bad[:20])


def test_comments_after_code_stay_on_one_line():
    bad = [where(f, c) for f, c, i, s in STRINGS if "/c" in (c or "") and "\n" in s and "\n" not in i
           and f != i18n.RUNTIME_PO]
    assert not bad


def test_cjk_paragraphs_have_no_hard_line_breaks():
    """A line break between two Chinese characters shows as a space in rendered markdown."""
    bad = [where(f, c) for f, c, _, s in STRINGS if "/p" in (c or "")
           and re.search(r"[\u4e00-\u9fff，。：；、）]\n[\u4e00-\u9fff（]", s)]
    assert not bad, bad


# ----------------------------------------------------------------------------------------------
# Runtime text: series_language, the catalogue
# ----------------------------------------------------------------------------------------------

import series_language  # noqa: E402


@pytest.fixture
def detect(monkeypatch):
    monkeypatch.delenv("SERIES_LANGUAGE", raising=False)
    monkeypatch.setattr(series_language, "_forced", None)
    return monkeypatch


def test_language_follows_the_notebooks_folder(detect, tmp_path):
    (tmp_path / "zh-TW" / "solutions").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    detect.chdir(tmp_path / "notebooks")
    assert series_language.language() == "en"
    detect.chdir(tmp_path / "zh-TW")
    assert series_language.language() == "zh_TW"
    detect.chdir(tmp_path / "zh-TW" / "solutions")
    assert series_language.language() == "zh_TW"


def test_language_from_the_environment_and_set_language(detect, tmp_path):
    detect.chdir(tmp_path)
    for spelling in ("zh_TW", "zh-TW", "zh"):
        detect.setenv("SERIES_LANGUAGE", spelling)
        assert series_language.language() == "zh_TW"
    detect.setenv("SERIES_LANGUAGE", "en")
    assert series_language.language() == "en"
    detect.setenv("SERIES_LANGUAGE", "klingon")
    assert series_language.language() == "en"
    assert series_language.set_language("zh-TW") == "en"
    assert series_language.language() == "zh_TW"
    series_language.set_language(None)
    with pytest.raises(ValueError):
        series_language.set_language("fr")


def _runtime_entries():
    if not i18n.RUNTIME_PO.exists():
        pytest.skip("no runtime.po yet")
    return polib.pofile(str(i18n.RUNTIME_PO)).translated_entries()


def test_gettext_speaks_zh_tw_in_zh_tw_and_english_elsewhere(detect):
    entries = _runtime_entries()
    entry = entries[0]
    detect.setenv("SERIES_LANGUAGE", "zh_TW")
    assert series_language._(entry.msgid) == entry.msgstr
    assert series_language._("a message nobody translated") == "a message nobody translated"
    assert series_language._("") == ""          # not the catalogue's header
    detect.setenv("SERIES_LANGUAGE", "en")
    assert series_language._(entry.msgid) == entry.msgid


def test_a_kernel_started_in_zh_tw_speaks_zh_tw():
    """What Jupyter does: a fresh Python whose working directory is zh-TW/ (the first line puts the
    checkout on sys.path), without SERIES_LANGUAGE."""
    entry = _runtime_entries()[0]
    env = {k: v for k, v in os.environ.items() if k != "SERIES_LANGUAGE"}
    code = ('import sys; sys.path[:0] = ["..", "../.."]\n'
            'import series_language\n'
            f'print(series_language.language()); print(series_language._({entry.msgid!r}))\n')
    for folder, lang, text in [(ROOT / "zh-TW" / "solutions", "zh_TW", entry.msgstr),
                               (ROOT / "notebooks", "en", entry.msgid)]:
        out = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True,
                             text=True, encoding="utf-8", check=True).stdout
        assert out == f"{lang}\n{text}\n"


def test_runtime_placeholders_match():
    """A translated message keeps the English's {placeholders} (msgfmt --check does the same for
    entries flagged python-brace-format; this covers every entry)."""
    bad = [e.msgid for e in _runtime_entries()
           if sorted(re.findall(r"{[^{}]*}", e.msgid)) != sorted(re.findall(r"{[^{}]*}", e.msgstr))]
    assert not bad, bad


def test_the_mo_file_is_the_compiled_po():
    entries = _runtime_entries()
    assert i18n.MO_FILE.exists()
    assert i18n.catalogue(entries) == i18n.catalogue(polib.mofile(str(i18n.MO_FILE)))


def test_ascii_console_fallback_keeps_chinese_readable():
    """series_checks prints ASCII markers on a console that cannot print emoji; Chinese must come
    out escaped, never as '?'."""
    import series_checks
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    text = series_checks._asciify("練習 1：正確。 × → ≈", stream)
    assert "?" not in text and "\\u7df4" in text and "x -> ~" in text


def _functions_that_shadow_gettext(source):
    """Functions that call _() and also bind the name `_` in their own scope (`x, _ = ...`, `for _ in`):
    there `_` is a local variable, and _("...") fails with UnboundLocalError or calls a tuple."""
    import ast

    def own_scope(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                                  ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            yield child
            yield from own_scope(child)

    bad = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                    for n in ast.walk(fn))
        binds = any((isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store))
                    or (isinstance(n, ast.arg) and n.arg == "_")
                    or (isinstance(n, ast.ExceptHandler) and n.name == "_")
                    or (isinstance(n, ast.alias) and (n.asname or n.name) == "_")
                    for n in own_scope(fn)) or any(a.arg == "_" for a in fn.args.args)
        if calls and binds:
            bad.append(f"{fn.name} (line {fn.lineno})")
    return bad


def test_no_function_shadows_gettext():
    files = sorted(p for pattern in i18n.RUNTIME_SOURCES for p in ROOT.glob(pattern))
    bad = [f"{p.relative_to(ROOT)}: {name}" for p in files
           for name in _functions_that_shadow_gettext(p.read_text(encoding="utf-8"))]
    assert not bad, "rename the throwaway `_` (e.g. `_unused`) in:\n" + "\n".join(bad)


def test_shadowing_is_found():
    assert _functions_that_shadow_gettext("def f():\n    L, _ = g()\n    return _('x')\n")
    assert _functions_that_shadow_gettext("def f():\n    for _ in range(3):\n        pass\n    return _('x')\n")
    assert not _functions_that_shadow_gettext("def f():\n    xs = [1 for _ in range(3)]\n    return _('x')\n")
