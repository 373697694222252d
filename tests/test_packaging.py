"""The environments the series is installed into: the two locks ./dev installs, the two levels of
.venv that `./dev` keeps, and `pip install .` in an empty venv and beside Colab's own packages.

The lock and ./dev tests run everywhere (./dev runs against a stand-in .venv whose pip, pytest and
jupyter only record their arguments). The `pip install .` tests build fresh venvs from PyPI (a minute
or two), so they run when SERIES_INSTALL_TESTS=1 (.ci/run sets it) and skip with one line otherwise.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from checkout import copy_checkout

ROOT = Path(__file__).resolve().parent.parent
needs_install = pytest.mark.skipif(
    os.environ.get("SERIES_INSTALL_TESTS") != "1",
    reason="pip install . in fresh venvs from PyPI: set SERIES_INSTALL_TESTS=1 (.ci/run does)")


# ----------------------------------------------------------------------------------------------
# The locks: requirements.txt (the learner's, ./dev lab and Binder) and requirements-dev.txt
# ----------------------------------------------------------------------------------------------

def read_lock(name):
    """{package: version} and the files a lock includes with -r."""
    pins, includes = {}, []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            includes.append(line[3:].strip())
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+-]*)", line)
        assert match, f"{name}: {line!r} is not an exact pin (name==version)"
        key = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        assert key not in pins, f"{name} pins {key} twice"
        pins[key] = match.group(2)
    return pins, includes


LEARNER, LEARNER_INCLUDES = read_lock("requirements.txt")
DEVELOPER, DEVELOPER_INCLUDES = read_lock("requirements-dev.txt")
# What only a developer needs: the learner's .venv (and Binder's image) must do without them.
TOOLS = {"pytest", "pytest-xdist", "hypothesis", "nbval", "playwright", "otter-grader", "sphinx",
         "pandas", "jupyter-server-mathjax"}
# What running the series needs: the engine's drawings and plots, JupyterLab with slides, a kernel.
SERIES = {"numpy", "matplotlib", "pillow", "graphviz-pure", "jupyterlab", "jupyterlab-rise", "ipykernel",
          "notebook", "micrograd"}


def test_the_learners_lock_is_what_the_series_needs_and_no_tool():
    assert LEARNER_INCLUDES == []
    assert SERIES <= LEARNER.keys(), SERIES - LEARNER.keys()
    assert not TOOLS & LEARNER.keys(), TOOLS & LEARNER.keys()


def test_the_developers_lock_is_the_learners_plus_the_tools():
    assert DEVELOPER_INCLUDES == ["requirements.txt"]
    assert TOOLS <= DEVELOPER.keys(), TOOLS - DEVELOPER.keys()
    assert not LEARNER.keys() & DEVELOPER.keys(), "pin each package in one lock only"


def test_the_engine_and_drawings_need_only_what_the_learners_lock_pins():
    """pyproject.toml's lower bounds (pip install .) are met by the learner's exact pins."""
    import tomllib
    from packaging.requirements import Requirement
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in map(Requirement, project["dependencies"]):
        pinned = LEARNER.get(re.sub(r"[-_.]+", "-", requirement.name).lower())
        assert pinned and requirement.specifier.contains(pinned), f"{requirement} against the lock's {pinned}"


# ----------------------------------------------------------------------------------------------
# ./dev keeps .venv at two levels: the learner's (./dev lab) and the developer's (everything else)
# ----------------------------------------------------------------------------------------------

STAND_IN = """#!/usr/bin/env bash
# A stand-in for .venv's {name}: pip, pytest and jupyter record their arguments; the rest is Python.
log="$(dirname "$0")/../calls.log"
if [ "{name}" = jupyter ]; then echo "jupyter $*" >> "$log"; exit 0; fi
if [ "$1" = -m ] && [ "$2" = pip ]; then echo "pip $*" >> "$log"; exit 0; fi
if [ "$1" = -m ] && [ "$2" = pytest ]; then echo "pytest $*" >> "$log"; exit 0; fi
exec {python} "$@"
"""


@pytest.fixture
def dev(tmp_path):
    """Run ./dev in a copy of the scripts and locks, with a .venv whose tools only record their calls."""
    for name in ("dev", "requirements.txt", "requirements-dev.txt"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "notebooks" / "solutions").mkdir(parents=True)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "jupyter"):
        (bin_dir / name).write_text(STAND_IN.format(name=name, python=sys.executable))
        (bin_dir / name).chmod(0o755)
    log = tmp_path / ".venv" / "calls.log"

    def run(*args):
        log.unlink(missing_ok=True)
        done = subprocess.run([str(tmp_path / "dev"), *args], cwd=tmp_path, capture_output=True, text=True,
                              env={**os.environ, "PYTHON": sys.executable, "VENV": ".venv"})
        assert done.returncode == 0, done.stderr
        calls = log.read_text().splitlines() if log.exists() else []
        return calls, done.stderr, (tmp_path / ".venv" / ".installed").read_text().split()[0]
    run.root = tmp_path
    return run


def installs(calls):
    return [call.split()[-1] for call in calls if call.startswith("pip") and " install " in call]


def test_dev_lab_installs_the_learners_lock_and_says_each_step(dev):
    calls, said, level = dev("lab", "--no-browser", "--port", "8899")
    assert installs(calls) == ["requirements.txt"] and level == "learner"
    assert "installing the learner's packages" in said and "the first time takes about" in said
    assert "marking the series' notebooks trusted" in said and "starting JupyterLab" in said
    lab = next(call for call in calls if call.startswith("jupyter lab"))
    assert lab.endswith("--no-browser --port 8899") and "--ServerApp.root_dir=notebooks" in lab
    calls, said, level = dev("lab")
    assert installs(calls) == [] and "up to date" in said and level == "learner"


def test_dev_test_upgrades_a_learners_venv_and_lab_keeps_it(dev):
    dev("lab")
    calls, said, level = dev("test", "-q")
    assert installs(calls) == ["requirements-dev.txt"] and level == "dev"
    assert "adding the developer's tools" in said and "pytest -m pytest -q" in calls[-1]
    calls, said, level = dev("lab")
    assert installs(calls) == [] and level == "dev", "./dev lab must not downgrade a developer's .venv"
    with open(dev.root / "requirements.txt", "a") as lock:
        lock.write("# a changed lock\n")
    calls, said, level = dev("lab")
    assert installs(calls) == ["requirements-dev.txt"] and level == "dev" and "changed" in said
    calls, said, level = dev("test")
    assert installs(calls) == [], "the developer's .venv is up to date"


def test_a_venv_stamped_by_an_older_dev_is_brought_up_to_date(dev):
    (dev.root / ".venv" / ".installed").write_text("0123456789abcdef\n")  # one hash, no level
    calls, said, level = dev("lab")
    assert installs(calls) == ["requirements.txt"] and level == "learner" and "an older ./dev" in said


def test_every_developer_command_installs_the_developers_lock(dev):
    calls, said, level = dev("setup")
    assert installs(calls) == ["requirements-dev.txt"] and level == "dev"
    assert "installing the learner's packages and the developer's tools" in said


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


@needs_install
def test_pip_install_in_an_empty_venv_can_import_and_draw(tmp_path):
    python = fresh_venv(tmp_path / "env")
    pip(python, str(copy_checkout(tmp_path / "src")))
    got = import_and_draw(python, cwd=tmp_path)  # not the checkout: the installed copy answers
    assert got["grad"] == -3.0 and got["svg"] and got["renderer"] == "graphviz-pure"


@needs_install
def test_installing_beside_colab_upgrades_nothing(tmp_path):
    python = fresh_venv(tmp_path / "env")
    pip(python, *(f"{name}=={version}" for name, version in COLAB.items()))
    pip(python, str(copy_checkout(tmp_path / "src")))  # the README's Colab cell: %pip install <clone>
    got = import_and_draw(python, cwd=tmp_path)
    assert got["versions"] == COLAB and got["svg"]
