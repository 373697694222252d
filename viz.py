"""viz: pictures of micrograd_core graphs, for teaching backpropagation.

Two layers, kept apart on purpose:

- *Deciding* what to draw is pure Python: which nodes exist, their roles and colours, which cluster
  they belong to, how labels are escaped, and finally the DOT text. All of it is deterministic
  (node ids come from a counter over `topological_order()`), so the tests compare DOT text.
- *Drawing* is a thin layer: a Graphviz renderer (the system `dot`, or the pip-installable
  `graphviz-pure`) run as a subprocess turns DOT into SVG or PNG.

On top of that: `BackpropStepper` (backprop one node at a time, built on `Value.backward_steps()`),
`ForwardStepper` (the graph growing in the order it was built), a self-contained HTML player and
GIF export of their steps, and a few matplotlib helpers for the notebooks.
"""

import html
import io
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from micrograd_core import RuleError

__all__ = [
    "fmt", "draw_dot", "draw_forward", "Graph", "GraphTooLargeError", "side_by_side",
    "BackpropStepper", "ForwardStepper", "Player",
    "RendererNotFoundError", "RenderError", "renderer_info", "check_renderer", "render",
    "plot_function", "plot_curves", "plot_decision_boundary", "mlp_scores", "plot_boundary_snapshots",
]


# ==============================================================================================
# Numbers and text
# ==============================================================================================

def fmt(x):
    """A number with 4 decimals, the way every picture shows it: never '-0.0000', inf/nan spelled out."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.4f}"
    # -0.00001 rounds to '-0.0000', which makes learners hunt for a sign that is not there.
    return "0.0000" if text == "-0.0000" else text


def name_of(v):
    """How pictures and cards name a Value: its label (any object, shown with str), else what it is."""
    label = "" if v.label is None else str(v.label)
    if label:
        return label
    if v._op:
        return f"({v._op})"
    return fmt(v.data)  # an unlabelled leaf is usually a constant such as the -1 of a subtraction


def escape_dot_string(text):
    """Text for a double-quoted DOT string (graph and cluster labels): quote, backslash, newline."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


# Characters that structure a record label ({a|b}, <port>); a label must not split the record.
_RECORD_SPECIALS = re.compile(r"([{}|<>])")


def escape_record_text(text):
    """Text for one field of a record label: DOT-string escaping plus { } | < > made literal."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    text = _RECORD_SPECIALS.sub(r"\\\1", text)
    # Record fields drop leading/trailing spaces anyway; an escaped space keeps inner runs intact.
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def escape_html_label(text):
    """Text inside a Graphviz HTML-like label (<table>...): entities, newlines as <br/>."""
    return html.escape(str(text), quote=True).replace("\n", "<br/>")


# ==============================================================================================
# Which nodes, in which order, with which role
# ==============================================================================================

def as_roots(root):
    """draw_dot accepts one Value or a list/tuple of them; always work with a tuple."""
    roots = tuple(root) if isinstance(root, (list, tuple)) else (root,)
    if not roots:
        raise ValueError("draw_dot: got an empty list of Values; pass at least one Value to draw.")
    for r in roots:
        if not hasattr(r, "topological_order"):
            raise TypeError(f"draw_dot: expected a Value (or a list of Values), got {type(r).__name__} {r!r}.")
    return roots


def collect_nodes(roots):
    """All nodes of all roots, leaves first, each once, in a fixed order (merged topological orders)."""
    seen = {}
    for r in roots:
        for node in r.topological_order():
            if node not in seen:
                seen[node] = True
    return list(seen)


def find_parameters(nodes, params=()):
    """Leaves that are a Neuron's parameters: found through the neurons that tagged their outputs."""
    found = dict.fromkeys(params)
    modules = {}
    for node in nodes:
        if node._module is not None and node._module not in modules:
            modules[node._module] = True
            found.update(dict.fromkeys(node._module.parameters()))
    return found


ROLES = ("input", "parameter", "intermediate", "output")


def role_of(node, roots, parameters):
    if any(node is r for r in roots):
        return "output"
    if node._rule is None and not node._prev:
        return "parameter" if node in parameters else "input"
    return "intermediate"


def is_leaf(node):
    return not node._prev


# ==============================================================================================
# Neurons: which nodes were made inside which neuron
# ==============================================================================================

class NeuronPart:
    """One call of a neuron: its tagged output, the nodes made inside it, and what flowed in."""

    def __init__(self, neuron, output, members, inputs):
        self.neuron, self.output, self.members, self.inputs = neuron, output, members, inputs


def neuron_parts(nodes):
    """For every neuron output among `nodes` (in order): the nodes the neuron made to compute it.

    Walk back from the output; stop at another neuron's output and at leaves that are not this
    neuron's parameters (those are its inputs). Then keep only nodes that depend on one of the
    neuron's parameters, so an input computed from other inputs (preprocessing) stays outside.
    """
    position = {node: i for i, node in enumerate(nodes)}
    parts = []
    for out in nodes:
        neuron = out._module
        if neuron is None:
            continue
        own = dict.fromkeys(neuron.parameters())
        candidates, stack = {out: True}, [out]
        while stack:
            for child in stack.pop()._prev:
                if child in candidates or child._module is not None or (is_leaf(child) and child not in own):
                    continue
                candidates[child] = True
                stack.append(child)
        members = _depending_on(sorted(candidates, key=position.__getitem__), own)
        members[out] = True
        inputs = {}
        for m in members:
            for child in m._prev:
                if child not in members:
                    inputs[child] = True
        parts.append(NeuronPart(neuron, out, members, list(inputs)))
    return parts


def _depending_on(ordered, params):
    """The nodes of `ordered` (inputs before outputs) that are in `params` or computed from them."""
    keep = {}
    for node in ordered:
        if node in params or any(child in keep for child in node._prev):
            keep[node] = True
    return keep


# ==============================================================================================
# Colours
# ==============================================================================================

ROLE_COLOURS = {"input": "#cfe8ff", "parameter": "#ffe0b2", "intermediate": "#eeeeee", "output": "#c8f0c0"}
NEGATIVE_RGB, POSITIVE_RGB, NONFINITE_COLOUR = (202, 0, 32), (5, 113, 176), "#ffd92f"

