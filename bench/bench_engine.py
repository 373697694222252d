"""Our engine next to micrograd 0.1.0, in one run, on the same machine: ratios and absolute numbers.

    ./dev bench              (or: .venv/bin/python bench/bench_engine.py [--steps 20] [--quick])

1. micrograd's demo training step: MLP(2, [16, 16, 1]) on 100 two-moons points, max-margin loss
   + 1e-4 L2, full-batch SGD, default interpreter settings (the garbage collector stays on).
   Both engines start from the same weights; the loss trajectories must agree to 1e-12.
   Target: ours >= 0.95x the floor engine (bench/floor_engine.py, the fastest node-by-node engine
   here), the two taking turns step by step; the same inside a Jupyter kernel (bench/bench_kernel.py).
2. A chain of N ops, forward + backward, N = 10^4, 10^5, 10^6 (ours); time per op should stay flat.
   micrograd's recursive sort cannot do deep chains: we report where it stops.
3. Bytes per leaf and per binary op, measured with tracemalloc.
No assertions on time: this prints numbers, a person reads them.
"""

import argparse
import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import micrograd_core as ours  # noqa: E402
from micrograd import engine as mg_engine, nn as mg_nn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor_engine as floor  # noqa: E402  (the least a node-by-node engine can do; see its docstring)


# ----------------------------------------------------------------------------------------------
# 1. The demo training step
# ----------------------------------------------------------------------------------------------

