"""A real browser and a real JupyterLab for the browser tests and tools/slide_heights.py.

Playwright for Python drives the Debian `chromium` (Playwright cannot download its own browsers
on our machines). `missing()` says in one line why a browser cannot run here, or returns None;
`chromium(playwright)` launches it with a fresh profile and no background traffic;
`JupyterLab(folder)` runs `jupyter lab` on localhost with a token, serving a folder.

The screen is 1280x800, and JupyterLab opens with its file browser on the left, as a learner
first sees it: the notebook's output column is then its narrowest (848 px), which is where
drawings must still fit and stay readable.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = os.environ.get("MICROGRAD_CHROMIUM", "/usr/bin/chromium")
# No first-run dialogs, no updates, no sync, no traffic of the browser's own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREEN = {"width": 1280, "height": 800}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def missing():
    """Why the browser tests cannot run on this machine (one line), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright: ./dev test installs it (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium"
    return None


@contextmanager
def chromium(playwright):
    """The system Chromium with a profile of its own, thrown away afterwards."""
    profile = tempfile.mkdtemp(prefix="mg-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=SCREEN)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def is_local(url):
    """True for file:, data:, blob: and about: URLs and for anything on this machine's loopback."""
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "blob", "about"):
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


def offline(context):
    """Refuse every request that would leave the machine; return the list of refused URLs."""
    refused = []

    def route(request_route):
        url = request_route.request.url
        if is_local(url):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort("internetdisconnected")
    context.route("**/*", route)
    return refused


def write_lab_settings(folder):
    """Settings that make a notebook's every cell part of the page, so all can be measured.

    JupyterLab 4 renders only the cells near the viewport by default (windowing).
    """
    tracker = Path(folder) / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text('{"windowingMode": "none"}\n', encoding="utf-8")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """`jupyter lab` serving `folder` on 127.0.0.1 with a token, for as long as the `with` lasts.

    It runs from this Python's environment (the .venv, where jupyterlab-rise is installed) with
    its own Jupyter data and runtime folders, so nothing is read from or written to the user's.
    """

    def __init__(self, folder, timeout=90):
        self.folder = Path(folder)
        self.timeout = timeout
        self.port = free_port()
        self.token = os.urandom(12).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.home = None

    def __enter__(self):
        self.home = tempfile.mkdtemp(prefix="mg-jupyter-")
        settings = os.path.join(self.home, "lab-settings")
        # Fresh user folders: no notebook is trusted (the trust database lives in the data folder),
        # no workspace or setting of the user's applies. Extensions installed in the environment
        # (jupyterlab-rise) still load.
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=os.path.join(self.home, "runtime"),
                   JUPYTER_CONFIG_DIR=os.path.join(self.home, "config"),
                   JUPYTER_DATA_DIR=os.path.join(self.home, "data"),
                   JUPYTERLAB_SETTINGS_DIR=settings,
                   JUPYTERLAB_WORKSPACES_DIR=os.path.join(self.home, "workspaces"),
                   IPYTHONDIR=os.path.join(self.home, "ipython"))
        write_lab_settings(settings)
        self.env = env
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                   f"--ServerApp.port={self.port}", "--ServerApp.ip=127.0.0.1",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.folder}",
                   "--ServerApp.open_browser=False", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        self.log = open(os.path.join(self.home, "server.log"), "w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        cwd=self.folder)
        self._wait_until_up()
        return self

    def _wait_until_up(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab stopped at start: see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {self.timeout} s: see {self.log.name}")

    def trust(self, paths):
        """Mark notebooks as trusted for this server only (its own trust database); any time, even
        after the server started (it reads the database when a notebook is opened)."""
        jupyter = Path(sys.executable).with_name("jupyter")
        subprocess.run([str(jupyter), "trust", *map(str, paths)], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def rise_url(self, path):
        """The URL that shows a notebook as RISE slides."""
        return f"{self.url}/rise/{Path(path).as_posix()}?token={self.token}"

    def lab_url(self, path, reset=True):
        """The URL that opens a notebook (path relative to the served folder) in JupyterLab; with
        reset, alone (JupyterLab forgets the notebooks an earlier page of this server opened)."""
        return f"{self.url}/lab/tree/{Path(path).as_posix()}?token={self.token}" + ("&reset" if reset else "")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)
