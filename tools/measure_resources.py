"""What one student costs a hub: memory and CPU time of the kernels that run the series, and of
the Jupyter server around them. The numbers in TEACHING_WITH_THIS_SERIES.md come from this script.

    .venv/bin/python tools/measure_resources.py

It runs every lesson top to bottom in its own fresh kernel (as a student does, one notebook at a
time), then all lessons one after another in ONE kernel (a student who never restarts), then
starts a JupyterLab server and loads its page once. Memory is the kernel's peak resident set
(VmHWM in /proc, Linux only); CPU time is user + system time of the kernel process and the Graphviz processes it ran.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TICKS = os.sysconf("SC_CLK_TCK")


def peak_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime, stime, and cutime, cstime: the Graphviz runs the kernel waited for count too.
    return sum(int(f) for f in fields[11:15]) / TICKS


def run_in_one_kernel(paths):
    """Run the notebooks one after another in one fresh kernel; return (peak MiB, CPU s, wall s)."""
    first = nbformat.read(paths[0], as_version=4)
    client = NotebookClient(first, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(paths[0].parent)}})
    env = {k: v for k, v in os.environ.items() if k != "MICROGRAD_RENDERER"}
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        pid = client.km.provisioner.pid
        for path in paths:
            nb = first if path == paths[0] else nbformat.read(path, as_version=4)
            client.nb = nb
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        return peak_mib(pid), cpu_seconds(pid), time.perf_counter() - start


def server_mib():
    """A JupyterLab server's resident memory after it has served its page once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
           "--IdentityProvider.token=measure", f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=measure", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)
        return peak_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def main():
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print(f"{'notebook (fresh kernel)':<40}{'peak MiB':>10}{'CPU s':>8}{'wall s':>8}")
    rows = []
    for path in LESSONS:
        mib, cpu, wall = run_in_one_kernel([path])
        rows.append((path.name, mib, cpu))
        print(f"{path.name:<40}{mib:>10.0f}{cpu:>8.1f}{wall:>8.1f}", flush=True)
    heaviest = max(rows, key=lambda r: r[1])
    print(f"\nheaviest notebook: {heaviest[0]} at {heaviest[1]:.0f} MiB; CPU for all lessons, one kernel "
          f"each: {sum(r[2] for r in rows):.1f} s")
    mib, cpu, wall = run_in_one_kernel(LESSONS)
    print(f"all lessons in ONE kernel (never restarted): peak {mib:.0f} MiB, CPU {cpu:.1f} s, wall {wall:.1f} s")
    print(f"JupyterLab server after loading its page: {server_mib():.0f} MiB")


if __name__ == "__main__":
    main()
