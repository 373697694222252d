"""Tests for viz.py: mostly on the DOT text and structure; a few render with the real binaries."""

import math
import random
import re
import shutil
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import viz  # noqa: E402
from micrograd_core import MLP, Value  # noqa: E402
from series_checks import lecture_expression  # noqa: E402

PURE = Path(sys.executable).parent / "graphviz-pure"


# ----------------------------------------------------------------------------------------------
# Fixtures and helpers
# ----------------------------------------------------------------------------------------------

def edges(source):
    return re.findall(r"^(\w+) -> (\w+)", source, flags=re.M)


def node_line(source, node_id):
    return next(line for line in source.splitlines() if line.startswith(node_id + " ["))


def small_mlp_output(seed=0):
    random.seed(seed)
    model = MLP(2, [2, 1], activation="tanh")
    x = [Value(0.5, label="x1"), Value(-1.5, label="x2")]
    return model, x, model(x)


@pytest.fixture
def pure_renderer(monkeypatch):
    monkeypatch.setenv("MICROGRAD_RENDERER", "pure")


# ----------------------------------------------------------------------------------------------
# fmt and escaping
# ----------------------------------------------------------------------------------------------

def test_fmt_four_decimals_no_negative_zero_and_readable_specials():
    assert viz.fmt(2) == "2.0000"
    assert viz.fmt(-0.0) == "0.0000"
    assert viz.fmt(-0.00001) == "0.0000"
    assert viz.fmt(-1.23456) == "-1.2346"
    assert viz.fmt(math.inf) == "inf" and viz.fmt(-math.inf) == "-inf" and viz.fmt(math.nan) == "nan"


# ----------------------------------------------------------------------------------------------
# Structure of the DOT text
# ----------------------------------------------------------------------------------------------

def test_lecture_graph_counts_and_repr():
    g = viz.draw_dot(lecture_expression()["L"])
    assert (g.n_values, g.n_ops, g.node_count) == (7, 3, 10)
    assert repr(g) == "<Graph: 7 values, 3 ops>"
    assert len(edges(g.source)) == g.n_edges == 6 + 3  # one per argument slot, plus op -> value


def test_unknown_option_is_explained():
    with pytest.raises(TypeError, match="unknown option.*colour"):
        viz.draw_dot(Value(1.0), colour="grad")


@pytest.mark.parametrize("op", ["+", "*"])
def test_same_value_in_both_slots_gives_two_edges(op):
    a = Value(3.0, label="a")
    out = a + a if op == "+" else a * a
    src = viz.draw_dot(out).source
    assert edges(src).count(("v1", "o2")) == 2
    assert ("o2", "v2") in edges(src)


def test_record_label_shows_label_data_grad_with_four_decimals():
    src = viz.draw_dot(lecture_expression()["L"]).source
    assert '{ a | data 2.0000 | grad 0.0000 }' in src
    assert 'label="{ data 1.0000 | grad 0.0000 }"' in viz.draw_dot(Value(1.0)).source  # no label field
    tb = viz.draw_dot(lecture_expression()["L"], rankdir="TB").source
    assert 'label="a | data 2.0000 | grad 0.0000"' in tb


def test_show_grad_false_hides_grad_field():
    assert "grad" not in viz.draw_dot(lecture_expression()["L"], show_grad=False, legend=False).source


def test_dot_is_byte_identical_for_equal_graphs_and_has_no_addresses():
    first = viz.draw_dot(lecture_expression()["L"]).source
    second = viz.draw_dot(lecture_expression()["L"]).source
    assert first == second
    assert "0x" not in first


def test_mlp_dot_is_deterministic_across_builds():
    sources = [viz.draw_dot(small_mlp_output(seed=3)[2], group="neuron").source for _ in range(2)]
    assert sources[0] == sources[1]


