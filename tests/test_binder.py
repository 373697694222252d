"""Binder builds the repo as it is: repo2docker's own detection and build steps, checked without Docker.

repo2docker (the tool behind mybinder.org) picks a build pack from the files in the repo and
renders a Dockerfile; both are plain Python, so CI runs them here. Building the image itself
needs Docker, which CI machines do not have.
"""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

buildpacks = pytest.importorskip(
    "repo2docker.buildpacks",
    reason="repo2docker is not installed: pip install -r .ci/requirements-hub.txt (.ci/run does)")

ROOT = Path(__file__).resolve().parent.parent
PINS = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#"))


@pytest.fixture
def python_buildpack(monkeypatch):
    monkeypatch.chdir(ROOT)  # repo2docker inspects the current folder
    bp = buildpacks.PythonBuildPack(base_image="docker.io/library/buildpack-deps:jammy")
    bp.platform = "linux/amd64"  # set by repo2docker from the Docker host; mybinder.org is amd64
    return bp


def test_repo2docker_picks_the_python_buildpack_and_python_3_11(python_buildpack, monkeypatch):
    monkeypatch.chdir(ROOT)
    others = [bp for bp in (buildpacks.DockerBuildPack, buildpacks.CondaBuildPack,
                            buildpacks.PipfileBuildPack, buildpacks.NixBuildPack)
              if bp(base_image="x").detect()]
    assert others == [], f"{others} would take precedence over requirements.txt"
    assert python_buildpack.detect()
    assert python_buildpack.python_version == "3.11", "runtime.txt must say python-3.11"


def test_build_steps_install_the_learners_lock_then_the_series(python_buildpack):
    """Binder installs requirements.txt, what `./dev lab` installs: no test, browser or grading tools."""
    steps = [cmd for _user, cmd in python_buildpack.get_assemble_scripts()]
    assert any(re.search(r'pip install .*-r "?requirements\.txt', s) for s in steps), steps
    dockerfile = python_buildpack.render()
    assert "environment.py-3.11-linux-64.lock" in str(python_buildpack.get_build_script_files())
    assert 'pip install --no-cache-dir -r "requirements.txt"' in dockerfile
    assert "requirements-dev" not in dockerfile and not {"pytest", "playwright", "otter-grader"} & PINS.keys()


def test_the_notebook_pin_fits_the_jupyterlab_pin():
    """Binder's base image has notebook 7.4.x, which refuses jupyterlab 4.6; the lock replaces it."""
    base_lock = (Path(buildpacks.__file__).parent / "conda" / "environment.py-3.11-linux-64.lock").read_text()
    base_notebook = re.search(r"/notebook-(\d+\.\d+\.\d+)-", base_lock).group(1)
    assert "notebook" in PINS and PINS["notebook"] != base_notebook
    installed = metadata.version("notebook")
    assert installed == PINS["notebook"], "run ./dev setup: .venv's notebook is not the pinned one"
    needs = [Requirement(r) for r in metadata.requires("notebook") or []]
    jupyterlab = next(r for r in needs if r.name == "jupyterlab" and r.marker is None)
    assert jupyterlab.specifier.contains(PINS["jupyterlab"]), \
        f"notebook {PINS['notebook']} needs {jupyterlab}, the lock pins jupyterlab {PINS['jupyterlab']}"


def test_readme_binder_link_opens_notebook_00_in_jupyterlab():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/gh/[^)\s]+", readme)
    assert links, "README.md has no Binder link"
    assert all("urlpath=lab/tree/notebooks/00_welcome.ipynb" in link for link in links), links
