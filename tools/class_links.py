"""One-click links for a class: Binder, Colab (one per notebook) and a JupyterHub's nbgitpuller link.

    python tools/class_links.py                         the README's links (Markdown)
    python tools/class_links.py --write-readme          put them into README.md, between its markers
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


def repository():
    """('https://github.com/owner/name', 'owner/name') from pyproject.toml."""
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    owner_name = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)/?", url).group(1)
    return url.rstrip("/"), owner_name


def lessons():
    return sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def binder_link(notebook=FIRST_NOTEBOOK):
    _, owner_name = repository()
    return f"https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath=lab/tree/notebooks/{notebook}"


def colab_link(notebook):
    _, owner_name = repository()
    return f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/notebooks/{notebook}"


def nbgitpuller_link(hub, notebook=FIRST_NOTEBOOK, repo=None):
    """The link a student clicks: the hub clones the repo (or merges what is new) into their home.

    nbgitpuller names the folder after the repository's last path part; `repo` overrides the
    address (the hub test pulls from a local repository).
    """
    url = repo or repository()[0]
    folder = url.rstrip("/").split("/")[-1]
    query = urlencode({"repo": url, "branch": BRANCH,
                       "urlpath": f"lab/tree/{folder}/notebooks/{notebook}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


START, END = "<!-- class links: made by tools/class_links.py -->", "<!-- end of class links -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def colab_first_cell():
    """Clone the series and install what Colab lacks (graphviz-pure): no upgrade, so no restart."""
    url, owner_name = repository()
    folder = f"/content/{owner_name.split('/')[1]}"
    return "\n".join([f"!git clone --depth 1 {url} {folder}",
                      f"%pip install --quiet {folder}",
                      f"%cd {folder}/notebooks"])


def readme_block():
    rows = [START, "",
            f"[![Binder]({BINDER_BADGE})]({binder_link()}) opens notebook 00 in JupyterLab on mybinder.org.",
            "", "| notebook | Colab |", "|---|---|"]
    rows += [f"| `{name}` | [![Open in Colab]({COLAB_BADGE})]({colab_link(name)}) |" for name in lessons()]
    rows += ["", "**Colab**: open a notebook with its badge, then run this cell first. It clones the series and",
             "installs what Colab lacks (graphviz-pure); the series asks only for lower bounds of numpy and",
             "matplotlib, so Colab keeps its own versions and does not ask to restart:",
             "", "```python", colab_first_cell(), "```"]
    return "\n".join(rows + ["", END])


def write_readme():
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    path.write_text(text[:start] + readme_block() + text[end:], encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--notebook", default=FIRST_NOTEBOOK)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    if args.write_readme:
        write_readme()
    else:
        print(nbgitpuller_link(args.hub, args.notebook) if args.hub else readme_block())
    return 0


if __name__ == "__main__":
    sys.exit(main())
