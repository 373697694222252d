"""One-click links for a class: Binder, Colab (one per notebook) and a JupyterHub's nbgitpuller link.

    python tools/class_links.py                         the README's links (Markdown)
    python tools/class_links.py --write-readme          put them into README.md, between its markers
    python tools/class_links.py --zh-TW [--write-readme]
                                                         the same for the zh-TW edition (zh-TW/, README.zh-TW.md)
    python tools/class_links.py --hub https://hub.example.edu [--notebook 03_backprop_by_hand.ipynb]
                                                         the nbgitpuller link for that hub

Every link is built from the repository address in pyproject.toml ([project.urls] Repository), so
a course that teaches from its own fork changes that one line and re-runs this script.
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
FIRST_NOTEBOOK = "00_welcome.ipynb"
# The folder of each edition's notebooks in the repository, and the README its links go into.
EDITIONS = {"en": ("notebooks", "README.md"), "zh_TW": ("zh-TW", "README.zh-TW.md")}


def repository():
    """('https://github.com/owner/name', 'owner/name') from pyproject.toml."""
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    owner_name = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)/?", url).group(1)
    return url.rstrip("/"), owner_name


def lessons(edition="en"):
    return sorted(p.name for p in (ROOT / EDITIONS[edition][0]).glob("*.ipynb"))


def binder_link(notebook=FIRST_NOTEBOOK, edition="en"):
    _, owner_name = repository()
    folder = EDITIONS[edition][0]
    return f"https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath=lab/tree/{folder}/{notebook}"


def colab_link(notebook, edition="en"):
    _, owner_name = repository()
    folder = EDITIONS[edition][0]
    return f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{folder}/{notebook}"


def nbgitpuller_link(hub, notebook=FIRST_NOTEBOOK, repo=None, edition="en"):
    """The link a student clicks: the hub clones the repo (or merges what is new) into their home.

    nbgitpuller names the folder after the repository's last path part; `repo` overrides the
    address (the hub test pulls from a local repository).
    """
    url = repo or repository()[0]
    folder = url.rstrip("/").split("/")[-1]
    query = urlencode({"repo": url, "branch": BRANCH,
                       "urlpath": f"lab/tree/{folder}/{EDITIONS[edition][0]}/{notebook}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


START, END = "<!-- class links: made by tools/class_links.py -->", "<!-- end of class links -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def colab_first_cell(edition="en"):
    """Clone the series and install what Colab lacks (graphviz-pure): no upgrade, so no restart.

    The last line moves the kernel into the edition's folder: a Colab kernel starts in /content,
    and a kernel inside zh-TW/ is what makes the series speak zh-TW (series_language.py), as it
    does in JupyterLab, so the zh-TW cell needs no SERIES_LANGUAGE."""
    url, owner_name = repository()
    folder = f"/content/{owner_name.split('/')[1]}"
    return "\n".join([f"!git clone --depth 1 {url} {folder}",
                      f"%pip install --quiet {folder}",
                      f"%cd {folder}/{EDITIONS[edition][0]}"])


def readme_block(edition="en"):
    if edition == "zh_TW":
        return readme_block_zh_tw()
    rows = [START, "",
            f"[![Binder]({BINDER_BADGE})]({binder_link()}) opens notebook 00 in JupyterLab on mybinder.org.",
            "", "| notebook | Colab |", "|---|---|"]
    rows += [f"| `{name}` | [![Open in Colab]({COLAB_BADGE})]({colab_link(name)}) |" for name in lessons()]
    rows += ["", "**Colab**: open a notebook with its badge, then run this cell first. It clones the series and",
             "installs what Colab lacks (graphviz-pure); the series asks only for lower bounds of numpy and",
             "matplotlib, so Colab keeps its own versions and does not ask to restart:",
             "", "```python", colab_first_cell(), "```"]
    return "\n".join(rows + ["", END])


def readme_block_zh_tw():
    edition = "zh_TW"
    rows = [START, "",
            f"[![Binder]({BINDER_BADGE})]({binder_link(edition=edition)}) 會在 mybinder.org 的 JupyterLab"
            " 裡打開繁體中文版的筆記本 00。",
            "", "| 筆記本 | Colab |", "|---|---|"]
    rows += [f"| `{name}` | [![Open in Colab]({COLAB_BADGE})]({colab_link(name, edition)}) |"
             for name in lessons(edition)]
    rows += ["", "**Colab**：用筆記本的徽章打開它，然後先執行下面這個儲存格。它會複製整個系列、安裝 Colab 缺少的"
             "套件（graphviz-pure），最後用 `%cd` 進入複本的 `zh-TW` 資料夾：Colab 的核心從 `/content` 開始執行，"
             "而核心位在 `zh-TW` 資料夾裡，正是系列判斷要說中文的依據，所以不必另外設定 `SERIES_LANGUAGE`。"
             "系列只要求 numpy 和 matplotlib 的最低版本，因此 Colab 會保留自己的版本，也不會要求重新啟動：",
             "", "```python", colab_first_cell(edition), "```"]
    return "\n".join(rows + ["", END])


def write_readme(edition="en"):
    path = ROOT / EDITIONS[edition][1]
    text = path.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    path.write_text(text[:start] + readme_block(edition) + text[end:], encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--notebook", default=FIRST_NOTEBOOK)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--zh-TW", dest="edition", action="store_const", const="zh_TW", default="en",
                        help="the zh-TW edition's links (zh-TW/ and README.zh-TW.md)")
    args = parser.parse_args(argv)
    if args.write_readme:
        write_readme(args.edition)
    elif args.hub:
        print(nbgitpuller_link(args.hub, args.notebook, edition=args.edition))
    else:
        print(readme_block(args.edition))
    return 0


if __name__ == "__main__":
    sys.exit(main())