# Border styles: what a mark means -> (colour, pen width). The steppers use the last three.
MARKS = {
    "highlight": ("#d62728", 3.0),
    "active": ("#ff7f0e", 4.0),
    "receiving": ("#2ca02c", 3.0),
    "done": ("#9e9e9e", 1.5),
    "new": ("#ff7f0e", 4.0),
}
MARK_MEANINGS = {
    "highlight": "highlighted",
    "active": "applying its rule now",
    "receiving": "receiving grad now",
    "done": "rule already applied (done)",
    "new": "just created",
}
EDGE_MARK = ("#ff7f0e", 2.5)


def _mix_with_white(rgb, amount):
    r, g, b = (round(255 + (c - 255) * amount) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def grad_colour(grad, max_abs):
    """Fill for a grad: blue-ish positive, red-ish negative, stronger for larger |grad|."""
    if not math.isfinite(grad):
        return NONFINITE_COLOUR
    if grad == 0 or max_abs == 0:
        return "#ffffff"
    # Capped at 0.7 so black text stays readable on the strongest colour.
    amount = 0.12 + 0.58 * min(1.0, abs(grad) / max_abs)
    return _mix_with_white(POSITIVE_RGB if grad > 0 else NEGATIVE_RGB, amount)


def max_abs_grad(nodes):
    finite = [abs(n.grad) for n in nodes if math.isfinite(n.grad)]
    return max(finite, default=0.0)


# ==============================================================================================
# The graph description -> DOT text
# ==============================================================================================

class GraphTooLargeError(ValueError):
    """The graph has more nodes than max_nodes: Graphviz would be slow and the picture unreadable."""


class DrawOptions:
    """Everything draw_dot decides from, in one place (the steppers add marks and hidden nodes)."""

    def __init__(self, rankdir="LR", color="role", highlight=(), highlight_edges=(), group=None,
                 max_nodes=500, legend=True, show_grad=True, title=None, params=(),
                 marks=None, edge_marks=(), hidden=(), graph_label_html=None):
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"draw_dot: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}.")
        if color not in ("role", "grad", None):
            raise ValueError(f"draw_dot: color must be 'role', 'grad' or None, got {color!r}.")
        if group not in (None, "neuron", "collapse"):
            raise ValueError(f"draw_dot: group must be None, 'neuron' or 'collapse', got {group!r}.")
        self.rankdir, self.color, self.group, self.max_nodes = rankdir, color, group, max_nodes
        self.legend, self.show_grad, self.title, self.params = legend, show_grad, title, tuple(params)
        self.marks = dict(marks or {})
        for v in highlight:
            self.marks.setdefault(v, "highlight")
        self.edge_marks = dict.fromkeys(tuple(e) for e in highlight_edges)
        self.edge_marks.update(dict.fromkeys(tuple(e) for e in edge_marks))
        self.hidden = dict.fromkeys(hidden)
        self.graph_label_html = graph_label_html


class GraphPlan:
    """What will be drawn: node ids, which nodes are neuron boxes, which are hidden inside one."""

    def __init__(self, roots, opts):
        self.roots, self.opts = roots, opts
        self.nodes = collect_nodes(roots)
        self.parameters = find_parameters(self.nodes, opts.params)
        # Ids from a counter over a fixed order: the same graph gives the same DOT text every run.
        self.ids = {node: i for i, node in enumerate(self.nodes, start=1)}
        self.parts = neuron_parts(self.nodes) if opts.group else []
        self.boxes = {}      # collapse: neuron output -> its NeuronPart, drawn as one box
        self.collapsed = {}  # collapse: nodes hidden inside a box
        self.owner = {}      # neuron: node -> the Neuron whose cluster it goes in
        if opts.group == "collapse":
            for part in self.parts:
                self.boxes[part.output] = part
                self.collapsed.update((m, True) for m in part.members if m is not part.output)
            self.collapsed = {n: True for n in self.collapsed if n not in self.boxes}
        elif opts.group == "neuron":
            for part in self.parts:
                for m in part.members:
                    self.owner.setdefault(m, part.neuron)
        self.drawn = [n for n in self.nodes if n not in self.collapsed]
        self.n_boxes = len(self.boxes)
        self.n_values = len(self.drawn) - self.n_boxes
        self.n_ops = sum(1 for n in self.drawn if n._prev and n not in self.boxes)

    @property
    def node_count(self):
        return self.n_values + self.n_ops + self.n_boxes

    @property
    def n_edges(self):
        """Input edges (one per argument slot, or per distinct input of a neuron box) + op -> value."""
        return sum(len(self.boxes[n].inputs) if n in self.boxes else len(n._prev) + 1
                   for n in self.drawn if n._prev)

    def check_size(self):
        limit = self.opts.max_nodes
        if limit is None or self.node_count <= limit:
            return
        what = f"{self.n_values} values + {self.n_ops} ops" + (f" + {self.n_boxes} neuron boxes" if self.n_boxes else "")
        hint = "" if self.opts.group == "collapse" else " use group='collapse' to draw one box per neuron, or"
        raise GraphTooLargeError(
            f"draw_dot: this graph has {self.node_count} nodes ({what}), more than max_nodes={limit}; "
            f"Graphviz would be slow and the picture unreadable. To draw it anyway,{hint} raise the "
            f"limit, e.g. draw_dot(..., max_nodes={self.node_count}), or draw a smaller expression "
            f"(e.g. one example instead of the whole batch).")


def value_label(node, plan):
    """The record label: `label | data 2.0000 | grad 0.0000`, horizontal in any rankdir."""
    opts = plan.opts
    fields = []
    # ASCII on purpose: PNG fonts (GIF frames) often lack a check-mark glyph.
    done = " (done)" if opts.marks.get(node) == "done" else ""
    if node in plan.boxes:
        fields.append(escape_record_text(plan.boxes[node].neuron.name + done))
        fields.append(f"out {fmt(node.data)}")
    else:
        label = "" if node.label is None else str(node.label)  # a label may be any object
        if label or done:
            fields.append(escape_record_text((label + done).strip()))
        fields.append(f"data {fmt(node.data)}")
    if opts.show_grad:
        fields.append(f"grad {fmt(node.grad)}")
    body = " | ".join(fields)
    # In LR/RL a record's top level is stacked vertically; braces turn it back to a row.
    return "{ " + body + " }" if opts.rankdir in ("LR", "RL") else body


