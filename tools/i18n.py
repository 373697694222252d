"""The zh-TW edition: PO files from the English notebooks, zh-TW notebooks from the PO files.

    python tools/i18n.py update [NAMES]  extract the English text into a POT and merge it into
                                         i18n/zh_TW/<stem>.po with `msgmerge --previous` (a changed
                                         English entry turns fuzzy and keeps its previous msgid);
                                         also the runtime catalogue (i18n/zh_TW/runtime.po, from the
                                         strings viz and series_checks mark with _()), and its .mo
    python tools/i18n.py update --new NAMES   start the PO of notebooks that have none yet
    python tools/i18n.py build [NAMES]   write zh-TW/ from the English notebooks and the PO files
    python tools/i18n.py check           exit 1 if anything above is out of date, untranslated or fuzzy,
                                         or if fonts/ lacks a character viz's zh-TW text needs
                                         (tools/subset_font.py remakes the subset)

NAMES are notebook stems or paths (00_welcome, notebooks/solutions/00_welcome_solutions.ipynb);
without them, every notebook that has a PO file. The English notebooks are the source:

- a markdown cell gives one entry per paragraph (blank-line separated; a ``` fence or a $$ block is
  never split), msgctxt "<cell id>/p<N>";
- a code cell gives one entry per comment: a trailing comment, or a block of full-line comments on
  consecutive lines (one sentence may span them), msgctxt "<cell id>/c<N>". Code tokens, docstrings
  and strings stay English, so every zh-TW code cell runs exactly the English code. The series'
  first line and nbval / linter markers (# NBVAL_..., # noqa) are kept as they are.

zh-TW/ mirrors notebooks/ (zh-TW/NN_x.ipynb, zh-TW/solutions/NN_x_solutions.ipynb), so the first
line's sys.path finds the checkout and links between notebooks keep working. Cell ids and all
metadata are kept; outputs are made by `./dev regenerate zh-TW/...` like every notebook's (build
keeps a cell's stored outputs only while its source is unchanged).

Needs polib (requirements-dev.txt) and GNU gettext's msgmerge, msgfmt and xgettext on the PATH.
"""

import argparse
import copy
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

import nbformat
import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks"
TARGET = ROOT / "zh-TW"
LANG = "zh_TW"
PO_DIR = ROOT / "i18n" / LANG
RUNTIME_PO = PO_DIR / "runtime.po"
MO_FILE = ROOT / "locale" / LANG / "LC_MESSAGES" / "series.mo"
# The files whose _("...") strings make the runtime catalogue (engine exceptions stay English).
RUNTIME_SOURCES = ["viz.py", "series_language.py", "series_checks/*.py"]

sys.path.insert(0, str(ROOT / "tools"))
from apply_first_line import FIRST_LINE  # noqa: E402  the series' first line: kept as it is