def test_list_of_roots_drawn_together_each_once():
    x = Value(1.0, label="x")
    y1, y2 = x * 2, x + 1
    g = viz.draw_dot([y1, y2])
    assert g.source.count('label="{ x |') == 1
    assert g.n_ops == 2
    assert g.source.count(viz.ROLE_COLOURS["output"]) == 2 + 1  # two roots + the legend


def test_role_colours_and_legend():
    model, x, out = small_mlp_output()
    src = viz.draw_dot(out).source
    w = model.layers[0].neurons[0].w[0]
    ids = {node: i for i, node in enumerate(out.topological_order(), start=1)}
    assert viz.ROLE_COLOURS["input"] in node_line(src, f"v{ids[x[0]]}")
    assert viz.ROLE_COLOURS["parameter"] in node_line(src, f"v{ids[w]}")
    assert viz.ROLE_COLOURS["output"] in node_line(src, f"v{ids[out]}")
    inner = out._prev[0]  # the sum inside the output neuron
    assert viz.ROLE_COLOURS["intermediate"] in node_line(src, f"v{ids[inner]}")
    assert "cluster_legend" in src
    for role in viz.ROLES:
        assert f">{role}</td>" in src
    assert "cluster_legend" not in viz.draw_dot(out, legend=False).source


def test_explicit_params_kwarg_marks_parameters():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    src = viz.draw_dot(w * x, params=[w]).source
    assert viz.ROLE_COLOURS["parameter"] in node_line(src, "v1")
    assert viz.ROLE_COLOURS["input"] in node_line(src, "v2")


def test_grad_colouring_by_sign_and_size():
    ex = lecture_expression()
    ex["L"].backward()
    src = viz.draw_dot(ex["L"], color="grad").source
    # a.grad = 6 is the largest |grad|: the strongest blue; b.grad = -4: red
    assert viz.grad_colour(6.0, 6.0) in node_line(src, "v1")
    assert viz.grad_colour(-4.0, 6.0) in node_line(src, "v2")
    assert viz.grad_colour(-4.0, 6.0) != viz.grad_colour(-2.0, 6.0)
    assert "negative grad" in src and "positive grad" in src
    plain = viz.draw_dot(ex["L"], color=None).source
    assert "negative grad" not in plain and "#cfe8ff" not in plain


def test_grad_colour_handles_zero_and_nonfinite():
    assert viz.grad_colour(0.0, 5.0) == "#ffffff"
    assert viz.grad_colour(math.nan, 5.0) == viz.NONFINITE_COLOUR


def test_highlight_nodes_and_edges():
    ex = lecture_expression()
    src = viz.draw_dot(ex["L"], highlight=[ex["d"]], highlight_edges=[(ex["d"], ex["L"])]).source
    colour, width = viz.MARKS["highlight"]
    assert f'color="{colour}"' in node_line(src, "v5") and f'penwidth="{width}"' in node_line(src, "v5")
    assert f'color="{viz.EDGE_MARK[0]}"' in next(ln for ln in src.splitlines() if ln.startswith("v5 -> o7"))
    assert "penwidth" not in next(ln for ln in src.splitlines() if ln.startswith("v6 -> o7"))