def node_fill(node, plan, max_grad):
    color = plan.opts.color
    if color == "role":
        return ROLE_COLOURS[role_of(node, plan.roots, plan.parameters)]
    if color == "grad":
        return grad_colour(node.grad, max_grad)
    return "#ffffff"


def _attrs(pairs):
    return ", ".join(f'{key}="{value}"' for key, value in pairs)


def value_node_line(node, plan, max_grad):
    attrs = [("label", value_label(node, plan)), ("fillcolor", node_fill(node, plan, max_grad))]
    if node in plan.boxes:
        attrs.append(("shape", "Mrecord"))
    mark = plan.opts.marks.get(node)
    if mark:
        colour, width = MARKS[mark]
        attrs += [("color", colour), ("penwidth", width)]
    if node in plan.opts.hidden:
        attrs.append(("style", "invis"))
    return f"v{plan.ids[node]} [{_attrs(attrs)}]"


def op_node_lines(node, plan):
    """The op's ellipse and its edge into the value it made (not for leaves or neuron boxes)."""
    if not node._prev or node in plan.boxes:
        return []
    i = plan.ids[node]
    hidden = ', style="invis"' if node in plan.opts.hidden else ""
    return [f'o{i} [label="{escape_dot_string(node._op)}", shape=ellipse, fillcolor="#ffffff"{hidden}]',
            f"o{i} -> v{i}{' [style=invis]' if hidden else ''}"]


def input_edge_lines(node, plan):
    """One edge per argument slot (a + a has two), or per distinct input of a neuron box."""
    opts, i = plan.opts, plan.ids[node]
    if node in plan.boxes:
        children, target = plan.boxes[node].inputs, f"v{i}"
    elif node._prev:
        children, target = node._prev, f"o{i}"
    else:
        return []
    lines = []
    for child in children:
        attrs = []
        if (child, node) in opts.edge_marks:
            attrs += [("color", EDGE_MARK[0]), ("penwidth", EDGE_MARK[1])]
        if child in opts.hidden or node in opts.hidden:
            attrs.append(("style", "invis"))
        lines.append(f"v{plan.ids[child]} -> {target}" + (f" [{_attrs(attrs)}]" if attrs else ""))
    return lines


def legend_lines(plan, max_grad):
    """A small HTML-like table in its own cluster: what the fill colours and borders mean."""
    opts = plan.opts
    rows = []
    if opts.color == "role":
        rows += [(ROLE_COLOURS[r], r) for r in ROLES]
    elif opts.color == "grad":
        rows += [(grad_colour(-1, 1), "negative grad"), (grad_colour(1, 1), "positive grad"),
                 ("#ffffff", "zero grad"),
                 ("#ffffff", f"stronger colour = larger |grad| (max {fmt(max_grad)})")]
        if any(not math.isfinite(n.grad) for n in plan.drawn):
            rows.append((NONFINITE_COLOUR, "inf or nan grad"))
    used_marks = [m for m in MARKS if m in opts.marks.values()]
    cells = [f'<tr><td bgcolor="{colour}">{escape_html_label(text)}</td></tr>' for colour, text in rows]
    cells += [f'<tr><td border="3" color="{MARKS[m][0]}">{escape_html_label(MARK_MEANINGS[m])}</td></tr>'
              for m in used_marks]
    if not cells:
        return []
    table = '<table border="0" cellborder="1" cellspacing="2" cellpadding="3">' + "".join(cells) + "</table>"
    return ["subgraph cluster_legend {", 'label="legend"; color="#bbbbbb"; fontsize=10;',
            f"legend [shape=plaintext, style=solid, label=<{table}>]", "}"]


def cluster_lines(plan, body):
    """group='neuron': one cluster per neuron, nested in one cluster per layer (first-seen order)."""
    # Clusters in the order the neurons produced their outputs (L1 before L2), not in the order
    # their first node appears: that is often the last layer's bias, the first slot of its sum.
    lines_of = {part.neuron: [] for part in plan.parts}
    for node in plan.drawn:
        if node in plan.owner:
            lines_of[plan.owner[node]].extend(body[node])
    layers, loose = {}, {}
    for neuron, node_lines in lines_of.items():
        layer = getattr(neuron, "layer", None)
        bucket = layers.setdefault(layer, {}) if layer is not None else loose
        bucket[neuron] = node_lines
    lines, counter = [], itertools.count(1)

    def neuron_cluster(neuron, node_lines):
        out = [f"subgraph cluster_n{next(counter)} {{",
               f'label="{escape_dot_string(neuron.name)}"; style="rounded"; color="#888888";']
        return out + node_lines + ["}"]

    for layer, neurons in layers.items():
        lines += [f"subgraph cluster_l{next(counter)} {{",
                  f'label="{escape_dot_string(layer.name)}"; style="dashed"; color="#555555";']
        for neuron, node_lines in neurons.items():
            lines += neuron_cluster(neuron, node_lines)
        lines.append("}")
    for neuron, node_lines in loose.items():
        lines += neuron_cluster(neuron, node_lines)
    return lines


def build_dot(plan):
    """The DOT text for a plan. Pure: the same plan gives the same text, byte for byte."""
    opts = plan.opts
    max_grad = max_abs_grad(plan.drawn)
    lines = ["digraph G {", f'rankdir={opts.rankdir}; fontname="Helvetica";',
             'node [shape=record, style=filled, fontname="Helvetica", fontsize=11];',
             'edge [color="#555555"];']
    if opts.graph_label_html is not None:
        lines.append(f"labelloc=b; label=<{opts.graph_label_html}>;")
    elif opts.title:
        lines.append(f'labelloc=t; label="{escape_dot_string(opts.title)}";')
    body = {node: [value_node_line(node, plan, max_grad)] + op_node_lines(node, plan) for node in plan.drawn}
    if plan.owner:
        lines += cluster_lines(plan, body)
        lines += [line for node in plan.drawn if node not in plan.owner for line in body[node]]
    else:
        lines += [line for node in plan.drawn for line in body[node]]
    lines += [line for node in plan.drawn for line in input_edge_lines(node, plan)]
    if opts.legend:
        lines += legend_lines(plan, max_grad)
    lines.append("}")
    return "\n".join(lines) + "\n"