# Comments that are instructions to tools, not prose: kept as they are.
TOOL_COMMENT = re.compile(r"#\s*(?:NBVAL_\w+|noqa\b|type:|pragma\b|fmt:)")
# Cell metadata that execution adds (tools/regenerate.py drops it too).
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")
HEADER = {
    "Project-Id-Version": "micrograd-series",
    "Language": LANG,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def shown(path):
    path = Path(path)
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


# ----------------------------------------------------------------------------------------------
# Which notebooks
# ----------------------------------------------------------------------------------------------

def english_notebooks():
    found = sorted(SOURCE.glob("*.ipynb")) + sorted((SOURCE / "solutions").glob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def po_path(notebook):
    return PO_DIR / f"{Path(notebook).stem}.po"


def target_path(notebook):
    return TARGET / Path(notebook).relative_to(SOURCE)


def translated_notebooks():
    """The English notebooks that have a PO file."""
    return [p for p in english_notebooks() if po_path(p).exists()]


def resolve(names):
    """English notebook paths from stems or paths (an English path, a zh-TW path or a PO path)."""
    by_stem = {p.stem: p for p in english_notebooks()}
    out = []
    for name in names:
        stem = Path(name).stem
        if stem not in by_stem:
            raise SystemExit(f"i18n: no English notebook called {name!r} (looked for {stem}.ipynb in notebooks/)")
        out.append(by_stem[stem])
    return out


# ----------------------------------------------------------------------------------------------
# Extraction: paragraphs of markdown, comments of code
# ----------------------------------------------------------------------------------------------

def _open_block(text):
    """True while a fenced code block or a $$ display block is still open at the end of text."""
    return text.count("```") % 2 == 1 or text.count("$$") % 2 == 1


def paragraphs(text):
    """(paragraphs, separators): text == p0 + s0 + p1 + s1 + ... + pn."""
    pieces = re.split(r"(\n(?:[ \t]*\n)+)", text)
    paras, seps, current = [], [], pieces[0]
    for i in range(1, len(pieces), 2):
        sep, following = pieces[i], pieces[i + 1]
        if _open_block(current):
            current += sep + following
        else:
            paras.append(current)
            seps.append(sep)
            current = following
    paras.append(current)
    return paras, seps


def _strip_hash(comment):
    """The words of a comment token: '#' and one space after it removed."""
    body = comment[1:]
    return body[1:] if body.startswith(" ") else body


def comment_groups(source):
    """The translatable comments of a code cell, in order: a list of groups, each a list of
    (row, col, token text). A group is a trailing comment, or full-line comments at the same column
    on consecutive lines."""
    lines = source.splitlines()
    groups = []
    previous = None  # (row, col) of the last full-line comment, if it may continue
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        (row, col), text = tok.start, tok.string
        if row == 1 and lines and lines[0] == FIRST_LINE:
            previous = None
            continue
        if TOOL_COMMENT.match(text):
            previous = None
            continue
        full_line = lines[row - 1][:col].strip() == ""
        if full_line and previous and previous == (row - 1, col):
            groups[-1].append((row, col, text))
        else:
            groups.append([(row, col, text)])
        previous = (row, col) if full_line else None
    return groups


def group_text(group):
    return "\n".join(_strip_hash(text) for _, _, text in group)


def is_full_line(source, group):
    row, col, _ = group[0]
    return source.splitlines()[row - 1][:col].strip() == ""


def units(nb):
    """Every translatable unit of a notebook, in order: (msgctxt, msgid, note)."""
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            paras, _ = paragraphs(cell.source)
            for i, para in enumerate(paras):
                if para.strip():
                    out.append((f"{cell.id}/p{i}", para, f"markdown cell {index}, paragraph {i}"))
        elif cell.cell_type == "code":
            for i, group in enumerate(comment_groups(cell.source)):
                if is_full_line(cell.source, group):
                    note = f"code cell {index}, comment {i}: full-line comment, may take several lines"
                else:
                    note = f"code cell {index}, comment {i}: after code, keep it on one line"
                out.append((f"{cell.id}/c{i}", group_text(group), note))
    return out


def pot_for(notebook):
    nb = nbformat.read(notebook, as_version=4)
    pot = polib.POFile(wrapwidth=0)
    pot.metadata = dict(HEADER, Language="")
    for ctxt, msgid, note in units(nb):
        pot.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr="", comment=note,
                                 occurrences=[(str(shown(notebook)), ctxt.split("/")[0])]))
    return pot


# ----------------------------------------------------------------------------------------------
# gettext tools
# ----------------------------------------------------------------------------------------------

def _tool(name):
    path = shutil.which(name)
    if not path:
        raise SystemExit(f"i18n: {name} is not on the PATH: install GNU gettext (apt install gettext, "
                         f"brew install gettext)")
    return path


def _run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def merged(pot, po_file):
    """The text `msgmerge --previous` makes of an existing PO file and a POT (polib object)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot_file = Path(tmp) / "ref.pot"
        pot.save(str(pot_file))
        out = Path(tmp) / "out.po"
        code, said = _run([_tool("msgmerge"), "--quiet", "--previous", "--no-wrap", "--lang", LANG,
                           "-o", str(out), str(po_file), str(pot_file)])
        if code:
            raise SystemExit(f"i18n: msgmerge failed on {shown(po_file)}:\n{said}")
        return out.read_text(encoding="utf-8")


def new_po_text(pot):
    """A fresh PO (nothing translated) from a POT, in the form msgmerge writes."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.po"
        po = polib.POFile(wrapwidth=0)
        po.metadata = dict(HEADER)
        po.save(str(empty))
        return merged(pot, empty)


def msgfmt_check(po_file):
    with tempfile.TemporaryDirectory() as tmp:
        return _run([_tool("msgfmt"), "--check", "-o", str(Path(tmp) / "x.mo"), str(po_file)])


