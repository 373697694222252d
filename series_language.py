"""Which language the series speaks in this kernel, and the translation of what it prints.

    from series_language import _
    print(_("{exercise}: correct.").format(exercise=label))

`language()` is "zh_TW" or "en" (the default), decided with no step for the learner:
1. SERIES_LANGUAGE in the environment, if set ("zh_TW", "zh-TW", "zh" or "en");
2. otherwise "zh_TW" when the kernel's working directory lies inside a folder named `zh-TW`
   (Jupyter starts a kernel in its notebook's folder: zh-TW/ for a lesson, zh-TW/solutions/ for a
   solution; so do nbval, VS Code and ./dev regenerate);
3. otherwise "en".
It is decided again at every call (it costs a getcwd), so a test or a learner may change it at any
time; `set_language()` overrides both for this process (Colab: see README.zh-TW.md).

`_()` / `gettext()` translate with the standard library's gettext and the catalogue compiled from
i18n/zh_TW/runtime.po to locale/zh_TW/LC_MESSAGES/series.mo. A message without a translation, or a
missing catalogue, gives the English unchanged: English is never worse off. Engine exceptions stay
English, as Python's own do; only the series' own words (checker verdicts and hints, viz's cards,
legends and buttons) are marked with _().
"""

import gettext as _gettext
import os
from pathlib import Path

__all__ = ["language", "set_language", "gettext", "ngettext", "pgettext", "_", "N_", "LANGUAGES", "DOMAIN",
           "LOCALE_DIR"]

LANGUAGES = ("en", "zh_TW")
DOMAIN = "series"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
FOLDER = "zh-TW"   # the folder of the zh-TW notebooks, at the repository's root
_SPELLINGS = {"en": "en", "en_us": "en", "en_gb": "en", "c": "en",
              "zh_tw": "zh_TW", "zh-tw": "zh_TW", "zh": "zh_TW", "zh_hant": "zh_TW", "zh-hant": "zh_TW"}

_forced = None
_catalogues = {}


def _normalise(name):
    return _SPELLINGS.get(str(name).strip().lower())


def set_language(name):
    """Speak `name` ("zh_TW", "zh-TW", "en") in this process from now on; None goes back to detection.
    Returns the language in force before."""
    global _forced
    before = language()
    if name is None:
        _forced = None
    else:
        lang = _normalise(name)
        if lang is None:
            raise ValueError(f"unknown language {name!r}: use one of {', '.join(LANGUAGES)}")
        _forced = lang
    return before


def language():
    """"zh_TW" or "en": see the module's docstring for how it is decided."""
    if _forced is not None:
        return _forced
    wanted = os.environ.get("SERIES_LANGUAGE", "")
    if wanted:
        return _normalise(wanted) or "en"
    try:
        parts = Path.cwd().parts
    except OSError:   # the working directory was removed
        return "en"
    return "zh_TW" if FOLDER in parts else "en"


def translation(lang=None):
    """The gettext translation object for `lang` (default: language()); NullTranslations for English."""
    lang = lang or language()
    if lang not in _catalogues:
        if lang == "en":
            _catalogues[lang] = _gettext.NullTranslations()
        else:
            _catalogues[lang] = _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang],
                                                     fallback=True)
    return _catalogues[lang]


def gettext(message):
    """The message in the notebook's language. An empty message stays empty (gettext would answer
    "" with the catalogue's header), and so does anything that is not text."""
    if not message or not isinstance(message, str):
        return message
    return translation().gettext(message)


def ngettext(singular, plural, n):
    return translation().ngettext(singular, plural, n)


def pgettext(context, message):
    return translation().pgettext(context, message)


_ = gettext


def N_(message):
    """Mark a message for the catalogue without translating it yet: for a module-level constant,
    translated with _() where it is used (so the language is the one in force then)."""
    return message