def test_group_neuron_clusters_nested_in_layers():
    random.seed(1)
    model = MLP(2, [3, 2, 1])
    out = model([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    src = viz.draw_dot(out, group="neuron").source
    layer_clusters = re.findall(r'subgraph cluster_l\d+ \{\nlabel="(L\d)"', src)
    neuron_clusters = re.findall(r'subgraph cluster_n\d+ \{\nlabel="(L\d N\d)"', src)
    assert layer_clusters == ["L1", "L2", "L3"]
    assert neuron_clusters == ["L1 N1", "L1 N2", "L1 N3", "L2 N1", "L2 N2", "L3 N1"]
    # Nesting: each neuron cluster sits inside its layer's braces.
    body_l2 = src.split('label="L2"')[1].split('label="L3"')[0]
    assert 'label="L2 N1"' in body_l2 and 'label="L2 N2"' in body_l2 and 'label="L1 N1"' not in body_l2


def test_neuron_cluster_holds_its_parameters_and_not_the_inputs():
    model, x, out = small_mlp_output()
    plan = viz.GraphPlan((out,), viz.DrawOptions(group="neuron"))
    n11 = model.layers[0].neurons[0]
    members = [node for node, neuron in plan.owner.items() if neuron is n11]
    assert all(p in members for p in n11.parameters())
    assert x[0] not in plan.owner and x[1] not in plan.owner
    # weights*inputs, the sums, and the activation: 2 w + b + 2 products + 2 sums + tanh
    assert len(members) == 3 + 2 + 2 + 1


def test_collapse_draws_one_box_per_neuron_with_edges_from_inputs():
    model, x, out = small_mlp_output()
    g = viz.draw_dot(out, group="collapse")
    assert g.n_neurons == 3 and g.n_ops == 0 and g.n_values == 2  # x1, x2 and three boxes
    assert repr(g) == "<Graph: 2 values, 0 ops, 3 neurons>"
    assert g.source.count("Mrecord") == 3
    assert 'L1 N1 | out' in g.source and 'L2 N1 | out' in g.source
    assert len(edges(g.source)) == g.n_edges == 2 * 2 + 2  # each L1 box from x1, x2; the L2 box from both L1 boxes


def test_graph_too_large_error_is_raised_before_rendering(monkeypatch):
    x = Value(1.0, label="x")
    for _ in range(300):
        x = x * 1.01
    monkeypatch.setattr(viz, "render", lambda *a, **k: pytest.fail("must not render"))
    with pytest.raises(viz.GraphTooLargeError) as info:
        viz.draw_dot(x)
    message = str(info.value)
    assert "901 nodes" in message and "max_nodes=500" in message
    assert "group='collapse'" in message and "max_nodes=901" in message
    assert isinstance(info.value, ValueError)
    assert viz.draw_dot(x, max_nodes=1000).node_count == 901


HOSTILE = ['{', '}', '|', '<', '>', '"', "\\", 'a\nb', 'ü∂λ ✓ 漢字', 'x{y|z}<p>"q"\\n\\', 'end\\']


def hostile_graph():
    values = [Value(float(i), label=text) for i, text in enumerate(HOSTILE)]
    total = values[0]
    for v in values[1:]:
        total = total + v
    total.label = '<<"L">>'
    return total


def test_hostile_labels_render_with_graphviz_pure(monkeypatch):
    monkeypatch.setenv("MICROGRAD_RENDERER", str(PURE))
    g = viz.draw_dot(hostile_graph(), title='title with "quotes" \\ and\nnewline')
    svg = g.svg()
    assert "<svg" in svg
    assert "漢字" in svg and "&lt;&lt;&quot;L&quot;&gt;&gt;" in svg


@pytest.mark.skipif(shutil.which("dot") is None, reason="no system Graphviz `dot` on this machine")
def test_hostile_labels_render_with_system_dot(monkeypatch):
    monkeypatch.setenv("MICROGRAD_RENDERER", "system")
    assert "<svg" in viz.draw_dot(hostile_graph()).svg()


def test_svg_png_dot_save_and_repr_svg(tmp_path, pure_renderer):
    g = viz.draw_dot(lecture_expression()["L"])
    assert g._repr_svg_() is g.svg()  # cached
    assert g.png()[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix in (".svg", ".png", ".dot"):
        g.save(tmp_path / f"g{suffix}")
        assert (tmp_path / f"g{suffix}").stat().st_size > 0
    with pytest.raises(ValueError, match="extension"):
        g.save(tmp_path / "g.jpeg")


def test_side_by_side_places_svgs_next_to_each_other(pure_renderer):
    x = Value(0.5, label="x")
    atomic = viz.draw_dot(x.tanh())
    e = (2 * x).exp()
    built = viz.draw_dot((e - 1) / (e + 1))
    out = viz.side_by_side(atomic, built, titles=("tanh", "from exp"))._repr_html_()
    assert out.count("<svg") == 2 and "display:flex" in out and "from exp" in out


# ----------------------------------------------------------------------------------------------
# Renderer lookup
# ----------------------------------------------------------------------------------------------

def test_missing_renderer_message(monkeypatch, tmp_path):
    monkeypatch.delenv("MICROGRAD_RENDERER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(viz.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(viz.RendererNotFoundError) as info:
        viz.renderer_info()
    message = str(info.value)
    assert "pip install graphviz-pure" in message
    assert "apt install graphviz" in message and "brew install graphviz" in message
    assert "MICROGRAD_RENDERER" in message
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(viz.RendererNotFoundError):
        viz.draw_dot(Value(1.0)).svg()


def test_renderer_env_var_forces_choice(monkeypatch, tmp_path):
    monkeypatch.setenv("MICROGRAD_RENDERER", "pure")
    info = viz.renderer_info()
    assert info.name == "graphviz-pure" and info["path"] == str(PURE)
    monkeypatch.setenv("MICROGRAD_RENDERER", str(PURE))
    assert viz.renderer_info().path == str(PURE)
    monkeypatch.setenv("MICROGRAD_RENDERER", str(tmp_path / "nope"))
    with pytest.raises(viz.RendererNotFoundError, match="not an executable"):
        viz.renderer_info()
    if shutil.which("dot") is None:
        monkeypatch.setenv("MICROGRAD_RENDERER", "system")
        with pytest.raises(viz.RendererNotFoundError, match="system"):
            viz.renderer_info()


def test_default_prefers_system_dot_then_pure(monkeypatch, tmp_path):
    monkeypatch.delenv("MICROGRAD_RENDERER", raising=False)
    fake_dot = tmp_path / "dot"
    fake_dot.write_text("#!/bin/sh\nexit 0\n")
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert viz.renderer_info().name == "system"
    fake_dot.unlink()
    assert viz.renderer_info().name == "graphviz-pure"  # found next to sys.executable


def test_render_error_is_readable(pure_renderer):
    with pytest.raises(viz.RenderError) as info:
        viz.render("digraph { a -> }")
    assert "syntax error" in str(info.value) and "graph.source" in str(info.value)


def test_check_renderer_message(pure_renderer):
    assert "graphviz-pure" in viz.check_renderer()


# ----------------------------------------------------------------------------------------------
# BackpropStepper
# ----------------------------------------------------------------------------------------------

def grads(ex):
    return {k: v.grad for k, v in ex.items()}


def test_stepper_step_count_and_final_grads_match_backward():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    assert s.n_steps == 3 and s.position == -1 and not s.done and s.current is None
    assert repr(s) == "<BackpropStepper before step 0 of 3>"
    assert repr(s.step()) == "<BackpropStepper step 0 of 3>"
    assert s.run() is s and s.done
    reference = lecture_expression()
    reference["L"].backward()
    assert grads(ex) == grads(reference)
    assert grads(ex) == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "e": -2.0, "d": -2.0, "L": 1.0}


def test_stepper_on_mlp_matches_backward():
    model, x, out = small_mlp_output(seed=5)
    s = viz.BackpropStepper(out)
    n_ops = sum(1 for n in out.topological_order() if n._prev)
    assert s.n_steps == n_ops
    s.run()
    got = [p.grad for p in model.parameters()] + [v.grad for v in x]
    model2, x2, out2 = small_mlp_output(seed=5)
    out2.backward()
    assert got == [p.grad for p in model2.parameters()] + [v.grad for v in x2]


def test_stepper_cards_on_the_lecture_example():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    assert "nothing applied yet" in s.card_text()
    assert "queue: seed L, L (*), d (+), e (*)" in s.card_text()
    s.step()
    assert s.current.is_seed and ex["L"].grad == 1.0
    assert "dL/dL = 1" in s.card_text()
    s.step()
    text = s.card_text()
    assert text.startswith("step 1 of 3: node 'L' (*)")
    assert "upstream grad dL/dL = 1.0000" in text
    assert "d: local -2.0000 \u00d7 upstream 1.0000 = -2.0000   grad 0.0000 \u2192 -2.0000" in text
    assert "f: local 4.0000 \u00d7 upstream 1.0000 = 4.0000   grad 0.0000 \u2192 4.0000" in text
    assert text.endswith("queue: d (+), e (*)")
    s.step(2)
    text = s.card_text()
    assert "a: local -3.0000 \u00d7 upstream -2.0000 = 6.0000" in text
    assert "b: local 2.0000 \u00d7 upstream -2.0000 = -4.0000" in text
    assert "queue: (empty)" in text


def test_stepper_card_html_table(pure_renderer):
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(2)
    out = s._repr_html_()
    assert "<svg" in out and "<table" in out
    assert "step 1 of 3: node &#x27;L&#x27; (*)" in out
    assert "<td style=\"border:1px solid #ccc;padding:2px 8px;text-align:right\">0.0000 \u2192 -2.0000</td>" in out


def test_stepper_display_marks_active_receiving_done_and_edges():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(3)  # seed, L, d: now at node d
    src = s.graph().source
    assert f'color="{viz.MARKS["active"][0]}"' in node_line(src, "v5")      # d is active
    assert f'color="{viz.MARKS["receiving"][0]}"' in node_line(src, "v3")   # e receives
    assert f'color="{viz.MARKS["receiving"][0]}"' in node_line(src, "v4")   # c receives
    assert "{ L (done) |" in node_line(src, "v7") and viz.MARKS["done"][0] in node_line(src, "v7")
    assert viz.EDGE_MARK[0] in next(ln for ln in src.splitlines() if ln.startswith("v3 -> o5"))
    assert viz.EDGE_MARK[0] not in next(ln for ln in src.splitlines() if ln.startswith("v5 -> o7"))


def test_back_goto_reset_restore_grads_exactly():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    snapshots = {}
    for k in range(-1, s.n_steps + 1):  # position k: steps 0..k applied
        s.goto(k)
        snapshots[k] = grads(ex)
    for k in reversed(range(-1, s.n_steps + 1)):
        s.goto(k)
        assert grads(ex) == snapshots[k], k
    s.goto(3).back()
    assert s.position == 2 and grads(ex) == snapshots[2]
    s.run()
    assert grads(ex) == snapshots[3]
    s.reset()
    assert s.position == -1 and grads(ex) == snapshots[-1]
    with pytest.raises(ValueError, match="positions run from -1"):
        s.goto(99)
    assert s.back(5).position == -1 and s.step(99).position == s.n_steps


def test_seed_back_restores_previous_root_grad():
    ex = lecture_expression()
    ex["L"].grad = 0.25
    s = viz.BackpropStepper(ex["L"]).step()
    assert ex["L"].grad == 1.0
    s.back()
    assert ex["L"].grad == 0.25


def test_a_plus_a_accumulates_in_two_slots():
    a = Value(3.0, label="a")
    out = a + a
    out.label = "out"
    s = viz.BackpropStepper(out).step(2)
    (first, second) = s.current.slots
    assert (first.before, first.after, second.before, second.after) == (0.0, 1.0, 1.0, 2.0)
    assert "grad 0.0000 \u2192 1.0000" in s.card_text() and "grad 1.0000 \u2192 2.0000" in s.card_text()
    s.back()
    assert a.grad == 0.0
    s.step()
    assert a.grad == 2.0


def test_stepper_uses_backward_steps(monkeypatch):
    ex = lecture_expression()
    calls = []
    original = Value.backward_steps

    def spy(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Value, "backward_steps", spy)
    s = viz.BackpropStepper(ex["L"])
    assert calls == []  # lazy: nothing is applied before the first step
    s.run().reset().run()
    assert calls == [ex["L"]]


def test_player_has_one_frame_per_position_and_no_urls(tmp_path, pure_renderer):
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(2)
    player = s.player()
    out = player._repr_html_()
    assert out.count('class="mg-frame"') == s.n_steps + 2  # "before step 0", then steps 0..n
    # One numbering: the slider's value is k and the counter says "step k of n", like the card.
    assert 'min="-1" max="3" value="-1"' in out
    assert player.labels == ["before step 0 of 3", "step 0 of 3", "step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert s.card_text().startswith("step 1 of 3")
    assert "http" not in out
    assert re.search(r'id="mgplayer-\d+"', out)
    assert s.position == 1  # the learner's position is restored
    path = player.save(tmp_path / "player.html")
    assert "http" not in path.read_text(encoding="utf-8")
    assert player.element_id != s.player().element_id  # counter, not random


def test_to_gif_writes_one_frame_per_position(tmp_path, pure_renderer):
    from PIL import Image
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    path = s.to_gif(tmp_path / "backprop.gif", ms_per_frame=500)
    with Image.open(path) as im:
        assert im.n_frames == s.n_steps + 2
    assert s.position == -1 and ex["a"].grad == 0.0


# ----------------------------------------------------------------------------------------------
# ForwardStepper
# ----------------------------------------------------------------------------------------------

def test_forward_stepper_reveals_in_build_order(pure_renderer):
    ex = lecture_expression()
    s = viz.draw_forward(ex["L"])
    assert isinstance(s, viz.ForwardStepper) and s.n_steps == 7
    assert repr(s) == "<ForwardStepper step 0 of 7>"
    src = s.graph().source
    assert src.count('style="invis"') >= 7 + 3
    s.step(3)
    assert s.current is ex["e"]
    assert "e = a * b = -6.0000" in s.card_text()
    src = s.graph().source
    assert 'style="invis"' not in node_line(src, "v3") and 'style="invis"' in node_line(src, "v4")
    assert viz.MARKS["new"][0] in node_line(src, "v3")
    assert s.player()._repr_html_().count('class="mg-frame"') == 8
    assert all(v.grad == 0.0 for v in ex.values())


# ----------------------------------------------------------------------------------------------
# Numbers and plots
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_scores_matches_engine(activation):
    random.seed(7)
    model = MLP(2, [5, 4, 1], activation=activation, output_activation="tanh")
    points = np.array([[0.3, -1.2], [2.0, 0.5], [-0.7, -0.1], [10.0, -8.0]])
    fast = viz.mlp_scores(model, points)
    slow = [model([Value(p[0]), Value(p[1])]).data for p in points]
    assert fast.shape == (4,)
    assert np.max(np.abs(fast - np.array(slow))) < 1e-12


def test_mlp_scores_multi_output_shape():
    random.seed(2)
    model = MLP(3, [4, 2])
    assert viz.mlp_scores(model, np.zeros((5, 3))).shape == (5, 2)


def test_plot_helpers_return_figures():
    figs = [
        viz.plot_function(lambda x: 3 * x ** 2 - 4 * x + 5, tangents_at=(1.0, 2 / 3), title="f"),
        viz.plot_curves({"loss": [3, 2, 1.5], "accuracy": [0.5, 0.7, 0.9]}),
        viz.plot_curves({"loss": [3, 2, 1.5]}),
    ]
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([-1, 1, 1, -1])
    figs.append(viz.plot_decision_boundary(lambda P: P[:, 0] + P[:, 1] - 1, X, y, resolution=20))
    figs.append(viz.plot_boundary_snapshots([("a", lambda P: P[:, 0] - 0.5), ("b", lambda P: P[:, 1] - 0.5)], X, y))
    for fig in figs:
        assert isinstance(fig, matplotlib.figure.Figure)
    labels = [t.get_text() for t in figs[0].axes[0].get_legend().get_texts()]
    assert "slope at x=1: 2.0000" in labels
    assert len(figs[1].axes) == 2
    assert len(figs[4].axes) == 3
    plt.close("all")
