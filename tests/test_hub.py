"""The series on a real JupyterHub: two students follow the nbgitpuller link, run notebook 00 in
their own servers, and one student's edit survives a pull of a newer commit.

Everything is the real thing, on localhost: JupyterHub from PyPI, its proxy (configurable-http-proxy
from npm), the local-process spawner, dummy authentication (any password), nbgitpuller in each
user's server, and an upstream git repository made from this checkout. `.ci/run` installs them;
where they are missing, the test skips with one line.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import class_links  # noqa: E402
from checkout import copy_checkout  # noqa: E402

BIN = Path(sys.executable).parent
PROXY = shutil.which("configurable-http-proxy") or str(ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy")
MISSING = [what for what, ok in [
    ("jupyterhub", (BIN / "jupyterhub").exists()),
    ("nbgitpuller", shutil.which("gitpuller", path=str(BIN)) is not None),
    ("npm", shutil.which("npm") is not None),
    ("configurable-http-proxy", Path(PROXY).exists()),
] if not ok]
if MISSING:
    pytest.skip(f"no real hub here: missing {', '.join(MISSING)} (.ci/run installs them: "
                f"pip install -r .ci/requirements-hub.txt; npm install --prefix .venv/node configurable-http-proxy)",
                allow_module_level=True)
requests = pytest.importorskip("requests", reason="requests comes with jupyterhub: pip install -r .ci/requirements-hub.txt")
websocket = pytest.importorskip("websocket", reason="websocket-client comes with jupyter_server")

USERS = ("alice", "bob")
EDIT = "# alice's own answer, kept across pulls"
NEWS = "An upstream improvement, published after the students pulled."


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=teacher", "-c", "user.email=teacher@example.edu", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    """The course repository, as a teacher publishes it: a git repo on the main branch."""
    repo = copy_checkout(tmp_path_factory.mktemp("upstream") / "micrograd-series")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the series")
    return repo


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A running JupyterHub on localhost; yields (base url, admin token, home folder of users)."""
    where = tmp_path_factory.mktemp("hub")
    homes = where / "home"
    homes.mkdir()
    port, api_port, hub_port = free_port(), free_port(), free_port()
    token = uuid.uuid4().hex
    config = f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{PROXY!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(homes)!r} + "/{{username}}"
