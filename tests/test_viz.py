"""Tests for viz.py: mostly on the DOT text and structure; a few render with the real binaries."""

import io
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

import micrograd_core  # noqa: E402
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
# What each node looks like: the records (NodeLook / EdgeLook) the DOT printer prints
# ----------------------------------------------------------------------------------------------

def arrows(graph):
    return [(e.tail, e.head) for e in graph.edges]


def test_lecture_graph_counts_and_repr():
    g = viz.draw_dot(lecture_expression()["L"])
    assert (g.n_values, g.n_ops, g.node_count) == (7, 3, 10)
    assert repr(g) == "<Graph: 7 values, 3 ops>"
    assert len(g.edges) == g.n_edges == 6 + 3  # one per argument slot, plus op -> value
    assert len(edges(g.source)) == g.n_edges  # the printer prints every arrow record, once
    assert [look.kind for look in g.nodes].count("op") == 3


def test_unknown_option_is_explained():
    with pytest.raises(TypeError, match="unknown option.*colour"):
        viz.draw_dot(Value(1.0), colour="grad")
    with pytest.raises(ValueError, match="unknown mark 'glow'"):
        viz.draw_dot(Value(1.0), marks=viz.Marks({}, listed=["glow"]))
    with pytest.raises(ValueError, match="expand="):
        viz.draw_dot(Value(1.0), expand=[object()])


@pytest.mark.parametrize("op", ["+", "*"])
def test_same_value_in_both_slots_gives_two_edges(op):
    a = Value(3.0, label="a")
    out = a + a if op == "+" else a * a
    g = viz.draw_dot(out)
    assert arrows(g).count(("v1", "o2")) == 2
    assert ("o2", "v2") in arrows(g)
    assert edges(g.source).count(("v1", "o2")) == 2


def test_records_hold_label_data_grad_with_four_decimals():
    ex = lecture_expression()
    g = viz.draw_dot(ex["L"])
    a = g.look(ex["a"])
    assert (a.id, a.kind, a.text, a.data, a.grad, a.role) == ("v1", "value", "a", "2.0000", "0.0000", "input")
    assert g.op_look(ex["L"]).text == "*" and g.op_look(ex["L"]).kind == "op"
    assert viz.draw_dot(Value(1.0)).nodes[0].text == ""  # no label: no label field
    # The printer: the label above the numbers (a column) in every rankdir.
    assert 'label="a | data 2.0000 | grad 0.0000"' in g.source
    tb = viz.draw_dot(ex["L"], rankdir="TB").source
    assert 'label="{ a | data 2.0000 | grad 0.0000 }"' in tb


def test_show_grad_false_hides_grad_field():
    g = viz.draw_dot(lecture_expression()["L"], show_grad=False, legend=False)
    assert all(look.grad is None for look in g.nodes)
    assert "grad" not in g.source


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
    assert [look.text for look in g.nodes].count("x") == 1
    assert g.n_ops == 2
    assert g.look(y1).role == g.look(y2).role == "output"


def test_role_colours_and_legend():
    model, x, out = small_mlp_output()
    g = viz.draw_dot(out)
    w = model.layers[0].neurons[0].w[0]
    inner = out._prev[0]  # the sum inside the output neuron
    for value, role in ((x[0], "input"), (w, "parameter"), (out, "output"), (inner, "intermediate")):
        assert g.look(value).role == role and g.look(value).fill == viz.ROLE_COLOURS[role]
    for role in viz.ROLES:
        assert f">{role}</td>" in g.source
    assert ">input</td>" not in viz.draw_dot(out, legend=False).source


def test_legend_is_shown_where_it_helps_and_is_one_row():
    ex = lecture_expression()
    assert "<table" not in viz.draw_dot(ex["L"]).source  # inputs, ops, output: nothing to explain
    assert ">input</td>" in viz.draw_dot(ex["L"], legend=True).source
    grad = viz.draw_dot(ex["L"], color="grad").source
    assert "grad &lt; 0" in grad and "grad &gt; 0" in grad
    assert grad.count("<tr>") == 2  # one row of legend cells inside the one-column label table
    assert "highlighted" in viz.draw_dot(ex["L"], highlight=[ex["d"]]).source


def test_explicit_params_kwarg_marks_parameters():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    g = viz.draw_dot(w * x, params=[w])
    assert g.look(w).role == "parameter" and g.look(x).role == "input"