def runtime_pot():
    """The POT of the runtime strings (xgettext over RUNTIME_SOURCES), or None if none is marked."""
    files = sorted(str(p.relative_to(ROOT)) for pattern in RUNTIME_SOURCES for p in ROOT.glob(pattern))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "runtime.pot"
        code, said = _run([_tool("xgettext"), "--language=Python", "--from-code=UTF-8", "--no-wrap",
                           "--sort-by-file", "--add-location=file", "--add-comments=TRANSLATORS:", "--keyword=_", "--keyword=N_", "--keyword=gettext",
                           "--keyword=ngettext:1,2", "--keyword=pgettext:1c,2", "--directory", str(ROOT),
                           "--package-name=micrograd-series", "-o", str(out), *files])
        if code:
            raise SystemExit(f"i18n: xgettext failed:\n{said}")
        if not out.exists():
            return None
        pot = polib.pofile(str(out), wrapwidth=0)
        pot.metadata.pop("POT-Creation-Date", None)   # a date would make every update a change
        return pot if len(pot) else None


def compile_mo(po_file=RUNTIME_PO, mo_file=MO_FILE):
    mo_file.parent.mkdir(parents=True, exist_ok=True)
    polib.pofile(str(po_file)).save_as_mofile(str(mo_file))


def catalogue(entries):
    """{(msgctxt, msgid): msgstr} of the entries a .mo holds (translated, not fuzzy, not obsolete)."""
    return {(e.msgctxt, e.msgid): e.msgstr for e in entries if e.msgid and e.msgstr}


# ----------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------

def translations(po_file):
    """{msgctxt: msgstr} of the translated, non-fuzzy entries of a PO file."""
    po = polib.pofile(str(po_file))
    return {e.msgctxt: e.msgstr for e in po.translated_entries()}


def translate_markdown(cell, done):
    paras, seps = paragraphs(cell.source)
    out = []
    for i, para in enumerate(paras):
        out.append(done.get(f"{cell.id}/p{i}", para) if para.strip() else para)
        if i < len(seps):
            out.append(seps[i])
    return "".join(out)


def translate_code(cell, done):
    """The cell's source with its comments replaced; every other character is kept."""
    source = cell.source
    lines = source.splitlines(keepends=True)
    groups = comment_groups(source)
    for i in reversed(range(len(groups))):
        text = done.get(f"{cell.id}/c{i}")
        if text is None:
            continue
        group = groups[i]
        row, col, first = group[0]
        hash_ = "# " if first.startswith("# ") or len(first) == 1 else "#"
        if is_full_line(source, group):
            indent = lines[row - 1][:col]
            ending = "\n" if lines[group[-1][0] - 1].endswith("\n") else ""
            new = [indent + (hash_ + line if line else "#") for line in text.split("\n")]
            lines[row - 1:group[-1][0]] = ["\n".join(new) + ending]
        else:
            line = lines[row - 1]
            ending = line[len(line.rstrip("\r\n")):]
            lines[row - 1] = line[:col] + hash_ + text.replace("\n", " ") + ending
    return "".join(lines)


def build_notebook(english, po_file, previous=None):
    """The zh-TW notebook: the English one with its text translated; outputs kept from `previous`
    (the stored zh-TW notebook) only for code cells whose source is unchanged."""
    nb = nbformat.read(english, as_version=4)
    done = translations(po_file)
    kept = {}
    if previous is not None:
        kept = {c.id: c for c in previous.cells if c.cell_type == "code"}
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell, done)
        elif cell.cell_type == "code":
            cell.source = translate_code(cell, done)
            old = kept.get(cell.id)
            if old is not None and old.source == cell.source:
                cell.outputs, cell.execution_count = old.outputs, old.execution_count
            else:
                cell.outputs, cell.execution_count = [], None
    if previous is not None and "language_info" in previous.metadata:
        nb.metadata["language_info"] = previous.metadata["language_info"]
    return nb


