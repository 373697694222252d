"""How long drawing takes: building the DOT text (viz, pure Python) vs Graphviz laying it out.

Run: .venv/bin/python bench/bench_viz.py   (prints a table; no asserts)
Target: a ~2,000-node graph drawn in under 2 s in total.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import viz  # noqa: E402
from micrograd_core import MLP, Value  # noqa: E402


def chain_graph(n_ops):
    """x, then n_ops alternating * and + with constants: about 2 * n_ops nodes plus the constants."""
    x = Value(0.5, label="x")
    for i in range(n_ops // 2):
        x = x * 1.001
        x = x + 0.01
    x.label = "out"
    return x


def tree_graph(n_leaves):
    """A binary tree of + over n_leaves leaves: n_leaves - 1 ops, so 3 * n_leaves - 2 nodes."""
    level = [Value(float(i), label=f"x{i}") for i in range(n_leaves)]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(pairs) * 2:]  # an odd one out waits for the next level
    return level[0]


def mlp_example_graph():
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    out = model([Value(0.3, label="x1"), Value(-0.7, label="x2")])
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def best_of(fn, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(name, root, repeats=3, **kwargs):
    build_s, graph = best_of(lambda: viz.draw_dot(root, max_nodes=None, **kwargs), repeats)
    render_s, svg = best_of(lambda: viz.render(graph.source, "svg"), repeats)
    return (name, graph.node_count, len(graph.source) // 1024, build_s, render_s, len(svg) // 1024)


def main():
    info = viz.renderer_info()
    print(f"renderer: {info.name} ({info.path}); best of 3 runs\n")
    rows = [
        measure("chain, ~2000 nodes", chain_graph(667)),
        measure("tree, ~2000 nodes", tree_graph(667)),
        measure("tree, ~2000 nodes, color=grad", tree_graph(667), color="grad"),
        measure("MLP(2,[16,16,1]) group=neuron", mlp_example_graph(), group="neuron"),
        measure("MLP(2,[16,16,1]) group=collapse", mlp_example_graph(), group="collapse"),
    ]
    header = f"{'graph':<34} {'nodes':>6} {'DOT KiB':>8} {'build s':>8} {'graphviz s':>11} {'total s':>8} {'SVG KiB':>8}"
    print(header)
    print("-" * len(header))
    for name, nodes, dot_kib, build_s, render_s, svg_kib in rows:
        print(f"{name:<34} {nodes:>6} {dot_kib:>8} {build_s:>8.3f} {render_s:>11.3f} "
              f"{build_s + render_s:>8.3f} {svg_kib:>8}")

    ex = chain_graph(20)
    stepper = viz.BackpropStepper(ex)
    player_s, _ = best_of(lambda: stepper.player(), 1)
    print(f"\nBackpropStepper player, {stepper.n_steps} steps ({viz.draw_dot(ex).node_count} nodes): "
          f"{player_s:.3f} s")


if __name__ == "__main__":
    main()