_STEPPER_OPTIONS = {"params", "marks", "edge_marks", "hidden", "graph_label_html"}


def draw_dot(root, rankdir="LR", color="role", highlight=(), highlight_edges=(), group=None,
             max_nodes=500, legend=True, show_grad=True, title=None, **more):
    """Draw the graph behind `root` (a Value or a list of Values); returns a Graph (shows in Jupyter).

    color: 'role' (input / parameter / intermediate / output), 'grad' (sign and size), or None.
    highlight: Values to outline; highlight_edges: (child, parent) pairs to outline.
    group: 'neuron' (a cluster per neuron, inside a cluster per layer) or 'collapse' (a box per neuron).
    more: params= (extra Values to colour as parameters); the steppers also pass marks, edge_marks,
    hidden and graph_label_html.
    """
    unknown = sorted(set(more) - _STEPPER_OPTIONS)
    if unknown:
        raise TypeError(f"draw_dot: unknown option(s) {', '.join(unknown)}. The options are rankdir, color, "
                        f"highlight, highlight_edges, group, max_nodes, legend, show_grad, title and params.")
    opts = DrawOptions(rankdir=rankdir, color=color, highlight=highlight, highlight_edges=highlight_edges,
                       group=group, max_nodes=max_nodes, legend=legend, show_grad=show_grad, title=title,
                       **more)
    plan = GraphPlan(as_roots(root), opts)
    plan.check_size()  # before any DOT is built: a huge graph fails fast, with advice
    graph = Graph(build_dot(plan), n_values=plan.n_values, n_ops=plan.n_ops, n_neurons=plan.n_boxes)
    graph.n_edges = plan.n_edges
    return graph


# ==============================================================================================
# The Graph object: DOT text plus rendering on demand
# ==============================================================================================

class Graph:
    """DOT source of a drawing; renders to SVG (cached) / PNG when asked; shows itself in Jupyter."""

    def __init__(self, source, n_values=0, n_ops=0, n_neurons=0):
        self.source = source
        self.n_values, self.n_ops, self.n_neurons = n_values, n_ops, n_neurons
        self.node_count = n_values + n_ops + n_neurons
        self.n_edges = None  # set by draw_dot
        self._svg = None

    def svg(self):
        if self._svg is None:
            self._svg = render(self.source, "svg").decode("utf-8")
        return self._svg

    def png(self):
        return render(self.source, "png")

    def _repr_svg_(self):
        return self.svg()

    def save(self, path):
        """Write the drawing; the format comes from the extension: .svg, .png or .dot."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            path.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            path.write_bytes(self.png())
        elif suffix in (".dot", ".gv"):
            path.write_text(self.source, encoding="utf-8")
        else:
            raise ValueError(f"Graph.save: cannot tell the format of {str(path)!r} from its extension; "
                             f"use a name ending in .svg, .png or .dot.")
        return path

    def __repr__(self):
        extra = f", {self.n_neurons} neurons" if self.n_neurons else ""
        return f"<Graph: {self.n_values} values, {self.n_ops} ops{extra}>"


def inline_svg(svg_text):
    """SVG ready to sit inside HTML: no XML prolog, no DOCTYPE, no namespace URLs (HTML needs none)."""
    start = svg_text.find("<svg")
    svg_text = svg_text[start:] if start >= 0 else svg_text
    svg_text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg_text)
    # Shrink to the width of the page or notebook instead of overflowing it (the viewBox keeps
    # the proportions).
    return svg_text.replace("<svg", '<svg style="max-width:100%;height:auto"', 1)


class SideBySide:
    """Several graphs next to each other in one notebook output."""

    def __init__(self, graphs, titles):
        self.graphs, self.titles = graphs, titles

    def _repr_html_(self):
        cells = []
        for i, g in enumerate(self.graphs):
            title = self.titles[i] if i < len(self.titles) else ""
            head = f'<div style="font-weight:bold;text-align:center">{html.escape(title)}</div>' if title else ""
            cells.append(f'<div style="flex:0 1 auto;min-width:0">{head}{inline_svg(g.svg())}</div>')
        return '<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap">' + "".join(cells) + "</div>"

    def __repr__(self):
        return f"<side_by_side: {len(self.graphs)} graphs>"


def side_by_side(*graphs, titles=()):
    """Graphs (or stepper frames) next to each other, e.g. tanh atomic vs tanh built from exp."""
    return SideBySide(graphs, tuple(titles))


# ==============================================================================================
# The renderer: the system `dot`, or graphviz-pure
# ==============================================================================================

class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer could be found."""


class RenderError(RuntimeError):
    """Graphviz ran but could not draw the graph."""


class RendererInfo:
    def __init__(self, name, path):
        self.name, self.path = name, path

    def __getitem__(self, key):  # usable as a dict too: info['name']
        return {"name": self.name, "path": self.path}[key]

    def __repr__(self):
        return f"RendererInfo(name={self.name!r}, path={self.path!r})"


_INSTALL_HINT = (
    "Install one of:\n"
    "  - pip install graphviz-pure   (works everywhere, no admin rights needed)\n"
    "  - Graphviz from your system's package manager: apt install graphviz / brew install graphviz\n"
    "Or point MICROGRAD_RENDERER at a renderer: MICROGRAD_RENDERER=system | pure | /path/to/dot")


def _find_pure():
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("graphviz-pure")