def comparable(nb):
    """What build decides, as JSON: cells (type, id, source, metadata) and the notebook's metadata,
    without outputs, execution counts and what the kernel writes (language_info)."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        meta = {k: v for k, v in cell.metadata.items() if k not in VOLATILE_CELL_METADATA}
        cells.append({"type": cell.cell_type, "id": cell.get("id"), "source": cell.source, "metadata": meta})
    meta = {k: v for k, v in nb.metadata.items() if k != "language_info"}
    return json.dumps({"cells": cells, "metadata": meta}, sort_keys=True, ensure_ascii=False, indent=1)


def code_tokens(source):
    """The tokens of a code cell, comments and line breaks aside: what must stay identical."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in skip]


# ----------------------------------------------------------------------------------------------
# The glossary and the deny-list (tests/test_i18n.py checks every translated string with them)
# ----------------------------------------------------------------------------------------------

GLOSSARY = PO_DIR / "glossary.md"
DENY = PO_DIR / "deny.txt"


def glossary():
    """The glossary's rows: dicts with english (a list of spellings), zh (a list), note, check (bool)."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("English", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append({"english": [e.strip() for e in cells[0].split(" / ")],
                     "zh": [z.strip() for z in cells[1].split(" / ")],
                     "note": cells[2], "check": cells[3] == "first use"})
    return rows


def deny_list():
    """[(mainland term, Taiwan term)] from deny.txt."""
    pairs = []
    for line in DENY.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            term, _, taiwan = (part.strip() for part in line.partition("->"))
            pairs.append((term, taiwan))
    return pairs


def translated_strings():
    """(PO file, msgctxt, msgid, msgstr) of every translated entry of every PO file, runtime.po included."""
    out = []
    for po_file in sorted(PO_DIR.glob("*.po")):
        for e in polib.pofile(str(po_file)).translated_entries():
            out.append((po_file, e.msgctxt, e.msgid, e.msgstr))
    return out


# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------

def cmd_update(names, new=False):
    PO_DIR.mkdir(parents=True, exist_ok=True)
    notebooks = resolve(names) if names else translated_notebooks()
    for notebook in notebooks:
        po_file = po_path(notebook)
        pot = pot_for(notebook)
        if po_file.exists():
            text = merged(pot, po_file)
            verb = "updated"
        elif new:
            text = new_po_text(pot)
            verb = "created"
        else:
            print(f"skipped {shown(notebook)}: no {shown(po_file)} yet (start it with: update --new {notebook.stem})")
            continue
        changed = not po_file.exists() or po_file.read_text(encoding="utf-8") != text
        po_file.write_text(text, encoding="utf-8")
        po = polib.pofile(text)
        print(f"{verb if changed else 'same   '} {shown(po_file)}: {len(po.translated_entries())} translated, "
              f"{len(po.fuzzy_entries())} fuzzy, {len(po.untranslated_entries())} untranslated")
    if names:
        return 0
    pot = runtime_pot()
    if pot is None:
        print(f"same    {shown(RUNTIME_PO)}: no source marks a string with _() yet")
    elif RUNTIME_PO.exists():
        text = merged(pot, RUNTIME_PO)
        changed = RUNTIME_PO.read_text(encoding="utf-8") != text
        RUNTIME_PO.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'same   '} {shown(RUNTIME_PO)} from {', '.join(RUNTIME_SOURCES)}")
    else:
        RUNTIME_PO.write_text(new_po_text(pot), encoding="utf-8")
        print(f"created {shown(RUNTIME_PO)}")
    if RUNTIME_PO.exists():
        before = MO_FILE.read_bytes() if MO_FILE.exists() else None
        compile_mo()
        print(f"{'same   ' if MO_FILE.read_bytes() == before else 'wrote  '} {shown(MO_FILE)}")
    return 0


def cmd_build(names):
    notebooks = resolve(names) if names else translated_notebooks()
    for notebook in notebooks:
        po_file = po_path(notebook)
        if not po_file.exists():
            print(f"skipped {shown(notebook)}: no {shown(po_file)}")
            continue
        target = target_path(notebook)
        previous = nbformat.read(target, as_version=4) if target.exists() else None
        nb = build_notebook(notebook, po_file, previous)
        same = previous is not None and comparable(previous) == comparable(nb)
        if not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
        print(f"{'same   ' if same else 'wrote  '} {shown(target)}")
    return 0


def entry_problems(po_file, pot=None):
    """What is wrong with one PO file: out of date, untranslated, fuzzy, msgfmt --check."""
    problems = []
    po = polib.pofile(str(po_file))
    if pot is not None:
        wanted = {(e.msgctxt, e.msgid) for e in pot}
        have = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
        if wanted != have:
            problems.append(f"{shown(po_file)} is out of date with its English source "
                            f"({len(wanted - have)} new or changed, {len(have - wanted)} gone): "
                            f"run python tools/i18n.py update, then translate the fuzzy entries")
    for label, entries in (("untranslated", po.untranslated_entries()), ("fuzzy", po.fuzzy_entries())):
        if entries:
            where = ", ".join(e.msgctxt or repr(e.msgid[:30]) for e in entries[:8])
            more = f" and {len(entries) - 8} more" if len(entries) > 8 else ""
            problems.append(f"{shown(po_file)}: {len(entries)} {label} ({where}{more})")
    for e in po.translated_entries():
        if e.msgctxt and "/c" in e.msgctxt and "\n" in e.msgstr and "\n" not in e.msgid and \
                "after code" in (e.comment or ""):
            problems.append(f"{shown(po_file)} {e.msgctxt}: a comment after code must stay on one line")
    code, said = msgfmt_check(po_file)
    if code:
        problems.append(f"{shown(po_file)}: msgfmt --check fails:\n{said}")
    return problems


def cmd_check():
    problems = []
    notebooks = translated_notebooks()
    for notebook in notebooks:
        po_file = po_path(notebook)
        problems += entry_problems(po_file, pot_for(notebook))
        target = target_path(notebook)
        if not target.exists():
            problems.append(f"{shown(target)} is missing: run python tools/i18n.py build")
            continue
        stored = nbformat.read(target, as_version=4)
        if comparable(stored) != comparable(build_notebook(notebook, po_file)):
            problems.append(f"{shown(target)} differs from what build makes of {shown(notebook)} and "
                            f"{shown(po_file)}: run python tools/i18n.py build (then ./dev regenerate it)")
    english = {p.stem for p in english_notebooks()}
    for po_file in sorted(PO_DIR.glob("*.po")):
        if po_file != RUNTIME_PO and po_file.stem not in english:
            problems.append(f"{shown(po_file)} has no English notebook notebooks/**/{po_file.stem}.ipynb")
    for target in sorted(TARGET.rglob("*.ipynb")) if TARGET.exists() else []:
        if ".ipynb_checkpoints" in target.parts:
            continue
        if not po_path(target).exists():
            problems.append(f"{shown(target)} has no {shown(po_path(target))}")
    # The runtime catalogue: its PO, and the .mo the kernel reads.
    if RUNTIME_PO.exists():
        problems += entry_problems(RUNTIME_PO, runtime_pot())
        if not MO_FILE.exists():
            problems.append(f"{shown(MO_FILE)} is missing: run python tools/i18n.py update")
        else:
            if catalogue(polib.pofile(str(RUNTIME_PO)).translated_entries()) != \
                    catalogue(polib.mofile(str(MO_FILE))):
                problems.append(f"{shown(MO_FILE)} does not match {shown(RUNTIME_PO)}: run python tools/i18n.py update")
    elif runtime_pot() is not None:
        problems.append(f"{shown(RUNTIME_PO)} is missing while sources mark strings: run python tools/i18n.py update")
    # The font the pictures paint Chinese with must hold every character viz's translations use.
    import subset_font
    problems += subset_font.check()
    waiting = [p.relative_to(SOURCE) for p in english_notebooks() if not po_path(p).exists()]
    print(f"zh-TW: {len(notebooks)} notebook(s) translated; {len(waiting)} without a PO file yet"
          + (": " + ", ".join(str(p) for p in waiting) if waiting else ""))
    if problems:
        print("\n".join(f"- {p}" for p in problems), file=sys.stderr)
        print(f"i18n check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("i18n check: every PO is up to date, translated and valid; zh-TW/ is what build makes")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["update", "build", "check"])
    parser.add_argument("names", nargs="*", help="notebook stems or paths (default: every notebook with a PO)")
    parser.add_argument("--new", action="store_true", help="update: start a PO for named notebooks that have none")
    args = parser.parse_intermixed_args(argv)
    if args.command == "update":
        return cmd_update(args.names, new=args.new)
    if args.command == "build":
        return cmd_build(args.names)
    if args.names:
        parser.error("check takes no names: it checks everything")
    return cmd_check()


if __name__ == "__main__":
    sys.exit(main())
