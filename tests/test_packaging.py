"""`pip install .` gives a working series: in an empty venv, and beside Colab's own packages.

Each test builds a fresh venv and installs from PyPI (a minute or two), so it runs when
SERIES_INSTALL_TESTS=1 (.ci/run sets it) and skips with one line otherwise.
"""

import json
import os
import subprocess
import sys
import venv

import pytest

from checkout import copy_checkout

if os.environ.get("SERIES_INSTALL_TESTS") != "1":
    pytest.skip("pip install . in fresh venvs from PyPI: set SERIES_INSTALL_TESTS=1 (.ci/run does)",
                allow_module_level=True)

# What Colab ships (late 2025): installing the series beside these must upgrade none of them,
# or Colab asks for a restart (numpy above all).
COLAB = {"numpy": "2.0.2", "matplotlib": "3.10.0", "pillow": "11.1.0"}
IMPORT_AND_DRAW = """
import json
from importlib import metadata
import micrograd_core, viz, series_checks.nb00
a, b = micrograd_core.Value(2.0, label="a"), micrograd_core.Value(-3.0, label="b")
L = a * b; L.label = "L"; L.backward()
svg = viz.draw_dot(L).svg()
print(json.dumps({"grad": a.grad, "svg": "<svg" in svg and ">L<" in svg, "renderer": viz.renderer_info().name,
                  "versions": {n: metadata.version(n) for n in ("numpy", "matplotlib", "pillow")}}))
"""


def fresh_venv(path):
    venv.create(path, with_pip=True)
    return path / "bin" / "python"


def pip(python, *args):
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                   check=True, capture_output=True, text=True)


def import_and_draw(python, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("MICROGRAD_RENDERER", "PYTHONPATH")}
    done = subprocess.run([str(python), "-c", IMPORT_AND_DRAW], cwd=cwd, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_pip_install_in_an_empty_venv_can_import_and_draw(tmp_path):
    python = fresh_venv(tmp_path / "env")
    pip(python, str(copy_checkout(tmp_path / "src")))
    got = import_and_draw(python, cwd=tmp_path)  # not the checkout: the installed copy answers
    assert got["grad"] == -3.0 and got["svg"] and got["renderer"] == "graphviz-pure"


def test_installing_beside_colab_upgrades_nothing(tmp_path):
    python = fresh_venv(tmp_path / "env")
    pip(python, *(f"{name}=={version}" for name, version in COLAB.items()))
    pip(python, str(copy_checkout(tmp_path / "src")))  # the README's Colab cell: %pip install <clone>
    got = import_and_draw(python, cwd=tmp_path)
    assert got["versions"] == COLAB and got["svg"]
