"""Make fonts/NotoSansTC-{Regular,Bold}-subset.ttf: Noto Sans TC cut down to what viz's pictures say.

    python tools/subset_font.py FOLDER     # FOLDER: the unpacked npm package @expo-google-fonts/noto-sans-tc
    python tools/subset_font.py --check    # exit 1 if a picture string needs a character the subset lacks

The characters are printable ASCII plus every character of the zh-TW translations of viz's own
strings (i18n/zh_TW/runtime.po entries whose source is viz.py): the legends, the stepper's card and
titles, the player's words and the plot labels viz writes. Everything else the zh-TW edition shows
is Markdown or code output, which the browser draws with the reader's own fonts.

Where the full font comes from (not kept in the repository: 7 MB per weight), measured 2026-12-06:
    npm pack @expo-google-fonts/noto-sans-tc@0.4.3    (sha1 1731f33484d429c08e9c32a5529223aae1c60faf)
    -> package/400Regular/NotoSansTC_400Regular.ttf and package/700Bold/NotoSansTC_700Bold.ttf
Its licence (SIL Open Font License 1.1) is fonts/OFL.txt. `./dev i18n check` runs --check.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import picture_fonts  # noqa: E402

RUNTIME_PO = ROOT / "i18n" / "zh_TW" / "runtime.po"
SOURCES = {False: "400Regular/NotoSansTC_400Regular.ttf", True: "700Bold/NotoSansTC_700Bold.ttf"}
PICTURE_SOURCES = ("viz.py",)   # the files whose translated strings can end up inside a picture


def picture_strings():
    """The msgid and msgstr of every runtime entry that viz can draw into a picture."""
    import polib
    found = []
    for entry in polib.pofile(str(RUNTIME_PO)):
        if entry.obsolete or not any(path in PICTURE_SOURCES for path, _ in entry.occurrences):
            continue
        found += [entry.msgid, entry.msgstr]
    return found


def characters():
    """Every character the subset must hold, in code-point order."""
    wanted = {chr(c) for c in range(0x20, 0x7F)}
    for text in picture_strings():
        wanted.update(ch for ch in text if ch not in "\n\t")
    return "".join(sorted(wanted))


def missing(font_path, chars):
    """The characters of `chars` that the font at font_path has no glyph for."""
    from fontTools.ttLib import TTFont
    cmap = TTFont(str(font_path))["cmap"].getBestCmap()
    return [ch for ch in chars if ord(ch) not in cmap]


def make(folder):
    from fontTools import subset
    chars = characters()
    picture_fonts.FONT_DIR.mkdir(exist_ok=True)
    for bold, relative in SOURCES.items():
        source = Path(folder) / relative
        options = subset.Options()
        options.layout_features = ["kern", "liga", "locl", "vert", "palt"]
        options.name_IDs = ["*"]       # keep the family name (matplotlib finds the font by it) and the licence
        options.notdef_outline = True  # a character not in the subset shows a visible box, not nothing
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        font.recalcTimestamp = False   # the source's date, not today's: the same input makes the same bytes
        target = picture_fonts.FONT_FILES[bold]
        subset.save_font(font, str(target), options)
        print(f"wrote {target.relative_to(ROOT)}: {len(chars)} characters, {target.stat().st_size:,} bytes")


def check():
    """The problems a reader would see: characters of picture strings that the subset cannot draw."""
    chars = characters()
    problems = []
    for path in picture_fonts.FONT_FILES.values():
        if not path.is_file():
            problems.append(f"{path.relative_to(ROOT)} is missing")
            continue
        lacking = missing(path, chars)
        if lacking:
            problems.append(f"{path.relative_to(ROOT)} lacks {''.join(lacking)!r}: a translation of viz's text "
                            f"uses them. Run: python tools/subset_font.py FOLDER (see its docstring).")
    return problems


def main(argv):
    if argv == ["--check"]:
        problems = check()
        print("\n".join(problems) or "fonts: the subset holds every character viz's zh-TW text uses")
        return 1 if problems else 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    make(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