def test_grad_colouring_by_sign_and_size():
    ex = lecture_expression()
    ex["L"].backward()
    g = viz.draw_dot(ex["L"], color="grad")
    # a.grad = 6 is the largest |grad|: the strongest blue; b.grad = -4: red
    assert g.look(ex["a"]).fill == viz.grad_colour(6.0, 6.0)
    assert g.look(ex["b"]).fill == viz.grad_colour(-4.0, 6.0)
    assert viz.grad_colour(-4.0, 6.0) != viz.grad_colour(-2.0, 6.0)
    plain = viz.draw_dot(ex["L"], color=None)
    assert {look.fill for look in plain.nodes} == {"#ffffff"} and "grad &lt; 0" not in plain.source


def test_grad_colour_handles_zero_and_nonfinite():
    assert viz.grad_colour(0.0, 5.0) == "#ffffff"
    assert viz.grad_colour(math.nan, 5.0) == viz.NONFINITE_COLOUR


def test_highlight_nodes_and_edges():
    ex = lecture_expression()
    g = viz.draw_dot(ex["L"], highlight=[ex["d"]], highlight_edges=[(ex["d"], ex["L"])])
    assert g.look(ex["d"]).highlighted and not g.look(ex["e"]).highlighted
    marked = [(e.tail, e.head) for e in g.edges if e.marked]
    assert marked == [("v5", "o7")]
    colour, width, _ = viz.MARKS["highlight"]
    assert f'color="{colour}"' in node_line(g.source, "v5") and f'penwidth="{width}"' in node_line(g.source, "v5")
    assert f'color="{viz.EDGE_MARK[0]}"' in next(ln for ln in g.source.splitlines() if ln.startswith("v5 -> o7"))