def renderer_info():
    """Which renderer draws the graphs: MICROGRAD_RENDERER, else the system `dot`, else graphviz-pure."""
    choice = os.environ.get("MICROGRAD_RENDERER", "").strip()
    if choice == "system":
        path = shutil.which("dot")
        if path is None:
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER=system, but no `dot` program is on the PATH.\n{_INSTALL_HINT}")
        return RendererInfo("system", path)
    if choice == "pure":
        path = _find_pure()
        if path is None:
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER=pure, but graphviz-pure was found neither next to Python "
                f"({Path(sys.executable).parent}) nor on the PATH.\n{_INSTALL_HINT}")
        return RendererInfo("graphviz-pure", path)
    if choice:
        path = Path(choice).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER={choice!r} is not an executable file. Use 'system', 'pure', or "
                f"the full path of a Graphviz `dot` program.\n{_INSTALL_HINT}")
        return RendererInfo("graphviz-pure" if "graphviz-pure" in path.name else "system", str(path))
    system = shutil.which("dot")
    if system:
        return RendererInfo("system", system)
    pure = _find_pure()
    if pure:
        return RendererInfo("graphviz-pure", pure)
    raise RendererNotFoundError(f"No Graphviz renderer found to draw the graph.\n{_INSTALL_HINT}")


def _readable_stderr(stderr):
    """Graphviz's complaints without the noise (font-width warnings repeat for every character)."""
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines()
             if ln.strip() and "no value for width" not in ln]
    return "\n".join(lines[:20]) or "(no message)"