def make_moons(n=100, noise=0.1, seed=1):
    """Two interleaving half circles, labels -1 / +1, like sklearn's make_moons (no sklearn here)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t_out, t_in = np.linspace(0, math.pi, half), np.linspace(0, math.pi, n - half)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(scale=noise, size=(n, 2))
    y = np.array([-1] * half + [1] * (n - half))
    return X.tolist(), y.tolist()


def demo_step(Value, model, X, y, k):
    """One step of micrograd's demo: forward, margin loss + L2, zero_grad, backward, SGD."""
    inputs = [[Value(v) for v in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def build_models(seed=1337):
    models = {}
    for name, nn in (("ours", ours), ("floor", floor), ("micrograd", mg_nn)):
        random.seed(seed)
        models[name] = nn.MLP(2, [16, 16, 1])
    for name, model in models.items():
        weights = [p.data for p in model.parameters()]
        assert weights == [p.data for p in models["micrograd"].parameters()], \
            f"{name}: the MLPs must start from the same weights"
    return models


ENGINES = (("ours", ours.Value), ("floor", floor.Value), ("micrograd", mg_engine.Value))


def bench_training(steps, target=0.95):
    """The three engines in this process: ours and the floor taking turns, then micrograd. Each
    step is timed twice: CPU time of this process (time.process_time: what the engine costs, even
    when other jobs share the machine) and wall-clock time (what a person waits for, which other
    jobs inflate). Ratios are of medians. "floor" is bench/floor_engine.py: no engine that builds
    one Python object per operation can be much faster than it."""
    X, y = make_moons()
    models = build_models()
    runs = {name: ([], [], []) for name, _ in ENGINES}  # losses, CPU times, wall times
    # Ours and the floor take turns, one step each, so a change in the machine's speed hits both
    # alike (neither leaves cyclic garbage behind for the other's steps to collect). micrograd's
    # graphs are all cyclic garbage, so it runs alone, afterwards.
    for turns in (("ours", "floor"), ("micrograd",)):
        for k in range(steps):
            for name in turns:
                losses, cpu, wall = runs[name]
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                losses.append(demo_step(dict(ENGINES)[name], models[name], X, y, k))
                cpu.append(time.process_time() - start_cpu)
                wall.append(time.perf_counter() - start_wall)
    results = {name: (losses, statistics.median(cpu), statistics.median(wall), sum(wall))
               for name, (losses, cpu, wall) in runs.items()}
    mg_losses, mg_cpu, mg_wall, _ = results["micrograd"]
    print(f"1. demo training step, MLP(2,[16,16,1]), 100 points, {steps} steps (medians per step)")
    print(f"   {'':10} {'CPU ms':>9} {'wall ms':>9} {'wall total s':>13} {'x micrograd, CPU':>17} {'wall':>6}")
    for name, (losses, cpu, wall, total) in results.items():
        print(f"   {name:10} {cpu * 1000:9.1f} {wall * 1000:9.1f} {total:13.2f} {mg_cpu / cpu:16.1f}x "
              f"{mg_wall / wall:5.1f}x")
    floor_cpu, ours_cpu = results["floor"][1], results["ours"][1]
    floor_wall, ours_wall = results["floor"][3], results["ours"][3]
    print(f"   ours against the floor: {floor_cpu / ours_cpu:.2f}x its speed in median CPU time, "
          f"{floor_wall / ours_wall:.2f}x in total wall time (target >= {target}x)")
    worst = max(abs(a - b) / max(abs(b), 1e-300)
                for name in ("ours", "floor") for a, b in zip(results[name][0], mg_losses))
    l_ours = results["ours"][0]
    print(f"   loss trajectory: max relative difference from micrograd {worst:.2e} (target <= 1e-12); "
          f"first {l_ours[0]:.6f}, last {l_ours[-1]:.6f}")
    return floor_cpu / ours_cpu, worst


# ----------------------------------------------------------------------------------------------
# 2. Deep chains
# ----------------------------------------------------------------------------------------------

def chain(Value, n):
    """x -> x*c -> +c -> ... n ops deep; returns (leaf, output)."""
    x = Value(0.5)
    out = x
    for i in range(n):
        out = out * 1.0000001 if i % 2 else out + 0.001
    return x, out


def bench_chains(sizes):
    # micrograd's graphs from section 1 are cyclic garbage: collect it now, or its cleanup would
    # be billed to whichever chain happens to trigger the collector.
    gc.collect()
    print("2. chain of N ops, forward + backward (ours)")
    print(f"   {'N':>9} {'forward s':>10} {'backward s':>11} {'us/op':>7}")
    for n in sizes:
        start = time.perf_counter()
        x, out = chain(ours.Value, n)
        mid = time.perf_counter()
        out.backward()
        end = time.perf_counter()
        assert math.isfinite(x.grad)
        print(f"   {n:>9} {mid - start:>10.3f} {end - mid:>11.3f} {(end - start) / n * 1e6:>7.2f}")
        del x, out
        gc.collect()
    # micrograd's recursive topological sort: where does it break?
    x, out = chain(mg_engine.Value, 10_000)
    try:
        out.backward()
        print("   micrograd 0.1.0: N = 10^4 works")
    except RecursionError:
        print(f"   micrograd 0.1.0: N = 10^4 fails with RecursionError (recursion limit {sys.getrecursionlimit()})")


# ----------------------------------------------------------------------------------------------
# 3. Memory
# ----------------------------------------------------------------------------------------------

def bytes_per(make, n=20_000):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [make(i) for i in range(n)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_overhead = sys.getsizeof(kept) - sys.getsizeof([])
    return (after - before - list_overhead) / n


def bench_memory():
    rows = []
    for name, Value in (("ours", ours.Value), ("micrograd", mg_engine.Value)):
        a, b = Value(1.5), Value(2.5)
        leaf = bytes_per(lambda i: Value(float(i)))
        mul = bytes_per(lambda i: a * b)
        add = bytes_per(lambda i: a + b)
        rows.append((name, leaf, mul, add))
    (_, l1, m1, a1), (_, l2, m2, a2) = rows
    print("3. memory (tracemalloc), bytes per node")
    print(f"   {'':10} {'leaf':>8} {'a*b':>8} {'a+b':>8}")
    for name, leaf, mul, add in rows:
        print(f"   {name:10} {leaf:>8.0f} {mul:>8.0f} {add:>8.0f}")
    print(f"   ratio      {l1 / l2:>8.0%} {m1 / m2:>8.0%} {a1 / a2:>8.0%}   (target per op <= 20%)")
    return m1 / m2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="skip the 10^6 chain")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, gc enabled: {gc.isenabled()}, thresholds {gc.get_threshold()}")
    bench_training(args.steps)
    bench_chains([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    bench_memory()


if __name__ == "__main__":
    main()