def test_group_neuron_clusters_nested_in_layers():
    random.seed(1)
    model = MLP(2, [3, 2, 1])
    out = model([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    g = viz.draw_dot(out, group="neuron")
    layer_clusters = re.findall(r'subgraph cluster_l\d+ \{\nlabel="(L\d)"', g.source)
    neuron_clusters = re.findall(r'subgraph cluster_n\d+ \{\nlabel="(L\d N\d)"', g.source)
    assert layer_clusters == ["L1", "L2", "L3"]
    assert neuron_clusters == ["L1 N1", "L1 N2", "L1 N3", "L2 N1", "L2 N2", "L3 N1"]
    assert g.look(model.layers[1].neurons[0].w[0]).cluster == "L2 N1"
    # Nesting: each neuron cluster sits inside its layer's braces.
    body_l2 = g.source.split('label="L2"')[1].split('label="L3"')[0]
    assert 'label="L2 N1"' in body_l2 and 'label="L2 N2"' in body_l2 and 'label="L1 N1"' not in body_l2


def test_neuron_cluster_holds_its_parameters_and_not_the_inputs():
    model, x, out = small_mlp_output()
    g = viz.draw_dot(out, group="neuron")
    n11 = model.layers[0].neurons[0]
    members = [look for look in g.nodes if look.cluster == n11.name and look.kind != "op"]
    assert all(g.look(p).cluster == n11.name for p in n11.parameters())
    assert g.look(x[0]).cluster is None and g.look(x[1]).cluster is None
    # weights*inputs, the sums, and the activation: 2 w + b + 2 products + 2 sums + tanh
    assert len(members) == 3 + 2 + 2 + 1


def test_collapse_draws_one_box_per_neuron_with_edges_from_inputs():
    model, x, out = small_mlp_output()
    g = viz.draw_dot(out, group="collapse")
    assert g.n_neurons == 3 and g.n_ops == 0 and g.n_values == 2  # x1, x2 and three boxes
    assert repr(g) == "<Graph: 2 values, 0 ops, 3 neurons>"
    boxes = [look for look in g.nodes if look.kind == "neuron"]
    assert [b.text for b in boxes] == ["L1 N1", "L1 N2", "L2 N1"] and boxes[-1].data == viz.fmt(out.data)
    assert g.source.count("Mrecord") == 3
    assert len(g.edges) == g.n_edges == 2 * 2 + 2  # each L1 box from x1, x2; the L2 box from both L1 boxes


def test_collapsed_neurons_are_laid_out_in_their_layers_order():
    # Without ordering=out the layout put L1 N7..N16 before N1..N6 in notebook 10's 2-16-16-1 drawing.
    random.seed(0)
    out = MLP(2, [16, 16, 1])([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    svg = viz.draw_dot(out, group="collapse", rankdir="TB").svg()
    xs = {}
    for x, name in re.findall(r'<text[^>]*\bx="([-\d.]+)"[^>]*>(L1 N\d+)</text>', svg):
        xs.setdefault(name, float(x))
    assert len(xs) == 16
    assert [xs[f"L1 N{j}"] for j in range(1, 17)] == sorted(xs.values())


def test_expand_draws_one_neuron_in_full_and_the_others_collapsed():
    random.seed(0)
    model = MLP(2, [3, 1], activation="tanh", output_activation="tanh")
    out = model([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    first = model.layers[0].neurons[0]
    full = viz.draw_dot(out, group="neuron")
    g = viz.draw_dot(out, group="neuron", expand=first)
    assert [look.text for look in g.nodes if look.kind == "neuron"] == ["L1 N2", "L1 N3", "L2 N1"]
    assert all(g.look(p).cluster == "L1 N1" for p in first.parameters())
    assert g.node_count < full.node_count / 2
    assert viz.draw_dot(out, group="collapse", expand=[first]).source == g.source
    assert 'label="L1"' in g.source  # the layer's box holds the full neuron and the two boxes


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


def test_one_topological_sort_per_drawing_and_per_stepper(monkeypatch):
    ex = lecture_expression()
    calls = []
    original = Value.topological_order

    def counting(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(Value, "topological_order", counting)
    viz.draw_dot(ex["L"])
    assert len(calls) == 1
    calls.clear()
    s = viz.BackpropStepper(ex["L"])
    assert len(calls) == 1
    s.run()  # the engine's backward walk sorts once for itself
    calls.clear()
    for k in range(s.n_steps + 1):
        s.goto(k).graph(with_card=True)
    s.player()
    assert calls == []  # every frame reuses the stepper's one plan


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
    assert [look.text for look in g.nodes if look.kind == "value" and not look.value._prev] == HOSTILE


@pytest.mark.skipif(shutil.which("dot") is None, reason="no system Graphviz `dot` on this machine")
def test_hostile_labels_render_with_system_dot(monkeypatch):
    monkeypatch.setenv("MICROGRAD_RENDERER", "system")
    g = viz.draw_dot(hostile_graph())
    assert "<svg" in g.svg() and g.png()[:8] == b"\x89PNG\r\n\x1a\n"


def png_size(data):
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        return im.size


def test_every_display_carries_svg_png_and_text(pure_renderer):
    ex = lecture_expression()
    bundle = viz.draw_dot(ex["L"])._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert "a  data 2.0000  grad 0.0000  (input)" in bundle["text/plain"]
    # PNG at screen resolution: 96 dpi, the same size in pixels as the drawing in a 1,040 px column.
    width, height = viz.svg_size_px(viz.draw_dot(ex["L"]).svg())
    assert abs(png_size(bundle["image/png"])[0] - width) <= 2
    assert viz.png_smallest_text_px(bundle["image/png"]) == pytest.approx(11 * 96 / 72, abs=0.01)


def test_a_displayed_svg_is_as_wide_as_its_column_and_shrinks_with_it(pure_renderer):
    # JupyterLab draws an SVG output as an <img> at the width its root states, with no max-width:
    # the root says 100%, and the viewBox reaches the reference width (1,040 px), left-aligned.
    ex = lecture_expression()
    stepper = viz.BackpropStepper(ex["L"]).step(2)
    pair = viz.side_by_side(viz.draw_dot(ex["L"]), viz.draw_dot(ex["e"]))
    small = viz.draw_dot(ex["e"])
    for shown, fixed in ((small._repr_mimebundle_()["image/svg+xml"], small.svg()),
                         (stepper._repr_mimebundle_()["image/svg+xml"], stepper.graph(with_card=True).svg()),
                         (pair._repr_mimebundle_()["image/svg+xml"], pair.svg())):
        root = re.search(r"<svg\b[^>]*>", shown).group(0)
        assert 'width="100%"' in root and "height=" not in root.replace("max-height", "")
        assert 'preserveAspectRatio="xMinYMin meet"' in root and 'style="max-width:1040px"' in root
        box = [float(v) for v in re.search(r'viewBox="([^"]*)"', root).group(1).split()]
        fixed_box = [float(v) for v in re.search(r'viewBox="([^"]*)"', fixed).group(1).split()]
        width, height = viz.svg_size_px(fixed)
        assert box[:2] == fixed_box[:2] and box[3] == fixed_box[3]
        assert box[2] == pytest.approx(fixed_box[2] * 1040 / width, rel=1e-3)  # room on the right, up to 1,040 px
        assert viz.svg_size_px(shown) == pytest.approx((1040, 1040 * box[3] / box[2]))
        # The same text at the same size in a 1,040 px column; 848 px (JupyterLab beside its file
        # browser) shrinks every drawing by the same 88%.
        assert [t for t, _ in viz.text_sizes_px(shown)] == [t for t, _ in viz.text_sizes_px(fixed)]
        assert [v for _, v in viz.text_sizes_px(shown)] == pytest.approx([v for _, v in viz.text_sizes_px(fixed)],
                                                                          rel=1e-3)
        assert viz.shown_text_px(shown, column_px=848) == pytest.approx(
            min(v for _, v in viz.text_sizes_px(fixed)) * 848 / 1040, rel=1e-3)
        import xml.dom.minidom
        xml.dom.minidom.parseString(shown[shown.find("<svg"):].encode("utf-8"))
    previous = viz.lecture_mode(True)
    try:
        assert 'style="max-width:1200px"' in viz.draw_dot(ex["L"])._repr_mimebundle_()["image/svg+xml"]
    finally:
        viz.lecture_mode(previous)


def test_shown_text_size_counts_the_column_and_nested_pictures(pure_renderer):
    ex = lecture_expression()
    svg = viz.draw_dot(ex["L"]).svg()
    width = viz.svg_size_px(svg)[0]
    eleven_pt = 11 * 96 / 72
    assert {round(size, 2) for _, size in viz.text_sizes_px(svg)} == {round(eleven_pt, 2)}
    assert viz.shown_text_px(svg, column_px=2000) == pytest.approx(eleven_pt)
    assert viz.shown_text_px(svg, column_px=width / 2) == pytest.approx(eleven_pt / 2)
    pair = viz.side_by_side(viz.draw_dot(ex["L"]), viz.draw_dot(ex["L"])).svg()  # two rows, shrunk
    assert viz.shown_text_px(pair, column_px=2000) < eleven_pt
    forward = viz.ForwardStepper(ex["L"]).graph().svg()  # nothing built yet: only the legend shows
    assert {t for t, _ in viz.text_sizes_px(forward)} == {"input", "intermediate", "output", "just created",
                                                           "still to build"}


def test_wide_graphs_are_scaled_to_fit_the_column(pure_renderer):
    x = Value(1.0, label="x")
    for i in range(20):
        x = x * 1.01
    g = viz.draw_dot(x)
    raw_width = viz.svg_size_px(g._raw_svg())[0]
    assert raw_width > 1000
    assert viz.svg_size_px(g.svg())[0] <= 1040 + 1
    assert png_size(g.png())[0] <= 1040 + 2


def test_a_tall_drawing_is_scaled_to_fit_a_slide_with_its_code(pure_renderer):
    x = Value(1.0, label="x")
    for i in range(12):
        x = x * 1.01
    g = viz.draw_dot(x, rankdir="TB")  # a column of 25 boxes, far taller than a screen
    raw_width, raw_height = viz.svg_size_px(g._raw_svg())
    assert raw_height > 1000
    width, height = viz.svg_size_px(g.svg())
    assert height <= 520 + 1
    assert width / height == pytest.approx(raw_width / raw_height, rel=0.02)  # shrunk, not squashed
    assert png_size(g.png())[1] <= 520 + 2
    short = viz.draw_dot(Value(2.0, label="a") * 3)
    assert viz.svg_size_px(short.svg()) == viz.svg_size_px(short._raw_svg())  # small ones untouched


def test_side_by_side_rows_together_fit_a_slide_with_their_code(pure_renderer):
    def wide_and_tall():  # a sum of six products: each drawing fills a row of its own
        terms = [Value(float(i), label=f"x{i}") * Value(0.5, label=f"w{i}") for i in range(6)]
        return viz.draw_dot(sum(terms[1:], terms[0]))

    pair = viz.side_by_side(wide_and_tall(), wide_and_tall(), titles=("first", "second"))
    heights = [viz.svg_size_px(g.svg())[1] for g in pair.graphs]
    width, height = viz.svg_size_px(pair.svg())
    assert sum(heights) > 520  # two rows, stacked: taller than the limit before scaling
    assert height <= 520 + 1 and width <= 1040 + 1
    assert png_size(pair.png())[1] <= 520 + 2


def test_lecture_mode_bigger_text_and_slide_sized_pictures(pure_renderer):
    ex = lecture_expression()
    assert "fontsize=11" in viz.draw_dot(ex["L"]).source
    previous = viz.lecture_mode(True)
    try:
        assert "fontsize=16" in viz.draw_dot(ex["L"]).source
        s = viz.BackpropStepper(ex["L"]).step(3)
        width, height = viz.svg_size_px(s._repr_mimebundle_()["image/svg+xml"])
        assert width <= 1200 + 1 and height <= 600 + 1  # graph and card on one 1280x800 slide
        assert viz.shown_text_px(s._repr_mimebundle_()["image/svg+xml"], column_px=1198) >= 18  # on a RISE slide
        player = s.player()
        assert "font-size:20px" in player.frames[0]
        frame_heights = [viz.svg_size_px(frame)[1] for frame in player.frames]
        assert max(frame_heights) <= 380 + 1  # room for the card under each frame on the slide
    finally:
        viz.lecture_mode(previous)
    assert "fontsize=11" in viz.draw_dot(ex["L"]).source


def test_svg_png_dot_save_and_render_like_the_lecture(tmp_path, pure_renderer):
    g = viz.draw_dot(lecture_expression()["L"])
    assert g.png()[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix in (".svg", ".png", ".dot"):
        g.save(tmp_path / f"g{suffix}")
        assert (tmp_path / f"g{suffix}").stat().st_size > 0
    with pytest.raises(ValueError, match="extension"):
        g.save(tmp_path / "g.jpeg")
    picture = g.render(str(tmp_path / "gout"), format="png", view=False)
    assert picture == str(tmp_path / "gout.png") and Path(picture).read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "gout").read_text(encoding="utf-8") == g.source


def test_side_by_side_is_one_svg_and_one_png(pure_renderer):
    x = Value(0.5, label="x")
    atomic = viz.draw_dot(x.tanh())
    e = (2 * x).exp()
    built = viz.draw_dot((e - 1) / (e + 1))
    bundle = viz.side_by_side(atomic, built, titles=("tanh", "from exp"))._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert svg.count("<svg") == 3 and "from exp" in svg
    import xml.dom.minidom
    xml.dom.minidom.parseString(svg.encode("utf-8"))  # well-formed: browsers draw it as one image
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.svg_size_px(svg)[0] <= 1040 + 1  # too wide side by side: the second goes below


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
    assert info.name == "graphviz-pure" and info.path == str(PURE)
    monkeypatch.setenv("MICROGRAD_RENDERER", str(PURE))
    assert viz.renderer_info().path == str(PURE)
    monkeypatch.setenv("MICROGRAD_RENDERER", str(tmp_path / "nope"))
    with pytest.raises(viz.RendererNotFoundError, match="not an executable"):
        viz.renderer_info()
    if shutil.which("dot") is None:
        monkeypatch.setenv("MICROGRAD_RENDERER", "system")
        with pytest.raises(viz.RendererNotFoundError, match="system"):
            viz.renderer_info()


def test_default_prefers_pure_then_system_dot(monkeypatch, tmp_path):
    """graphviz-pure first (the same drawing everywhere, so live runs match the stored outputs)."""
    monkeypatch.delenv("MICROGRAD_RENDERER", raising=False)
    fake_dot = tmp_path / "dot"
    fake_dot.write_text("#!/bin/sh\nexit 0\n")
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    info = viz.renderer_info()  # graphviz-pure is found next to sys.executable, before any dot
    assert info.name == "graphviz-pure" and "default" in info.reason
    monkeypatch.setattr(viz.sys, "executable", str(tmp_path / "python"))  # no graphviz-pure now
    info = viz.renderer_info()
    assert info.name == "system" and info.path == str(fake_dot)
    assert "graphviz-pure is not installed" in info.reason and "pip install graphviz-pure" in info.reason
    monkeypatch.setenv("MICROGRAD_RENDERER", "system")
    assert viz.renderer_info().reason == "MICROGRAD_RENDERER=system chose it"


def test_render_error_is_readable(pure_renderer):
    with pytest.raises(viz.RenderError) as info:
        viz.render("digraph { a -> }")
    assert "syntax error" in str(info.value) and "graph.source" in str(info.value)


def test_check_renderer_message_says_which_and_why(monkeypatch):
    monkeypatch.delenv("MICROGRAD_RENDERER", raising=False)
    assert viz.check_renderer() == ("Graphviz works: graphs are drawn by graphviz-pure (the default: "
                                    "installed with the series, it draws the same bytes on every machine).")
    monkeypatch.setenv("MICROGRAD_RENDERER", "pure")
    assert viz.check_renderer().endswith("(MICROGRAD_RENDERER=pure chose it).")


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
    assert "no step taken yet" in s.card_text()
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


def test_stepper_shows_graph_and_card_as_one_picture(pure_renderer):
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(2)
    bundle = s._repr_mimebundle_()
    # No HTML: GitHub's kind of view would show it first and keep no picture; the PNG has the card.
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert bundle["text/plain"] == s.card_text()
    assert "step 1 of 3: node &#39;L&#39; (*)" in bundle["image/svg+xml"] or \
        "step 1 of 3: node 'L' (*)" in bundle["image/svg+xml"]
    html_card = s.card().html()
    cell = '<td style="border:1px solid #ccc;padding:2px 8px;text-align:right">'
    assert cell + "0.0000 \u2192 -2.0000</td>" in html_card


def test_stepper_display_marks_active_receiving_done_and_edges():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(3)  # seed, L, d: now at node d
    g = s.graph()
    assert g.look(ex["d"]).mark == "active"
    assert g.look(ex["e"]).mark == g.look(ex["c"]).mark == "receiving"
    assert g.look(ex["L"]).mark == "done" and g.look(ex["L"]).text == "L"  # a mark never changes the text
    assert g.look(ex["a"]).mark is None
    assert sorted((e.tail, e.head) for e in g.edges if e.marked) == [("v3", "o5"), ("v4", "o5")]
    assert 'style="filled,dashed"' in node_line(g.source, "v7")


def test_stepper_frames_keep_their_layout():
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    legends = []
    for _ in range(s.n_steps + 1):
        g = s.graph()
        legends.append(re.search(r"label=<.*>;", g.source).group(0))
        assert all('width="' in node_line(g.source, look.id) for look in g.nodes if look.kind == "value")
        s.step()
    assert len(set(legends)) == 1  # the legend names every mark from the first frame on


def test_step_numbering_is_the_same_in_card_repr_and_player(pure_renderer):
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    assert repr(s) == "<BackpropStepper before step 0 of 3>"
    assert s.card_text().startswith("before step 0 of 3")
    s.step()
    assert repr(s) == "<BackpropStepper step 0 of 3>" and s.card_text().startswith("step 0 of 3: seed")
    s.step(2)
    assert repr(s) == "<BackpropStepper step 2 of 3>" and s.card_text().startswith("step 2 of 3:")
    out = s.player()._repr_html_()
    captions = re.findall(r'data-caption="([^"]*)"', out)
    assert captions == ["before step 0 of 3", "step 0 of 3", "step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert "var k=3," in out and 'value=\\"3\\"' in out  # opens where the learner is


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


def test_stepper_takes_the_engines_own_steps_once_each(monkeypatch):
    ex = lecture_expression()
    calls = []
    original = micrograd_core._traced_step

    def spy(node, *args):
        calls.append(node)
        return original(node, *args)

    monkeypatch.setattr(micrograd_core, "_traced_step", spy)
    s = viz.BackpropStepper(ex["L"])
    assert calls == []  # lazy: nothing is applied before the first step
    s.run().reset().run()  # the second run replays the recorded numbers
    assert calls == [ex["L"], ex["d"], ex["e"]]


def test_stepper_rejects_marks_and_bad_options_early():
    ex = lecture_expression()
    with pytest.raises(TypeError, match="sets the marks itself"):
        viz.BackpropStepper(ex["L"], marks=viz.Marks())
    with pytest.raises(ValueError, match="color must be"):
        viz.BackpropStepper(ex["L"], color="rainbow")


def test_player_has_one_frame_per_position_a_still_picture_and_no_urls(tmp_path, pure_renderer):
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"]).step(2)
    player = s.player()
    out = player._repr_html_()
    assert out.count('class="mg-frame"') == s.n_steps + 2  # "before step 0", then steps 0..n
    assert out.count('hidden></div>') == s.n_steps + 3  # frames and buttons come with the script:
    assert "<button" not in out.split("<script>")[0]     # without it, nothing of the player shows
    assert "<svg" not in out.split("<script>")[0] and out.count("<script>") == 1
    assert "<img" not in out  # the still is an output of its own, never inside the HTML
    assert "grid-area:1/1" in out  # frames stacked in one cell: the player never changes size
    # One numbering: the counter says "step k of n", like the card and the repr.
    assert player.captions == ["before step 0 of 3", "step 0 of 3", "step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert player.start == 2 and s.card_text().startswith("step 1 of 3")
    assert "http" not in out
    assert re.search(r'id="mgplayer-\d+-[0-9a-f]{8}"', out)  # a counter and a digest of the frames
    assert s.position == 1  # the learner's position is restored
    path = player.save(tmp_path / "player.html")
    assert "http" not in path.read_text(encoding="utf-8") and "<img" not in path.read_text(encoding="utf-8")
    assert player.element_id != s.player().element_id  # counter, not random


def test_player_displays_a_still_picture_then_the_html_player(pure_renderer):
    # GitHub's sanitizer keeps no picture inside HTML: the still (PNG + the card as text) is its
    # own output, first; the player's script hides it where the script runs.
    from IPython.core.interactiveshell import InteractiveShell
    s = viz.BackpropStepper(lecture_expression()["L"]).step(2)
    player = s.player()
    still, html_output = player.outputs()
    banner = ("A still of the step-by-step player (step 1 of 3).\n"
              "To play it: run this cell, trust the notebook, or open the exported page.")
    assert still == {"image/png": player.png, "text/plain": banner + "\n" + s.card_text()}
    assert player.png.startswith(b"\x89PNG")
    assert set(html_output) == {"text/html", "image/png", "text/plain"} and html_output["text/html"] == player._repr_html_()
    assert html_output["image/png"] == player.png  # every output holding a drawing has its PNG
    assert ".jp-RenderedImage" in html_output["text/html"]  # it hides only a picture output before it
    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data)
    try:
        from IPython.display import display
        display(player)
    finally:
        InteractiveShell.clear_instance()
    assert [set(d) for d in shown] == [{"image/png", "text/plain"}, {"text/html", "image/png", "text/plain"}]
    assert not viz.Player(["<b>x</b>"]).outputs()[0].get("image/png")  # no PNG: only the player


def test_to_gif_writes_one_frame_per_position(tmp_path, pure_renderer):
    from PIL import Image
    ex = lecture_expression()
    s = viz.BackpropStepper(ex["L"])
    path = s.to_gif(tmp_path / "backprop.gif", ms_per_frame=500)
    with Image.open(path) as im:
        assert im.n_frames == s.n_steps + 2
    assert s.position == -1 and ex["a"].grad == 0.0


def test_an_untrusted_player_says_what_it_is_and_how_to_play_it(pure_renderer):
    s = viz.BackpropStepper(lecture_expression()["L"]).step(2)
    player = s.player()
    out = player._repr_html_()
    # Without its script (an untrusted notebook keeps the sanitized HTML), one line shows: no
    # button, no frame, but what this is and how to make it play.
    before_script = out.split("<script>")[0]
    note = re.search(r'<div class="mg-untrusted"[^>]*>(.*?)</div>', before_script).group(1)
    assert "step-by-step player" in note and "5 frames" in note and "step 1 of 3" in note
    assert "run this cell" in note and "trust the notebook" in note and "exported page" in note
    # The script removes the line, and finds its own player even where another has the same id.
    script = out.split("<script>")[1]
    assert "note.remove()" in script and "document.currentScript" in script and "closest('.mgplayer')" in script
    # The still picture (PNG) says the same, inside the picture, for viewers that show only it.
    assert player.outputs()[0]["text/plain"].startswith("A still of the step-by-step player (step 1 of 3).")
    still_dot = s.graph(with_card=True, banner="A still\nTo play it: run this cell").source
    assert "A still<br align=\"left\"/>To play it: run this cell" in still_dot
    # Frames and card shrink with the column: never wider than the output area.
    assert "grid-template-columns:minmax(0,1fr)" in out and "max-width:100%" in s.card().html()


def test_lecture_mode_makes_the_notebooks_text_big_too(monkeypatch):
    shown = []
    monkeypatch.setattr(viz, "_show_lecture_css", lambda on: shown.append(on))
    previous = viz.lecture_mode(True)
    try:
        assert viz.lecture_mode(False) is True
    finally:
        viz.lecture_mode(previous)
    assert shown[:2] == [True, False]
    on, off = viz.lecture_css_bundle(True), viz.lecture_css_bundle(False)
    assert on["text/html"].startswith("<style") and "--jp-content-font-size1:24px" in on["text/html"]
    assert "--jp-code-font-size:20px" in on["text/html"] and "pre-wrap" in on["text/html"]
    assert "--jp-content-font-size1:14px" in off["text/html"] and "lecture mode off" in off["text/plain"]
    assert "http" not in on["text/html"] + off["text/html"]


def test_lecture_css_shows_as_an_output_in_a_kernel_only(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    published = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: published.append(data)
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or type(sys)("ipykernel"))
    try:
        viz._show_lecture_css(True)
    finally:
        InteractiveShell.clear_instance()
    assert published == [viz.lecture_css_bundle(True)]
    monkeypatch.delitem(sys.modules, "ipykernel")
    viz._show_lecture_css(True)  # a script: nothing to show, nothing raised
    assert len(published) == 1


def test_labels_name_values_in_one_drawing_only(pure_renderer):
    ex = lecture_expression()
    g = viz.draw_dot(ex["L"], labels={ex["a"]: "embedding of '.', number 0", ex["f"]: "x" * 60})
    assert g.look(ex["a"]).text == "embedding of '.', number 0" and ex["a"].label == "a"
    assert g.look(ex["f"]).text == "x" * viz.LABEL_LIMIT
    assert "embedding of '.', number 0" in [t for t, _ in viz.text_sizes_px(g.svg())]
    with pytest.raises(TypeError, match="labels= maps Values"):
        viz.draw_dot(ex["L"], labels=["a"])


def test_compact_drawings_are_narrower_and_keep_their_text(pure_renderer):
    terms = [Value(float(i), label=f"x{i}") * Value(0.5, label=f"w{i}") for i in range(8)]
    out = sum(terms[1:], terms[0])
    loose, compact = viz.draw_dot(out, rankdir="TB"), viz.draw_dot(out, rankdir="TB", compact=True)
    assert "nodesep=0.06" in compact.source and 'margin="0.04,0.02"' in compact.source
    assert viz.svg_size_px(compact._raw_svg())[0] < 0.9 * viz.svg_size_px(loose._raw_svg())[0]
    assert [t for t, _ in viz.text_sizes_px(compact.svg())] == [t for t, _ in viz.text_sizes_px(loose.svg())]


def test_max_height_px_lets_one_drawing_be_taller(pure_renderer):
    x = Value(1.0, label="x")
    for _ in range(12):
        x = x * 1.01
    assert viz.svg_size_px(viz.draw_dot(x, rankdir="TB").svg())[1] <= 520 + 1
    tall = viz.draw_dot(x, rankdir="TB", max_height_px=680)
    assert 670 <= viz.svg_size_px(tall.svg())[1] <= 680 + 1
    assert png_size(tall.png())[1] == pytest.approx(viz.svg_size_px(tall.svg())[1], abs=2)
    with pytest.raises(ValueError, match="max_height_px"):
        viz.draw_dot(x, max_height_px=0)


# ----------------------------------------------------------------------------------------------
# ForwardStepper
# ----------------------------------------------------------------------------------------------

def test_forward_stepper_reveals_in_build_order(pure_renderer):
    ex = lecture_expression()
    s = viz.draw_forward(ex["L"])
    assert isinstance(s, viz.ForwardStepper) and s.n_steps == 7
    assert repr(s) == "<ForwardStepper step 0 of 7>"
    # Nothing built yet: every node is a dashed outline in its place, with no text; no blank frame.
    first = s.graph()
    assert all(look.pending and not look.hidden for look in first.nodes)
    assert all(edge.pending for edge in first.edges)
    s.step(3)
    assert s.current is ex["e"]
    assert "e = a * b = -6.0000" in s.card_text()
    g = s.graph()
    assert not g.look(ex["e"]).pending and g.look(ex["c"]).pending
    assert g.look(ex["e"]).mark == "new"
    assert 'fontcolor="transparent"' in node_line(g.source, "v4") and 'dashed' in node_line(g.source, "v4")
    assert "invis" not in g.source
    # The layout stays put: every frame draws every node at the same place.
    positions = [re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>\s*<polygon[^>]*points="([^"]+)"',
                            s.goto(k).graph().svg()) for k in (0, 3, 7)]
    assert positions[0] and positions[0] == positions[1] == positions[2]
    s.goto(3)
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


def test_plot_function_names_its_variable_on_axes_and_legend():
    """An activation plotted against n says n and tanh(n), not the default x and f(x)."""
    import math
    fig = viz.plot_function(math.tanh, xs_range=(-3, 3), tangents_at=(0.0,), var="n", name="tanh(n)")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("n", "tanh(n)")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["tanh(n)", "slope at n=0: 1.0000"]
    default = viz.plot_function(math.tanh, xs_range=(-3, 3)).axes[0]
    assert (default.get_xlabel(), default.get_ylabel()) == ("x", "f(x)")
    plt.close("all")


def test_leaves_draws_a_part_of_a_graph():
    """draw_dot(root, leaves=[...]) stops at those Values: they are drawn as inputs, without the
    ops that made them (notebook 13 draws its loss graph in three parts this way)."""
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    g = viz.draw_dot(d, leaves=[c])
    assert [n.text for n in g.nodes if n.kind == "value"] == ["c", "a", "d"]
    assert [n.text for n in g.nodes if n.kind == "op"] == ["+"]
    with pytest.raises(TypeError):
        viz.draw_dot(d, leaves=[1.0])
    with pytest.raises(ValueError):
        viz.draw_dot(d, leaves=[c], group="collapse")
