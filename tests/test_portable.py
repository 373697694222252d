"""The series runs where a class meets it: a plain checkout, any matplotlib backend, locale, timezone
or hash seed, and a fresh `pip install .`.

The plain-checkout tests start their kernel with `python -S` (no site processing, so no .pth file
and no installed copy of the project) on a view of this environment's site-packages without
micrograd: that is a learner's machine on which neither the series nor micrograd is installed.
"""

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import class_links  # noqa: E402
from checkout import copy_checkout  # noqa: E402

LESSON_00 = ROOT / "notebooks" / "00_welcome.ipynb"
SOLUTION_00 = ROOT / "notebooks" / "solutions" / "00_welcome_solutions.ipynb"
SHOW_WHERE = ("import micrograd_core, viz, series_checks\n"
              "print(micrograd_core.__file__, viz.__file__, series_checks.__file__, sep='\\n')")


# ----------------------------------------------------------------------------------------------
# A plain checkout, nothing installed
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bare_kernel(tmp_path_factory):
    """A kernelspec whose Python sees this environment's packages, minus micrograd and any .pth."""
    root = tmp_path_factory.mktemp("bare")
    view = root / "site-packages"
    view.mkdir()
    for packages in site.getsitepackages():
        for entry in Path(packages).iterdir():
            if not entry.name.startswith(("micrograd", "__editable__", "_virtualenv")) \
                    and entry.suffix != ".pth" and not (view / entry.name).exists():
                (view / entry.name).symlink_to(entry)
    spec_dir = root / "kernels" / "bare"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nothing installed", "language": "python",
        "env": {"PYTHONPATH": str(view), "MICROGRAD_RENDERER": ""}}))
    return KernelSpecManager(kernel_dirs=[str(root / "kernels")])


def run_cells(specs, sources, cwd):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    km = KernelManager(kernel_name="bare", kernel_spec_manager=specs)
    NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()
    return ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]


def first_cell(path):
    return next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def test_bare_kernel_has_neither_the_series_nor_micrograd(bare_kernel, tmp_path):
    out = run_cells(bare_kernel, ["import importlib.util as u\n"
                                  "print([bool(u.find_spec(m)) for m in ('micrograd_core', 'micrograd', 'numpy')])"],
                    tmp_path)
    assert out == ["[False, False, True]\n"]


@pytest.mark.parametrize("notebook, start", [
    (LESSON_00, "notebooks"),             # JupyterLab, Notebook 7, VS Code: the notebook's folder
    (SOLUTION_00, "notebooks/solutions"),
    (LESSON_00, "."),                     # nbclient or a kernel started in the repo root
    (SOLUTION_00, "notebooks"),           # nbclient started in notebooks/ on a solution
])
def test_first_cell_imports_the_checkout_with_nothing_installed(bare_kernel, tmp_path, notebook, start):
    checkout = copy_checkout(tmp_path / "clone")
    out = run_cells(bare_kernel, [first_cell(notebook), SHOW_WHERE], checkout / start)
    files = out[1].split()
    assert len(files) == 3 and all(Path(f).resolve().is_relative_to(checkout.resolve()) for f in files), out


def test_notebook_00_runs_top_to_bottom_from_a_plain_checkout(bare_kernel, tmp_path):
    checkout = copy_checkout(tmp_path / "clone")
    nb = nbformat.read(checkout / "notebooks" / LESSON_00.name, as_version=4)
    km = KernelManager(kernel_name="bare", kernel_spec_manager=bare_kernel)
    NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(checkout / "notebooks")}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Graphviz works: graphs are drawn by graphviz-pure (the default" in text


def test_notebook_10_compares_with_micrograd_only_when_installed(bare_kernel, tmp_path):
    checkout = copy_checkout(tmp_path / "clone")
    nb = nbformat.read(checkout / "notebooks" / "10_layers_and_mlps.ipynb", as_version=4)
    compare = next(c.source for c in nb.cells if "MicrogradValue" in c.source)
    out = run_cells(bare_kernel, [first_cell(checkout / "notebooks" / "10_layers_and_mlps.ipynb"), compare],
                    checkout / "notebooks")
    assert "micrograd 0.1.0 is not installed" in out[1] and "pip install micrograd==0.1.0" in out[1]
    assert "micrograd_core: backward() works" in out[1]


# ----------------------------------------------------------------------------------------------
# One-click links
# ----------------------------------------------------------------------------------------------

def test_readme_links_are_up_to_date():
    """Every lesson has its Colab badge; after adding a notebook run tools/class_links.py --write-readme."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert class_links.readme_block() in readme, "run: python tools/class_links.py --write-readme"
    assert all(class_links.colab_link(n) in readme for n in class_links.lessons())


def test_nbgitpuller_link_opens_notebook_00_in_the_pulled_folder():
    link = class_links.nbgitpuller_link("https://hub.example.edu/")
    assert link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F")
    assert "urlpath=lab%2Ftree%2Fmicrograd-series%2Fnotebooks%2F00_welcome.ipynb" in link


# ----------------------------------------------------------------------------------------------
# nbval does not care about the environment
# ----------------------------------------------------------------------------------------------

# Notebook 01 plots (the backend), prints ✅/⏳ from its checkers (the locale's encoding) and
# seeds its randomness (the hash seed): each of these once broke or could break a stored output.
PLOTTING_NOTEBOOK = "notebooks/01_derivatives_by_nudging.ipynb"
ENVIRONMENTS = {
    "Agg-C-locale-Kiritimati-hashseed": {"MPLBACKEND": "Agg", "LANG": "C", "LC_ALL": "C",
                                         "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "12345"},
    "inline-named-twice": {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "TZ": "America/St_Johns",
                           "PYTHONHASHSEED": "random"},
}


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_nbval_passes_whatever_the_environment(name):
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "LANG", "LC_ALL", "TZ", "PYTHONHASHSEED")}
    env.update(ENVIRONMENTS[name])
    for run in range(2 if name.endswith("twice") else 1):
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                               PLOTTING_NOTEBOOK], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"run {run + 1} with {ENVIRONMENTS[name]}:\n{done.stdout[-3000:]}"


def test_figures_show_under_agg_in_a_kernel(bare_kernel, tmp_path):
    """viz puts the inline backend back in a kernel started with MPLBACKEND=Agg: the figure is shown."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(first_cell(LESSON_00)),
                nbformat.v4.new_code_cell("import os; os.environ['MPLBACKEND'] = 'Agg'\n"
                                          "import importlib, viz; importlib.reload(viz)\n"
                                          "import matplotlib.pyplot as plt\nplt.plot([0, 1]); plt.show()")]
    km = KernelManager(kernel_name="bare", kernel_spec_manager=bare_kernel)
    NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["display_data"] and "image/png" in outputs[0].data, outputs


def test_teaching_guide_is_linked_and_its_hub_link_is_the_tools():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "TEACHING_WITH_THIS_SERIES.md").read_text(encoding="utf-8")
    assert "(TEACHING_WITH_THIS_SERIES.md)" in readme
    assert class_links.nbgitpuller_link("https://hub.example.edu") in guide