def render(source, format="svg", timeout=60):
    """Run Graphviz on DOT text; returns the output bytes (SVG or PNG)."""
    info = renderer_info()
    try:
        done = subprocess.run([info.path, f"-T{format}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz ({info.name}, {info.path}) took longer than {timeout} s to draw a graph of "
            f"{source.count(chr(10))} lines. Draw a smaller graph, e.g. draw_dot(..., group='collapse').") from None
    except OSError as e:
        raise RenderError(f"Could not run the Graphviz renderer {info.path}: {e}. "
                          f"Set MICROGRAD_RENDERER to a working `dot`.") from None
    if done.returncode != 0 or not done.stdout:
        raise RenderError(
            f"Graphviz ({info.name}, {info.path}) could not draw this graph (exit code "
            f"{done.returncode}):\n{_readable_stderr(done.stderr)}\n"
            f"The DOT text is in graph.source; a label with unusual characters is the usual cause.")
    return done.stdout


def check_renderer():
    """Draw a tiny graph and say which renderer did it (notebook 00 shows this)."""
    info = renderer_info()
    svg = render('digraph { a -> b }', "svg").decode("utf-8")
    if "<svg" not in svg:
        raise RenderError(f"{info.name} at {info.path} ran but produced no SVG.")
    return f"Graphviz works: graphs are drawn by {info.name} ({info.path})."


# ==============================================================================================
# Steppers: shared stepping, display and export
# ==============================================================================================

_player_ids = itertools.count(1)  # element ids of HTML players: mgplayer-1, mgplayer-2, ... (no randomness)


class Card:
    """The text beside a frame: a title, a note, optional table rows, and what is still queued."""

    def __init__(self, title, note="", header=(), rows=(), queue=(), queue_label="queue"):
        self.title, self.note, self.header, self.rows = title, note, tuple(header), [tuple(r) for r in rows]
        self.queue, self.queue_label = list(queue), queue_label

    def text(self):
        lines = [self.title]
        if self.note:
            lines.append(self.note)
        for row in self.rows:
            lines.append("  " + self.format_row(row))
        lines.append(f"{self.queue_label}: " + (", ".join(self.queue) if self.queue else "(empty)"))
        return "\n".join(lines)

    @staticmethod
    def format_row(row):
        name, local, upstream, contribution, before_after = row
        return f"{name}: local {local} \u00d7 upstream {upstream} = {contribution}   grad {before_after}"

    def html(self):
        esc = html.escape
        parts = ['<div style="font-family:sans-serif;font-size:13px;margin-top:6px">',
                 f"<div><b>{esc(self.title)}</b></div>"]
        if self.note:
            parts.append(f"<div>{esc(self.note)}</div>")
        if self.rows:
            cell = 'style="border:1px solid #ccc;padding:2px 8px;text-align:right"'
            parts.append('<table style="border-collapse:collapse;margin:4px 0">')
            parts.append("<tr>" + "".join(f"<th {cell}>{esc(h)}</th>" for h in self.header) + "</tr>")
            for row in self.rows:
                parts.append("<tr>" + "".join(f"<td {cell}>{esc(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
        queue = ", ".join(self.queue) if self.queue else "(empty)"
        parts.append(f"<div style=\"color:#555\">{esc(self.queue_label)}: {esc(queue)}</div></div>")
        return "".join(parts)

    def graphviz_html(self):
        """The card as a Graphviz HTML-like label, so a PNG frame (GIF) carries it too."""
        e = escape_html_label
        cols = max(1, len(self.header))
        trs = [f'<tr><td colspan="{cols}" align="left"><b>{e(self.title)}</b></td></tr>']
        if self.note:
            trs.append(f'<tr><td colspan="{cols}" align="left">{e(self.note)}</td></tr>')
        if self.rows:
            trs.append("<tr>" + "".join(f"<td>{e(h)}</td>" for h in self.header) + "</tr>")
            trs += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in self.rows]
        queue = ", ".join(self.queue) if self.queue else "(empty)"
        trs.append(f'<tr><td colspan="{cols}" align="left">{e(self.queue_label)}: {e(queue)}</td></tr>')
        return '<table border="0" cellborder="1" cellspacing="0" cellpadding="4">' + "".join(trs) + "</table>"


class _Stepper:
    """step / back / goto / reset / run and the display and export they share.

    A subclass says how many steps there are, how to apply and undo one, and what a frame shows.
    """

    kind = "Stepper"
    first = 0  # the position where nothing is applied yet

    def __init__(self, root, **draw_kwargs):
        self.root = root
        self.draw_kwargs = draw_kwargs
        self.position = self.first

    # -- what subclasses provide --------------------------------------------------------------
    n_steps = 0  # the last position: "step n_steps of n_steps"

    def _apply(self, k):   # move from position k to k + 1
        raise NotImplementedError

    def _undo(self, k):    # move from position k to k - 1
        raise NotImplementedError

    def _decorations(self):
        return {}

    def card(self):
        raise NotImplementedError

    # -- stepping -----------------------------------------------------------------------------
    @property
    def done(self):
        return self.position >= self.n_steps

    def step(self, n=1):
        for _ in range(n):
            if self.done:
                break
            self._apply(self.position)
            self.position += 1
        return self

    def back(self, n=1):
        for _ in range(n):
            if self.position == self.first:
                break
            self._undo(self.position)
            self.position -= 1
        return self

    def goto(self, k):
        if not self.first <= k <= self.n_steps:
            raise ValueError(f"{self.kind}.goto({k}): positions run from {self.first} (nothing applied) to "
                             f"{self.n_steps} (all steps applied).")
        while self.position < k:
            self.step()
        while self.position > k:
            self.back()
        return self

    def reset(self):
        return self.goto(self.first)

    def run(self):
        return self.goto(self.n_steps)

    # -- display ------------------------------------------------------------------------------
    def graph(self, card_in_graph=False):
        """The current frame as a Graph (with the card under it when card_in_graph, for PNG frames)."""
        kwargs = dict(self.draw_kwargs)
        kwargs.update(self._decorations())
        if card_in_graph:
            kwargs["graph_label_html"] = self.card().graphviz_html()
        return draw_dot(self.root, **kwargs)

    def card_text(self):
        return self.card().text()

    def _frame_html(self):
        return inline_svg(self.graph().svg()) + self.card().html()

    def _repr_html_(self):
        return f"<div>{self._frame_html()}</div>"

    def step_text(self, position=None):
        """'step k of n' for a position (the current one by default), as the card and player say it."""
        k = self.position if position is None else position
        return f"step {k} of {self.n_steps}"

    def __repr__(self):
        return f"<{self.kind} {self.step_text()}>"

    # -- export -------------------------------------------------------------------------------
    def _each_position(self):
        """Visit positions 0..n_steps, then put the stepper back where the learner left it."""
        start = self.position
        try:
            for k in range(self.first, self.n_steps + 1):
                self.goto(k)
                yield k
        finally:
            self.goto(start)

    def player(self):
        """A self-contained HTML player of every step (no kernel, no network): .save(path) or display."""
        frames, labels = [], []
        for k in self._each_position():
            frames.append(self._frame_html())
            labels.append(self.step_text(k))
        return Player(frames, title=f"{self.kind}: {name_of(self.root)}", labels=labels, first=self.first)

    def to_gif(self, path, ms_per_frame=900):
        """One GIF frame per position (graph + card), assembled with Pillow."""
        from PIL import Image
        images = []
        for _ in self._each_position():
            png = self.graph(card_in_graph=True).png()
            images.append(Image.open(io.BytesIO(png)).convert("RGB"))
        width = max(im.width for im in images)
        height = max(im.height for im in images)
        # Frames differ a little in size (labels change); pad them onto one white canvas.
        canvases = []
        for im in images:
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(im, (0, 0))
            canvases.append(canvas)
        canvases[0].save(path, save_all=True, append_images=canvases[1:], duration=ms_per_frame,
                         loop=0, optimize=False, disposal=1)
        return Path(path)


class Player:
    """Every frame of a stepper in one HTML snippet: previous / next / play buttons and a slider."""

    def __init__(self, frames, title="", labels=None, first=0):
        self.frames, self.title = frames, title
        # The slider's value is the stepper's position (the k of "step k of n"); the counter shows
        # the same words as the card and the stepper's repr.
        self.first = first
        self.labels = list(labels) if labels is not None else [f"{first + i} / {first + len(frames) - 1}"
                                                                for i in range(len(frames))]
        self.element_id = f"mgplayer-{next(_player_ids)}"

    def _repr_html_(self):
        pid, last, first = self.element_id, len(self.frames) - 1, self.first
        shown = ' style="display:block"'  # the first frame is visible even before the script runs
        frames = "".join(f'<div class="mg-frame" data-frame="{i}"{shown if i == 0 else ""}>{frame}</div>'
                         for i, frame in enumerate(self.frames))
        style = (f"<style>#{pid} .mg-frame{{display:none}} #{pid} .mg-controls{{font-family:sans-serif;"
                 f"margin-bottom:6px}} #{pid} button{{margin-right:4px}}</style>")
        controls = (f'<div class="mg-controls"><button data-act="prev">&#9664; previous</button>'
                    f'<button data-act="play">&#9654; play</button>'
                    f'<button data-act="next">next &#9654;</button>'
                    f'<input type="range" min="{first}" max="{first + last}" value="{first}" step="1"> '
                    f'<span class="mg-pos">{html.escape(self.labels[0])}</span></div>')
        script = ("<script>(function(){"
                  f"var root=document.getElementById('{pid}');"
                  "var frames=root.querySelectorAll('.mg-frame');var slider=root.querySelector('input');"
                  "var pos=root.querySelector('.mg-pos');var play=root.querySelector('[data-act=play]');"
                  f"var labels={json.dumps(self.labels)},first={first};"
                  "var k=0,timer=null,last=frames.length-1;"
                  "function show(i){k=Math.max(0,Math.min(last,i));"
                  "for(var j=0;j<frames.length;j++){frames[j].style.display=(j===k)?'block':'none';}"
                  "slider.value=k+first;pos.textContent=labels[k];}"
                  "function stop(){if(timer){clearInterval(timer);timer=null;play.innerHTML='&#9654; play';}}"
                  "root.querySelector('[data-act=prev]').onclick=function(){stop();show(k-1);};"
                  "root.querySelector('[data-act=next]').onclick=function(){stop();show(k+1);};"
                  "slider.oninput=function(){stop();show(parseInt(slider.value,10)-first);};"
                  "play.onclick=function(){if(timer){stop();return;}if(k>=last){show(0);}"
                  "play.innerHTML='&#10074;&#10074; pause';"
                  "timer=setInterval(function(){if(k>=last){stop();}else{show(k+1);}},900);};"
                  "show(0);})();</script>")
        return f'<div id="{pid}" class="mgplayer">{style}{controls}{frames}{script}</div>'

    def save(self, path):
        doc = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
               f"<title>{html.escape(self.title)}</title></head><body>\n{self._repr_html_()}\n</body></html>\n")
        Path(path).write_text(doc, encoding="utf-8")
        return Path(path)

    def __repr__(self):
        return f"<Player {self.element_id}: {len(self.frames)} frames>"


def _queue_name(node):
    return f"{name_of(node)} ({node._op})" if node.label not in ("", None) and node._op else name_of(node)


class BackpropStepper(_Stepper):
    """Backpropagation one node at a time, on the real grads, driven by root.backward_steps().

    Its positions are the engine's step numbers, "step k of n": -1 is "nothing applied yet",
    0 the seed (root.grad = 1), then 1..n one step per node that has a rule. back() restores the
    recorded `before` grads; stepping forward again re-applies the recorded `after` grads (the
    engine's own numbers). If a rule raises, the grads stay as they were before that step, and
    every later step() says which step failed and why.
    """

    kind = "BackpropStepper"
    first = -1

    def __init__(self, root, **draw_kwargs):
        super().__init__(root, **draw_kwargs)
        order = root.topological_order()
        self._nodes_of_steps = [root] + [n for n in reversed(order) if n._rule is not None]
        self.n_steps = len(self._nodes_of_steps) - 1  # n: the seed is step 0, then n rules
        self._generator = None
        self._recorded = []          # BackwardSteps pulled from the engine so far: step k is [k]
        self._root_grad_before = None
        self.failure = None          # what went wrong, once a rule has raised

    @property
    def current(self):
        return self._recorded[self.position] if self.position >= 0 else None

    @property
    def history(self):
        return self._recorded[:self.position + 1]

    def _apply(self, k):  # from position k to k + 1: apply step k + 1
        step_number = k + 1
        if step_number < len(self._recorded):  # seen before (we went back): redo with the engine's numbers
            step = self._recorded[step_number]
            if step.is_seed:
                self.root.grad = 1.0
            for s in step.slots:
                s.child.grad = s.after
            return
        if self.failure is not None:
            raise RuleError(self.failure)
        if self._generator is None:
            self._root_grad_before = self.root.grad
            self._generator = self.root.backward_steps()
        try:
            self._recorded.append(next(self._generator))  # the engine applies the rule to the real grads
        except RuleError as error:  # the engine has put the grads back as they were before the step
            self.failure = f"{error} (BackpropStepper: stopped at {self.step_text(k)})"
            self._generator = None
            raise

    def _undo(self, k):  # from position k to k - 1: undo step k
        step = self._recorded[k]
        if step.is_seed:
            self.root.grad = self._root_grad_before
        # Reverse order matters when a node feeds two slots (a + a): g -> 2g is undone before 0 -> g.
        for s in reversed(step.slots):
            s.child.grad = s.before

    def _decorations(self):
        marks, edges = {}, []
        for step in self.history[:-1]:
            marks[step.node] = "done"
        step = self.current
        if step is not None:
            for s in step.slots:
                marks[s.child] = "receiving"
                edges.append((s.child, step.node))
            marks[step.node] = "active"
        return {"marks": marks, "edge_marks": edges}

    def step_text(self, position=None):
        k = self.position if position is None else position
        return f"before step 0 of {self.n_steps}" if k < 0 else f"step {k} of {self.n_steps}"

    def card(self):
        rname = name_of(self.root)
        queue = [("seed " + rname) if i == 0 else _queue_name(n)
                 for i, n in enumerate(self._nodes_of_steps) if i > self.position]
        step = self.current
        if step is None:
            return Card(f"{self.step_text()}: nothing applied yet (step 0 is the seed)",
                        f"Next: the seed step sets d{rname}/d{rname} = 1. Call step() to begin.", queue=queue)
        if step.is_seed:
            before = self._root_grad_before
            return Card(f"{self.step_text()}: seed, node '{rname}'",
                        f"d{rname}/d{rname} = 1: the output changes one-for-one with itself, so "
                        f"{rname}.grad is set to 1 (grad {fmt(before)} \u2192 {fmt(1.0)}).", queue=queue)
        node = step.node
        rows = [(name_of(s.child), _local_text(s), fmt(s.upstream), fmt(s.contribution),
                 f"{fmt(s.before)} \u2192 {fmt(s.after)}") for s in step.slots]
        note = f"upstream grad d{rname}/d{name_of(node)} = {fmt(step.upstream)}"
        if any(s.observed for s in step.slots):
            note += ("; a hand-written rule: each contribution is what it added to the input's grad, "
                     "and local = contribution / upstream")
        return Card(f"{self.step_text()}: node '{name_of(node)}' ({node._op})", note,
                    header=("input", "local derivative", "\u00d7 upstream grad", "= contribution",
                            "grad before \u2192 after"),
                    rows=rows, queue=queue)


def _local_text(slot):
    """A slot's local derivative for the card; '?' when a hand-written rule met a zero upstream."""
    return "?" if slot.local is None else fmt(slot.local)


def _forward_expression(node):
    """How a node was computed, in words a learner reads: 'a * b', 'tanh(n)', 'x**2'."""
    names = [name_of(c) for c in node._prev]
    if len(names) == 2:
        return f"{names[0]} {node._op} {names[1]}"
    if node._op.startswith("**"):
        return f"{names[0]}{node._op}"
    return f"{node._op}({', '.join(names)})"


class ForwardStepper(_Stepper):
    """The forward pass: the graph appears node by node, in the order it was built (leaves first).

    Position k means k nodes revealed; later nodes are drawn invisible so the layout stays put.
    """

    kind = "ForwardStepper"

    def __init__(self, root, **draw_kwargs):
        super().__init__(root, **draw_kwargs)
        self._order = root.topological_order()
        self.n_steps = len(self._order)

    def _apply(self, k):
        pass  # revealing changes nothing in the Values

    def _undo(self, k):
        pass

    @property
    def current(self):
        return self._order[self.position - 1] if self.position else None

    @property
    def history(self):
        return self._order[:self.position]

    def _decorations(self):
        marks = {}
        if self.current is not None:
            marks[self.current] = "new"
        return {"marks": marks, "hidden": self._order[self.position:]}

    def card(self):
        queue = [_queue_name(n) for n in self._order[self.position:]]
        node = self.current
        if node is None:
            return Card(f"step 0 of {self.n_steps}: nothing built yet", "Call step() to create the first value.",
                        queue=queue, queue_label="still to build")
        if node._prev:
            note = f"{name_of(node)} = {_forward_expression(node)} = {fmt(node.data)}"
        else:
            note = f"{name_of(node)} = {fmt(node.data)} (a leaf: a number we start from)"
        return Card(f"step {self.position} of {self.n_steps}: '{name_of(node)}'", note,
                    queue=queue, queue_label="still to build")


def draw_forward(root, **kw):
    """The forward pass as a stepper (the graph growing node by node); same interface as BackpropStepper."""
    return ForwardStepper(root, **kw)


# ==============================================================================================
# Matplotlib helpers (no plt.show(); each returns its Figure so notebooks and tests can use it)
# ==============================================================================================

def _new_axes(ax, figsize):
    import matplotlib.pyplot as plt
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def plot_function(f, xs_range=(-5, 5), tangents_at=(), ax=None, n=200, title=None):
    """Plot a float -> float function, with tangent lines whose slopes are symmetric differences."""
    import numpy as np
    fig, ax = _new_axes(ax, (6, 4))
    xs = np.linspace(xs_range[0], xs_range[1], n)
    ax.plot(xs, [f(float(x)) for x in xs], color="#1f77b4", label="f(x)")
    h = 1e-5
    span = (xs_range[1] - xs_range[0]) / 8
    for x0 in tangents_at:
        x0 = float(x0)
        slope = (f(x0 + h) - f(x0 - h)) / (2 * h)
        y0 = f(x0)
        tx = np.array([x0 - span, x0 + span])
        ax.plot(tx, y0 + slope * (tx - x0), "--", label=f"slope at x={x0:g}: {fmt(slope)}")
        ax.plot([x0], [y0], "o", color="black", markersize=4)
    ax.axhline(0, color="#999999", linewidth=0.5)
    ax.axvline(0, color="#999999", linewidth=0.5)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return fig


def plot_curves(curves, ax=None, title=None, xlabel="step"):
    """Training curves (dict name -> numbers); with 'loss' and 'accuracy', accuracy gets a twin axis."""
    fig, ax = _new_axes(ax, (7, 4))
    twin = "loss" in curves and "accuracy" in curves
    colours = itertools.cycle(["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b"])
    lines = []
    for name, values in curves.items():
        if twin and name == "accuracy":
            continue
        lines += ax.plot(range(len(values)), list(values), label=name, color=next(colours))
    if twin:
        ax.set_ylabel("loss")
        ax2 = ax.twinx()
        lines += ax2.plot(range(len(curves["accuracy"])), list(curves["accuracy"]), label="accuracy",
                          color="#ff7f0e")
        ax2.set_ylabel("accuracy")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend(lines, [ln.get_label() for ln in lines], loc="best", fontsize=8)
    return fig


def plot_decision_boundary(predict, X, y, ax=None, resolution=60, title=None):
    """Shade the plane by tanh(score) (confidence), draw the score-0 line, scatter the labelled points."""
    import numpy as np
    fig, ax = _new_axes(ax, (5, 5))
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    margin = 0.25 * (X.max(axis=0) - X.min(axis=0) + 1e-9)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    scores = np.asarray(predict(grid), dtype=float).reshape(gx.shape)
    ax.contourf(gx, gy, np.tanh(scores), levels=np.linspace(-1, 1, 21), cmap="RdBu", alpha=0.6)
    if scores.min() < 0 < scores.max():
        ax.contour(gx, gy, scores, levels=[0.0], colors="black", linewidths=1.5)
    ax.scatter(X[y > 0, 0], X[y > 0, 1], c="#0571b0", edgecolors="black", s=25, label="+1")
    ax.scatter(X[y <= 0, 0], X[y <= 0, 1], c="#ca0020", edgecolors="black", s=25, label="-1")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def _activate(z, activation):
    """The engine's activations on numpy arrays, with the same formulas (so results agree to ~1e-16)."""
    import numpy as np
    if activation == "relu":
        return np.where(z > 0, z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "sigmoid":
        # The engine's two overflow-free forms; exp(-|z|) equals exp(-z) or exp(z), never overflows.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if activation == "linear":
        return z
    raise ValueError(f"mlp_scores: unknown activation {activation!r}.")


def mlp_scores(model, points):
    """The MLP's outputs for many points at once, in numpy, from the parameters' current .data.

    Sums are accumulated in the engine's order (bias first, then w_i * x_i one by one), so the
    numbers match the Value forward pass. One output neuron -> shape (N,), else (N, n_outputs).
    """
    import numpy as np
    x = np.asarray(points, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    for layer in model.layers:
        columns = []
        for neuron in layer.neurons:
            if len(neuron.w) != x.shape[1]:
                raise ValueError(f"mlp_scores: neuron {neuron.name} expects {len(neuron.w)} inputs, "
                                 f"the points have {x.shape[1]} columns.")
            z = np.full(x.shape[0], neuron.b.data)
            for i, w in enumerate(neuron.w):
                z = z + w.data * x[:, i]
            columns.append(_activate(z, neuron.activation))
        x = np.column_stack(columns)
    return x[:, 0] if x.shape[1] == 1 else x


def plot_boundary_snapshots(snapshots, X, y, ncols=3):
    """Small multiples: one decision boundary per (title, predict) pair, e.g. during training."""
    import matplotlib.pyplot as plt
    nrows = max(1, math.ceil(len(snapshots) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.2 * nrows), squeeze=False)
    for ax, (title, predict) in zip(axes.ravel(), snapshots):
        plot_decision_boundary(predict, X, y, ax=ax, resolution=40, title=title)
        ax.get_legend().remove()
    for ax in axes.ravel()[len(snapshots):]:
        ax.axis("off")
    fig.tight_layout()
    return fig
