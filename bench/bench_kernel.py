"""The demo training step inside a Jupyter kernel, where learners run it: our engine next to micrograd.

    .venv/bin/python bench/bench_kernel.py [--steps 20]

A kernel is not a script: IPython, numpy, matplotlib and viz leave hundreds of thousands of live
objects behind, and each full pass of Python's garbage collector walks all of them. So this runs
bench_engine.bench_training in a fresh kernel (through nbclient, as ./dev regenerate does) after
importing what a lesson imports, with default interpreter settings, and prints what it printed.
Target: ours >= 0.95x the floor engine (bench/floor_engine.py). No assertions on time.
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def kernel_notebook(steps):
    setup = ("import gc, sys\n"
             "import numpy as np\n"
             "import matplotlib\n"
             "import matplotlib.pyplot as plt\n"
             f"sys.path.insert(0, {str(HERE.parent)!r})\n"
             f"sys.path.insert(0, {str(HERE)!r})\n"
             "import viz\n"
             "print('in a kernel: numpy, matplotlib and viz imported;', len(gc.get_objects()), 'tracked objects')")
    run = f"import bench_engine\nbench_engine.bench_training({steps})"
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(run)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    nb = kernel_notebook(args.steps)
    NotebookClient(nb, timeout=3600, startup_timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    print(f"Python {sys.version.split()[0]}, demo step in a Jupyter kernel (nbclient)")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout":
                print(output["text"], end="")


if __name__ == "__main__":
    main()