c.Spawner.cmd = [{str(BIN / "jupyterhub-singleuser")!r}]
c.Spawner.args = ["--allow-root"] if {os.getuid() == 0} else []
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {{"PATH": {str(BIN)!r} + ":/usr/bin:/bin", "MICROGRAD_RENDERER": ""}}
c.JupyterHub.db_url = "sqlite:///" + {str(where / "hub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {str(where / "cookie_secret")!r}
c.JupyterHub.services = [{{"name": "course-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "course-test", "services": ["course-test"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"]}}]
"""
    (where / "jupyterhub_config.py").write_text(config)
    log = open(where / "hub.log", "wb")
    proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(where / "jupyterhub_config.py")],
                            cwd=where, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/hub/api", timeout=5).ok, 120, "the hub to answer", where / "hub.log")
        yield base, token, homes, where / "hub.log"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(ready, seconds, what, log):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if ready():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; hub log:\n{Path(log).read_text()[-3000:]}")


def log_in(base, user):
    """A student's browser session: the hub's login form (dummy authentication: any password)."""
    s = requests.Session()
    page = s.get(f"{base}/hub/login")
    xsrf = s.cookies.get("_xsrf", path="/hub/")
    r = s.post(f"{base}/hub/login?next=", data={"username": user, "password": "any", "_xsrf": xsrf},
               allow_redirects=False)
    assert r.status_code == 302, f"login of {user} failed ({r.status_code}): {page.text[:300]}"
    return s


def start_server(base, token, user, log):
    api = {"Authorization": f"token {token}"}
    r = requests.post(f"{base}/hub/api/users/{user}/server", headers=api)
    assert r.status_code in (201, 202), r.text
    wait_for(lambda: requests.get(f"{base}/hub/api/users/{user}", headers=api).json()["servers"][""]["ready"],
             180, f"{user}'s server", log)


def follow_pull_link(session, base, upstream, user):
    """What the link does in a browser: its page, then the pull it starts (an event stream)."""
    link = class_links.nbgitpuller_link(base, repo=str(upstream))
    page = session.get(link)  # hub -> OAuth with the user's server -> nbgitpuller's page
    assert page.ok and f"/user/{user}/git-pull" in page.url, (page.status_code, page.url)
    assert 'data-targetpath="micrograd-series"' in page.text
    stream = session.get(f"{base}/user/{user}/git-pull/api",
                         params={"repo": str(upstream), "branch": "main", "targetpath": "micrograd-series"})
    events = [json.loads(line[5:]) for line in stream.text.splitlines() if line.startswith("data:")]
    assert events and events[-1]["phase"] == "finished", stream.text[-2000:]


def run_notebook(base, token, user, path):
    """Run every code cell of a notebook in a kernel of the user's server, as JupyterLab would."""
    api = {"Authorization": f"token {token}"}
    r = requests.post(f"{base}/user/{user}/api/sessions", headers=api,
                      json={"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}})
    assert r.status_code == 201, r.text
    kernel = r.json()["kernel"]["id"]
    url = f"ws://{urlparse(base).netloc}/user/{user}/api/kernels/{kernel}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=120)
    nb = nbformat.from_dict(requests.get(f"{base}/user/{user}/api/contents/{path}", headers=api).json()["content"])
    texts = []
    try:
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            texts.append(execute(ws, cell.source))
    finally:
        ws.close()
        requests.delete(f"{base}/user/{user}/api/sessions/{r.json()['id']}", headers=api)
    return texts


def execute(ws, code):
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                                   "session": msg_id, "version": "5.3"},
                        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                        "content": {"code": code, "silent": False, "store_history": True,
                                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    text = []
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        assert kind != "error", f"{content['ename']}: {content['evalue']} in\n{code}"
        if kind == "stream":
            text.append(content["text"])
        if kind == "status" and content["execution_state"] == "idle":
            return "".join(text)


def test_two_students_pull_run_and_keep_their_edits(hub, upstream):
    base, token, homes, log = hub
    sessions = {}
    for user in USERS:
        sessions[user] = log_in(base, user)  # the hub creates the user at first login
        start_server(base, token, user, log)
        follow_pull_link(sessions[user], base, upstream, user)
        assert (homes / user / "micrograd-series" / "notebooks" / "00_welcome.ipynb").is_file()

    for user in USERS:  # each in their own server and kernel, started in the notebook's folder
        outputs = run_notebook(base, token, user, "micrograd-series/notebooks/00_welcome.ipynb")
        printed = "".join(outputs)
        assert "Graphviz works: graphs are drawn by graphviz-pure" in printed
        assert "✅" in "".join(run_notebook(base, token, user,
                                            "micrograd-series/notebooks/solutions/00_welcome_solutions.ipynb"))

    # alice edits notebook 00 (through her server, as saving in JupyterLab does) ...
    path = "micrograd-series/notebooks/00_welcome.ipynb"
    api = {"Authorization": f"token {token}"}
    model = requests.get(f"{base}/user/alice/api/contents/{path}", headers=api).json()
    nb = nbformat.from_dict(model["content"])
    exercise = [c for c in nb.cells if c.cell_type == "code"][-1]
    exercise.source = EDIT + "\n" + exercise.source
    r = requests.put(f"{base}/user/alice/api/contents/{path}", headers=api,
                     json={"type": "notebook", "format": "json", "content": nb})
    assert r.ok, r.text
    # ... the teacher publishes a newer commit that changes the same notebook elsewhere ...
    published = nbformat.read(upstream / "notebooks" / "00_welcome.ipynb", as_version=4)
    published.cells[0].source += "\n\n" + NEWS
    nbformat.write(published, upstream / "notebooks" / "00_welcome.ipynb")
    git(upstream, "commit", "-q", "-am", "a newer version of notebook 00")

    # ... and both follow the link again: alice keeps her answer and gets the news; so does bob.
    for user in USERS:
        follow_pull_link(sessions[user], base, upstream, user)
    alice = (homes / "alice" / "micrograd-series" / "notebooks" / "00_welcome.ipynb").read_text()
    bob = (homes / "bob" / "micrograd-series" / "notebooks" / "00_welcome.ipynb").read_text()
    assert EDIT in alice and NEWS in alice
    assert NEWS in bob and EDIT not in bob
