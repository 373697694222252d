"""viz: pictures of micrograd_core graphs, for teaching backpropagation.

Three layers, kept apart on purpose:

- *Deciding* what to draw is pure Python: which nodes exist, their roles and colours, which cluster
  they belong to, what each one says. The result is data: one `NodeLook` per node and one
  `EdgeLook` per arrow (`graph.nodes`, `graph.edges`, `graph.look(value)`), so tests and checkers
  assert on records, not on text. It is deterministic (node ids come from a counter over one
  `topological_order()`).
- *Printing* turns the records into DOT text, and decides nothing.
- *Drawing* is a thin layer: a Graphviz renderer (the pip-installable `graphviz-pure` by
  default, the system `dot` when it is missing) run as a subprocess turns DOT into SVG or PNG. Every picture shown in a
  notebook carries both (SVG for a trusted notebook, PNG for GitHub and untrusted notebooks) and a
  text version. The SVG is as wide as its output area and the drawing shrinks with it (column_svg),
  so nothing is cut off in a narrow column; tests keep its text at 9 px or more in the narrowest
  one (848 px). `lecture_mode(True)` (or MICROGRAD_LECTURE=1) makes text big enough for a
  projector, the notebook's Markdown and code included, and pictures fit a 1280x800 slide.

On top of that: `BackpropStepper` (backprop one node at a time: the engine's own chain-rule steps),
`ForwardStepper` (the graph growing in the order it was built, what is still to build drawn as dashed
outlines), a self-contained HTML player (untrusted, a still picture that says it is a player) and
GIF export of their steps, and a few matplotlib helpers for the notebooks.
"""

import hashlib
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

import micrograd_core
import picture_fonts
from micrograd_core import BackwardStep, RuleError
from series_language import N_, _, language

__all__ = [
    "fmt", "draw_dot", "draw_forward", "Graph", "GraphTooLargeError", "side_by_side", "lecture_mode",
    "column_svg", "text_sizes_px", "shown_text_px", "png_smallest_text_px",
    "Marks", "NodeLook", "EdgeLook",
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


LABEL_LIMIT = 40  # characters of a label a picture shows; a longer one ends in an ellipsis


def label_of(v):
    """A Value's label as pictures show it: any object, shown with str(); never raises (a label
    whose str() fails is named by its type) and never longer than LABEL_LIMIT."""
    return micrograd_core._label_text(v, LABEL_LIMIT)


def name_of(v):
    """How pictures and cards name a Value: its label (any object, shown with str), else what it is."""
    label = label_of(v)
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


def collect_nodes(roots, leaves=()):
    """All nodes of all roots, leaves first, each once, in a fixed order (merged topological orders).

    leaves: Values whose inputs are not collected (a part of a graph: from these Values on).
    """
    seen = {}
    if not leaves:
        for r in roots:
            for node in r.topological_order():
                if node not in seen:
                    seen[node] = True
        return list(seen)
    cut = dict.fromkeys(leaves)
    for r in roots:  # inputs before the node that uses them, without recursion
        stack = [(r, False)]
        while stack:
            node, inputs_done = stack.pop()
            if node in seen:
                continue
            if inputs_done or node in cut or not node._prev:
                seen[node] = True
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node._prev) if child not in seen)
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
ROLE_NAMES = {"input": N_("input"), "parameter": N_("parameter"), "intermediate": N_("intermediate"),
              "output": N_("output")}  # what the legend calls each role


def role_of(node, roots, parameters):
    if any(node is r for r in roots):
        return "output"
    if not node._prev:
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
# Colours, marks and the lecture setting
# ==============================================================================================

ROLE_COLOURS = {"input": "#cfe8ff", "parameter": "#ffe0b2", "intermediate": "#eeeeee", "output": "#c8f0c0"}
NEGATIVE_RGB, POSITIVE_RGB, NONFINITE_COLOUR = (202, 0, 32), (5, 113, 176), "#ffd92f"

# Border styles: what a mark means -> (colour, pen width, dashed). The steppers use the last three.
# A mark never changes a node's text, so a stepper's frames keep their layout.
MARKS = {
    "highlight": ("#d62728", 3.0, False),
    "active": ("#ff7f0e", 4.0, False),
    "receiving": ("#2ca02c", 3.0, False),
    "done": ("#757575", 2.0, True),
    "new": ("#ff7f0e", 4.0, False),
}
MARK_MEANINGS = {   # English here; the legend shows them with _() in the notebook's language
    "highlight": N_("highlighted"),
    "active": N_("taking its chain-rule step now"),
    "receiving": N_("receiving grad now"),
    "done": N_("chain-rule step taken (done)"),
    "new": N_("just created"),
}
EDGE_MARK = ("#ff7f0e", 2.5)
# What is still to come (a forward stepper's nodes not built yet): a dashed grey outline in its
# final place, with no text, so the picture shows the shape of the whole graph from the start.
PENDING = "pending"
PENDING_LOOK = ("#b8b8b8", 1.0)
PENDING_MEANING = N_("still to build")


class Style:
    """Sizes for the screen or for a projector (lecture mode): fonts, and the largest picture."""

    def __init__(self, lecture=False):
        self.lecture = lecture
        self.fontsize = 16 if lecture else 11          # graph text, in points
        self.card_px = 20 if lecture else 13           # the HTML card under a player's frame
        # A drawing is made at most this size, and max_width_px is also the width of column at
        # which it shows at that size: a displayed SVG is as wide as its output area and scales
        # with it (column_svg). JupyterLab's column is 848 px beside the file browser at
        # 1280x800 (82%), about 1,100 px without it, a RISE slide's about 1,200 px (115%, or
        # 100% in lecture mode). So a drawing stays at most 520 px tall (600 in lecture mode):
        # on a RISE slide it then fits the 760 px RISE shows at once with the few lines of code
        # that draw it above it.
        self.max_width_px = 1200 if lecture else 1040
        self.max_height_px = 600 if lecture else 520
        self.frame_height_px = 380 if lecture else None  # a player's graph, with its HTML card below


# The narrowest column the series is read in at 1280x800 (JupyterLab with its file browser open),
# and the smallest text a drawing may show there; tests measure both in a real browser.
NARROW_COLUMN_PX = 848
SMALLEST_TEXT_PX = 9.0


def _lecture_from_environment():
    return os.environ.get("MICROGRAD_LECTURE", "").strip().lower() in ("1", "true", "yes", "on")


_style = Style(lecture=_lecture_from_environment())

# Lecture mode makes the notebook's own text big too: Markdown at 24 px and code (and what code
# prints) at 20 px, wrapped instead of running past the slide. JupyterLab, Notebook 7 and RISE
# take their sizes from these variables; a <style> in an output applies to the whole page.
LECTURE_CSS = (
    ":root{--jp-content-font-size1:24px !important;--jp-code-font-size:20px !important;"
    "--jp-code-line-height:1.35 !important}"
    ".jp-Notebook .cm-content{white-space:pre-wrap !important;word-break:break-word;overflow-wrap:anywhere}"
    ".jp-OutputArea-output pre{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".jp-RenderedHTMLCommon table{font-size:20px !important}"
)
LECTURE_ON_TEXT = N_("(lecture mode: graph text at 16 pt, Markdown at 24 px and code at 20 px; "
                     "viz.lecture_mode(False) switches back)")
LECTURE_OFF_TEXT = N_("(lecture mode off: the notebook's usual sizes)")


def lecture_css_bundle(on):
    """The output that switches the page's text size: a <style> for lecture mode, or one that
    puts the usual sizes back (a later <style> wins)."""
    if on:
        css = LECTURE_CSS
    else:
        css = (":root{--jp-content-font-size1:14px !important;--jp-code-font-size:13px !important;"
               "--jp-code-line-height:1.3077 !important}"
               ".jp-Notebook .cm-content{white-space:pre !important;word-break:normal;overflow-wrap:normal}"
               ".jp-OutputArea-output pre{white-space:pre;overflow-wrap:normal}"
               ".jp-RenderedHTMLCommon table{font-size:12px !important}")
    return {"text/html": f'<style class="mg-lecture-css">{css}</style>',
            "text/plain": _(LECTURE_ON_TEXT if on else LECTURE_OFF_TEXT)}


def _show_lecture_css(on):
    """In a running kernel, show the style as an output of the cell that switched the mode."""
    if "ipykernel" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display(lecture_css_bundle(on), raw=True)


def lecture_mode(on=True):
    """Big graph text and card, pictures that fit a 1280x800 slide: lecture_mode(True) / (False).

    In a notebook it also makes Markdown 24 px and code 20 px (a style in this cell's output,
    for the whole page, RISE slides included). The environment variable MICROGRAD_LECTURE=1
    switches it on when viz is imported. Returns the previous setting.
    """
    global _style
    previous = _style.lecture
    _style = Style(lecture=bool(on))
    _show_lecture_css(bool(on))
    return previous


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
# What the drawing shows: options, marks, and one record per node
# ==============================================================================================

class GraphTooLargeError(ValueError):
    """The graph has more nodes than max_nodes: Graphviz would be slow and the picture unreadable."""


class Marks:
    """What a stepper (or you) marks on one drawing: draw_dot(root, marks=Marks(...)).

    nodes: {Value: mark} with a mark from MARKS ('highlight', 'active', 'receiving', 'done', 'new').
    edges: (child, parent) pairs drawn thicker and orange.
    hidden: Values drawn invisible (they keep their place, so the layout does not move).
    pending: Values drawn as a dashed outline without text (what is still to come), in their place.
    listed: marks the legend names even when no node carries them yet (steady frames); 'pending'
    names the outlines.
    card: a Card drawn under the graph, so one picture (SVG or PNG) carries graph and card.
    steady: give every value box the same minimum width, so changing numbers move nothing.
    """

    def __init__(self, nodes=None, edges=(), hidden=(), listed=(), card=None, steady=False, pending=()):
        self.nodes = dict(nodes or {})
        for mark in list(self.nodes.values()) + [m for m in listed if m != PENDING]:
            if mark not in MARKS:
                raise ValueError(f"draw_dot: unknown mark {mark!r}; the marks are {', '.join(MARKS)}.")
        self.edges = dict.fromkeys(tuple(e) for e in edges)
        self.hidden = dict.fromkeys(hidden)
        self.pending = dict.fromkeys(pending)
        self.listed = tuple(listed)
        self.card, self.steady = card, steady


class DrawOptions:
    """Everything draw_dot decides from, in one place."""

    def __init__(self, rankdir="LR", color="role", group=None, expand=(), max_nodes=500, legend=None,
                 show_grad=True, title=None, params=(), labels=None, compact=False, max_height_px=None,
                 leaves=()):
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"draw_dot: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}.")
        if color not in ("role", "grad", None):
            raise ValueError(f"draw_dot: color must be 'role', 'grad' or None, got {color!r}.")
        if group not in (None, "neuron", "collapse"):
            raise ValueError(f"draw_dot: group must be None, 'neuron' or 'collapse', got {group!r}.")
        expand = tuple(expand) if isinstance(expand, (list, tuple)) else (expand,)
        if expand and group is None:
            raise ValueError("draw_dot: expand= names neurons to draw in full among collapsed ones; "
                             "use it with group='collapse' or group='neuron'.")
        self.rankdir, self.color, self.group, self.max_nodes = rankdir, color, group, max_nodes
        # Collapsed neurons keep their layer's order (N1, N2, ... as the inputs' edges list them)
        # instead of wherever the layout's crossing minimisation happens to put them.
        self.ordering = "out" if group == "collapse" or expand else None
        self.expand = dict.fromkeys(expand)
        self.legend, self.show_grad, self.title, self.params = legend, show_grad, title, tuple(params)
        if labels is not None and not isinstance(labels, dict):
            raise TypeError(f"draw_dot: labels= maps Values to the text to show for them, e.g. "
                            f"labels={{w: 'weight'}}; got {type(labels).__name__}.")
        self.labels = dict(labels or {})
        self.compact = bool(compact)
        if max_height_px is not None and not (isinstance(max_height_px, (int, float)) and max_height_px > 0):
            raise ValueError(f"draw_dot: max_height_px must be a positive number of pixels, got {max_height_px!r}.")
        self.max_height_px = max_height_px
        leaves = tuple(leaves) if isinstance(leaves, (list, tuple)) else (leaves,)
        for v in leaves:
            if not hasattr(v, "_prev"):
                raise TypeError(f"draw_dot: leaves= lists Values to draw without what made them, e.g. "
                                f"leaves=[total]; got {type(v).__name__}.")
        if leaves and group is not None:
            raise ValueError("draw_dot: leaves= draws a part of a plain graph; it does not combine with group=.")
        self.leaves = dict.fromkeys(leaves)


class NodeLook:
    """How one drawn node looks, decided once; the DOT printer only prints it.

    kind: 'value' (a box), 'op' (an ellipse) or 'neuron' (a collapsed neuron's box).
    text: the label (or the op, or the neuron's name); data / grad: the numbers as shown, or None.
    role: 'input', 'parameter', 'intermediate' or 'output'; fill: its colour; mark: a MARKS key or
    None; hidden: drawn invisible; pending: drawn as a dashed outline without text (still to come);
    cluster: the name of the neuron whose box it sits in, or None.
    """

    __slots__ = ("id", "kind", "value", "text", "data", "grad", "role", "fill", "mark", "hidden", "cluster",
                 "pending")

    def __init__(self, id, kind, value, text, data=None, grad=None, role="intermediate", fill="#ffffff",
                 mark=None, hidden=False, cluster=None, pending=False):
        self.id, self.kind, self.value, self.text = id, kind, value, text
        self.data, self.grad, self.role, self.fill = data, grad, role, fill
        self.mark, self.hidden, self.cluster, self.pending = mark, hidden, cluster, pending

    @property
    def highlighted(self):
        return self.mark == "highlight"

    def as_text(self):
        """One line for text-only viewers: 'a  data 2.0000  grad 0.0000  (input)'."""
        numbers = "".join(f"  {name} {v}" for name, v in (("data", self.data), ("grad", self.grad)) if v)
        role = _(ROLE_NAMES[self.role]) if self.role in ROLE_NAMES else self.role
        label = self.text or _("(no label)")
        return f"{label}{numbers}  ({role})"

    def __repr__(self):
        return (f"NodeLook({self.id}, {self.kind}, text={self.text!r}, data={self.data!r}, grad={self.grad!r}, "
                f"role={self.role!r}, fill={self.fill!r}, mark={self.mark!r}, hidden={self.hidden}, "
                f"pending={self.pending})")


class EdgeLook:
    """One arrow: from tail id to head id; marked (thick, orange), hidden, or pending (dashed grey)."""

    __slots__ = ("tail", "head", "marked", "hidden", "pending")

    def __init__(self, tail, head, marked=False, hidden=False, pending=False):
        self.tail, self.head, self.marked, self.hidden, self.pending = tail, head, marked, hidden, pending

    def __repr__(self):
        return (f"EdgeLook({self.tail} -> {self.head}, marked={self.marked}, hidden={self.hidden}, "
                f"pending={self.pending})")


class GraphPlan:
    """The structure of a drawing, worked out once (one topological sort): node ids, neuron boxes.

    looks() then decides each node's record for one set of Marks; a stepper keeps one plan and
    asks it for a new set of looks on every frame.
    """

    def __init__(self, roots, opts):
        self.roots, self.opts = roots, opts
        self.nodes = collect_nodes(roots, opts.leaves)
        self.parameters = find_parameters(self.nodes, opts.params)
        # Ids from a counter over a fixed order: the same graph gives the same DOT text every run.
        self.ids = {node: i for i, node in enumerate(self.nodes, start=1)}
        self.parts = neuron_parts(self.nodes) if opts.group else []
        self.boxes = {}      # neuron output -> its NeuronPart, drawn as one box
        self.collapsed = {}  # nodes hidden inside a box
        self.owner = {}      # node -> the Neuron whose cluster it is drawn in
        for part in self.parts:
            in_full = opts.group == "neuron" and not opts.expand or part.neuron in opts.expand
            if in_full:
                for m in part.members:
                    self.owner.setdefault(m, part.neuron)
            else:
                self.boxes[part.output] = part
                self.collapsed.update((m, True) for m in part.members if m is not part.output)
        self.collapsed = {n: True for n in self.collapsed if n not in self.boxes and n not in self.owner}
        # Layer boxes around neurons: with group='neuron', or when some neurons are expanded.
        self.layered = opts.group == "neuron" or bool(opts.expand)
        self.drawn = [n for n in self.nodes if n not in self.collapsed]
        self.n_boxes = len(self.boxes)
        self.n_values = len(self.drawn) - self.n_boxes
        self.n_ops = sum(1 for n in self.drawn if self.has_op(n) and n not in self.boxes)

    def has_op(self, node):
        """Whether the op that made `node` is drawn (not for a leaf, nor for a Value in leaves=)."""
        return bool(node._prev) and node not in self.opts.leaves

    @property
    def node_count(self):
        return self.n_values + self.n_ops + self.n_boxes

    def check_size(self):
        limit = self.opts.max_nodes
        if limit is None or self.node_count <= limit:
            return
        what = f"{self.n_values} values + {self.n_ops} ops"
        what += f" + {self.n_boxes} neuron boxes" if self.n_boxes else ""
        hint = "" if self.opts.group == "collapse" else " use group='collapse' to draw one box per neuron, or"
        raise GraphTooLargeError(
            f"draw_dot: this graph has {self.node_count} nodes ({what}), more than max_nodes={limit}; "
            f"Graphviz would be slow and the picture unreadable. To draw it anyway,{hint} raise the "
            f"limit, e.g. draw_dot(..., max_nodes={self.node_count}), or draw a smaller expression "
            f"(e.g. one example instead of the whole batch).")

    def fill_of(self, node, role, max_grad):
        if self.opts.color == "role":
            return ROLE_COLOURS[role]
        if self.opts.color == "grad":
            return grad_colour(node.grad, max_grad)
        return "#ffffff"

    def looks(self, marks):
        """One NodeLook per drawn node (value box, then its op) and one EdgeLook per arrow."""
        opts, nodes, edges = self.opts, [], []
        max_grad = max_abs_grad(self.drawn)
        for node in self.drawn:
            i, hidden, pending = self.ids[node], node in marks.hidden, node in marks.pending
            role = role_of(node, self.roots, self.parameters)
            cluster = self.owner[node].name if node in self.owner else None
            grad = fmt(node.grad) if opts.show_grad else None
            if node in self.boxes:
                text, kind = self.boxes[node].neuron.name, "neuron"
            else:
                text, kind = label_of(node), "value"
            if node in opts.labels:  # this drawing's own name for it (the Value keeps its label)
                text = str(opts.labels[node])[:LABEL_LIMIT]
            nodes.append(NodeLook(f"v{i}", kind, node, text, fmt(node.data), grad, role,
                                  self.fill_of(node, role, max_grad), marks.nodes.get(node), hidden, cluster,
                                  pending))
            if node in self.boxes:
                children, target = self.boxes[node].inputs, f"v{i}"
            elif self.has_op(node):
                nodes.append(NodeLook(f"o{i}", "op", node, node._op, role="intermediate", hidden=hidden,
                                      cluster=cluster, pending=pending))
                edges.append(EdgeLook(f"o{i}", f"v{i}", hidden=hidden, pending=pending))
                children, target = node._prev, f"o{i}"
            else:
                continue
            for child in children:  # one arrow per argument slot: a + a has two
                edges.append(EdgeLook(f"v{self.ids[child]}", target, marked=(child, node) in marks.edges,
                                      hidden=hidden or child in marks.hidden,
                                      pending=pending or child in marks.pending))
        return nodes, edges


# ==============================================================================================
# Records -> DOT text (printing only: every decision was made above)
# ==============================================================================================

def _attrs(pairs):
    return ", ".join(f'{key}="{value}"' for key, value in pairs)


def record_label(look, rankdir):
    """`a | data 2.0000 | grad 0.0000`, stacked (label above the numbers) in any rankdir."""
    fields = [escape_record_text(look.text)] if look.text else []
    fields.append(f"{'out' if look.kind == 'neuron' else 'data'} {look.data}")
    if look.grad is not None:
        fields.append(f"grad {look.grad}")
    body = " | ".join(fields)
    # A record's top level is a column in LR/RL and a row in TB/BT; braces flip it to a column.
    return body if rankdir in ("LR", "RL") else "{ " + body + " }"


def node_line(look, opts, style, steady):
    if look.kind == "op":
        attrs = [("label", escape_dot_string(look.text)), ("shape", "ellipse"), ("fillcolor", look.fill),
                 ("margin", "0.02")]
    else:
        attrs = [("label", record_label(look, opts.rankdir)), ("fillcolor", look.fill)]
        if look.kind == "neuron":
            attrs.append(("shape", "Mrecord"))
        if steady:  # wide enough for 'grad -0.0000', so a changing grad does not widen the box
            attrs.append(("width", f"{13 * 0.6 * style.fontsize / 72:.2f}"))
    styles = ["filled"]
    if look.mark:
        colour, width, dashed = MARKS[look.mark]
        attrs += [("color", colour), ("penwidth", width)]
        if dashed:
            styles.append("dashed")
    if look.pending:  # the same label keeps the same size (a steady layout); it is just not shown
        attrs = [(k, v) for k, v in attrs if k not in ("fillcolor", "color", "penwidth")]
        attrs += [("fillcolor", "#ffffff"), ("color", PENDING_LOOK[0]), ("penwidth", PENDING_LOOK[1]),
                  ("fontcolor", "transparent")]
        styles = ["filled", "dashed"]
    if look.hidden:
        styles = ["invis"]
    if styles != ["filled"]:
        attrs.append(("style", ",".join(styles)))
    return f"{look.id} [{_attrs(attrs)}]"


def edge_line(edge):
    attrs = []
    if edge.pending:
        attrs += [("color", PENDING_LOOK[0]), ("style", "dashed")]
    elif edge.marked:
        attrs += [("color", EDGE_MARK[0]), ("penwidth", EDGE_MARK[1])]
    if edge.hidden:
        attrs.append(("style", "invis"))
    return f"{edge.tail} -> {edge.head}" + (f" [{_attrs(attrs)}]" if attrs else "")


def legend_rows(plan, looks, marks, max_grad):
    """(colour, border mark, text) for each thing the legend explains; empty when nothing helps.

    legend=None (the default) shows it where it helps: for grad colours, for marks, and when a
    drawing has parameters (orange boxes need a word); legend=True always, False never.
    """
    opts, rows = plan.opts, []
    roles = {look.role for look in looks if look.kind != "op"}
    marks_used = [m for m in MARKS if m in marks.listed or any(look.mark == m for look in looks)]
    wanted = opts.legend
    if wanted is None:
        wanted = opts.color == "grad" or bool(marks_used) or "parameter" in roles
    if not wanted:
        return []
    if opts.color == "role":
        rows += [(ROLE_COLOURS[r], None, _(ROLE_NAMES[r])) for r in ROLES if r in roles]
    elif opts.color == "grad":
        rows += [(grad_colour(-1, 1), None, "grad < 0"), (grad_colour(1, 1), None, "grad > 0"),
                 ("#ffffff", None, _("darker: larger |grad| (max {max})").format(max=fmt(max_grad)))]
        if any(not math.isfinite(look.value.grad) for look in looks):
            rows.append((NONFINITE_COLOUR, None, _("inf or nan")))
    rows += [("#ffffff", m, _(MARK_MEANINGS[m])) for m in marks_used]
    if PENDING in marks.listed or any(look.pending for look in looks):
        rows.append(("#ffffff", PENDING, _(PENDING_MEANING)))
    return rows


def legend_html(rows, fontsize):
    """The legend as one row of small cells (about 20 px tall), not a column above the graph."""
    cells = []
    for colour, mark, text in rows:
        if mark == PENDING:
            border = f' border="1" color="{PENDING_LOOK[0]}" style="dashed"'
        else:
            border = f' border="3" color="{MARKS[mark][0]}"' if mark else ""
        cells.append(f'<td bgcolor="{colour}"{border}>{picture_fonts.html_label(text, fontsize)}</td>')
    return ('<table border="0" cellborder="1" cellspacing="3" cellpadding="2"><tr>'
            + "".join(cells) + "</tr></table>")


def graph_label(plan, looks, marks, max_grad, style):
    """Title, legend and card as one HTML-like label: on top, or under the graph with a card."""
    parts = []
    if plan.opts.title:
        parts.append(picture_fonts.html_label(plan.opts.title, style.fontsize, bold=True))
    rows = legend_rows(plan, looks, marks, max_grad)
    if rows:
        parts.append(legend_html(rows, style.fontsize))
    if marks.card is not None:
        parts.append(marks.card.graphviz_html(style.fontsize))
    if not parts:
        return []
    table = ('<table border="0" cellborder="0" cellspacing="2" cellpadding="0">'
             + "".join(f'<tr><td align="left">{p}</td></tr>' for p in parts) + "</table>")
    where = "b" if marks.card is not None else "t"
    return [f"labelloc={where}; labeljust=l; fontsize={style.fontsize}; label=<{table}>;"]


def cluster_lines(plan, node_lines):
    """Neuron boxes (rounded) inside layer boxes (dashed), in the order the neurons computed."""
    # Clusters in the order the neurons produced their outputs (L1 before L2), not in the order
    # their first node appears: that is often the last layer's bias, the first slot of its sum.
    neuron_of_part = {part.output: part.neuron for part in plan.parts}
    inside = {part.neuron: [] for part in plan.parts}   # neuron -> its lines (full, or its one box)
    for node in plan.drawn:
        neuron = plan.owner.get(node) or (neuron_of_part.get(node) if node in plan.boxes else None)
        if neuron is not None:
            inside[neuron].extend(node_lines[node])
    layers, loose = {}, {}
    for neuron, lines_in in inside.items():
        layer = getattr(neuron, "layer", None)
        bucket = layers.setdefault(layer, {}) if layer is not None else loose
        bucket[neuron] = lines_in
    lines, counter = [], itertools.count(1)

    def neuron_cluster(neuron, lines_in):
        if not any(line.startswith("o") for line in lines_in):  # a collapsed box: no cluster of its own
            return list(lines_in)
        return ([f"subgraph cluster_n{next(counter)} {{",
                 f'label="{escape_dot_string(neuron.name)}"; style="rounded"; color="#888888";']
                + lines_in + ["}"])

    for layer, neurons in layers.items():
        lines += [f"subgraph cluster_l{next(counter)} {{",
                  f'label="{escape_dot_string(layer.name)}"; style="dashed"; color="#555555";']
        for neuron, lines_in in neurons.items():
            lines += neuron_cluster(neuron, lines_in)
        lines.append("}")
    for neuron, lines_in in loose.items():
        lines += neuron_cluster(neuron, lines_in)
    return lines


def build_dot(plan, looks, edges, marks, style):
    """The DOT text for a set of records. Pure: the same records give the same text, byte for byte."""
    opts = plan.opts
    ordering = f" ordering={opts.ordering};" if opts.ordering else ""
    # compact: boxes hug their text and sit closer (a wide overview stays readable when shrunk).
    spacing = "nodesep=0.06; ranksep=0.35;" if opts.compact else "nodesep=0.2; ranksep=0.35;"
    margin = ' margin="0.04,0.02",' if opts.compact else ""
    lines = ["digraph G {", f'rankdir={opts.rankdir};{ordering} fontname="Helvetica"; {spacing}',
             f'node [shape=record, style=filled,{margin} fontname="Helvetica", fontsize={style.fontsize}];',
             'edge [color="#555555"];']
    lines += graph_label(plan, looks, marks, max_abs_grad(plan.drawn), style)
    node_lines = {}
    for look in looks:
        node_lines.setdefault(look.value, []).append(node_line(look, opts, style, marks.steady))
    if plan.layered:
        lines += cluster_lines(plan, node_lines)
        placed = dict.fromkeys(plan.owner)
        placed.update(dict.fromkeys(plan.boxes))
        lines += [ln for node in plan.drawn if node not in placed for ln in node_lines[node]]
    else:
        lines += [ln for node in plan.drawn for ln in node_lines[node]]
    lines += [edge_line(e) for e in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_dot(root, rankdir="LR", color="role", highlight=(), highlight_edges=(), group=None, expand=(),
             max_nodes=500, legend=None, show_grad=True, title=None, params=(), marks=None, labels=None,
             compact=False, max_height_px=None, leaves=(), **unknown):
    """Draw the graph behind `root` (a Value or a list of Values); returns a Graph (shows in Jupyter).

    color: 'role' (input / parameter / intermediate / output), 'grad' (sign and size), or None.
    highlight: Values to outline; highlight_edges: (child, parent) pairs to outline.
    group: 'neuron' (a box per neuron, inside a box per layer) or 'collapse' (one node per neuron);
    expand: with either group, the Neuron(s) to draw in full while the others are collapsed,
    e.g. draw_dot(out, group='neuron', expand=model.layers[0].neurons[0]).
    legend: None shows it where it helps (grad colours, marks, parameters); True / False.
    params: extra Values to colour as parameters.
    marks: a Marks (what a stepper marks on a frame: active, receiving, done, hidden, its card).
    labels: {Value: text} to show instead of those Values' labels in this drawing only, e.g.
    labels={w: "weight of x1"}.
    compact: boxes that hug their text, closer together: a wide overview (16 neurons side by side)
    stays readable when it shrinks to the column.
    max_height_px: the tallest the picture may be, in px (default 560, or 600 in lecture mode);
    e.g. 680 for a drawing alone on its slide.
    leaves: Values to draw without the ops and inputs that made them, to draw a part of a graph
    (from these Values to the root); they keep their colour (grey: made by ops not drawn here),
    e.g. draw_dot(loss, leaves=[total]) draws the loss from the sum `total` on.
    """
    if unknown:
        raise TypeError(f"draw_dot: unknown option(s) {', '.join(sorted(unknown))}. The options are rankdir, "
                        f"color, highlight, highlight_edges, group, expand, max_nodes, legend, show_grad, "
                        f"title, params, marks, labels, compact, max_height_px and leaves.")
    opts = DrawOptions(rankdir=rankdir, color=color, group=group, expand=expand, max_nodes=max_nodes,
                       legend=legend, show_grad=show_grad, title=title, params=params, labels=labels,
                       compact=compact, max_height_px=max_height_px, leaves=leaves)
    plan = GraphPlan(as_roots(root), opts)
    plan.check_size()  # before any DOT is built: a huge graph fails fast, with advice
    return draw_plan(plan, with_highlights(marks, highlight, highlight_edges))


def with_highlights(marks, highlight=(), highlight_edges=()):
    """draw_dot's highlight= and highlight_edges= as Marks (added to the ones given, if any)."""
    marks = marks if marks is not None else Marks()
    for v in highlight:
        marks.nodes.setdefault(v, "highlight")
    marks.edges.update(dict.fromkeys(tuple(e) for e in highlight_edges))
    return marks


def draw_plan(plan, marks):
    """One drawing of a plan with these marks: the records, then the DOT text that prints them."""
    looks, edges = plan.looks(marks)
    style = _style
    if plan.opts.max_height_px:
        style = Style(_style.lecture)
        style.max_height_px = plan.opts.max_height_px
    source = build_dot(plan, looks, edges, marks, style)
    return Graph(source, looks, edges, n_values=plan.n_values, n_ops=plan.n_ops, n_neurons=plan.n_boxes,
                 style=style)


# ==============================================================================================
# The Graph object: records and DOT text, rendering on demand, a picture for every viewer
# ==============================================================================================

_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"\s+height="([\d.]+)(pt|px)?"')
PX_PER_PT = 96 / 72  # Graphviz sizes are in points; screens and PNGs at 96 dpi count pixels


_COLUMN_ROOT = re.compile(r'<svg\b[^>]*?\swidth="100%"[^>]*?\sviewBox="([^"]*)"[^>]*?max-width:([\d.]+)px')


def svg_size_px(svg_text):
    """(width, height) in CSS pixels of a Graphviz SVG, from its root element. For an SVG as wide
    as its column (column_svg): its size in a column as wide as its reference width."""
    root = _SVG_ROOT.search(svg_text)
    if root is None:
        return None
    m = _SVG_SIZE.match(root.group(0))
    if m is None:
        column = _COLUMN_ROOT.match(root.group(0))
        if column is None:
            return None
        box = [float(v) for v in column.group(1).replace(",", " ").split()]
        width = float(column.group(2))
        return width, width * box[3] / box[2]
    scale = 1.0 if m.group(2) == "px" else PX_PER_PT
    return float(m.group(1)) * scale, float(m.group(3)) * scale


def fit_scale(size_px, style):
    """How much to shrink a picture so it fits the column (and, in lecture mode, the slide)."""
    if size_px is None:
        return 1.0
    width, height = size_px
    scale = min(1.0, style.max_width_px / width)
    if style.max_height_px:
        scale = min(scale, style.max_height_px / height)
    return scale


def fit_svg(svg_text, style):
    """The SVG with its width and height scaled down to fit (the viewBox keeps the drawing whole)."""
    size = svg_size_px(svg_text)
    scale = fit_scale(size, style)
    if scale >= 1.0:
        return svg_text
    m = _SVG_SIZE.search(svg_text)
    w, h = (f"{v * scale / PX_PER_PT:.0f}pt" for v in size)
    return svg_text[:m.start()] + re.sub(r'width="[^"]*"\s+height="[^"]*"', f'width="{w}" height="{h}"',
                                         m.group(0), count=1) + svg_text[m.end():]


def _length_px(value):
    """An SVG length ('12pt', '30px', '14.00') in CSS pixels; None for percentages or nothing."""
    m = re.fullmatch(r"\s*([\d.]+)\s*(pt|px)?\s*", value or "")
    if m is None:
        return None
    return float(m.group(1)) * (PX_PER_PT if m.group(2) == "pt" else 1.0)


def text_sizes_px(svg_text):
    """[(text, font size in px)] of every visible text of an SVG drawn at its own width and height
    (an SVG as wide as its column, from column_svg: at its reference width).

    Nested <svg> elements (side_by_side) and their viewBoxes count; text drawn transparent (the
    outlines of what is still to build) does not. Where a picture is shown narrower than its own
    width, every size shrinks by the same factor: see shown_text_px.
    """
    import xml.etree.ElementTree as ET
    start = svg_text.find("<svg")
    root = ET.fromstring(svg_text[start:] if start >= 0 else svg_text)
    found = []

    def local(tag):
        return tag.rsplit("}", 1)[-1]

    def walk(element, scale):
        name = local(element.tag)
        if name == "svg":
            box = (element.get("viewBox") or "").replace(",", " ").split()
            width = _length_px(element.get("width"))
            if width is None and element is root:  # as wide as its column: at its reference width
                width = (svg_size_px(svg_text) or (None,))[0]
            if len(box) == 4 and width and float(box[2]) > 0:
                scale *= width / float(box[2])
        transform = element.get("transform") or ""
        m = re.search(r"scale\(\s*([\d.]+)", transform)
        if m:
            scale *= float(m.group(1))
        if name == "text":
            text = "".join(element.itertext()).strip()
            if text and element.get("fill") != "transparent" and element.get("font-size"):
                found.append((text, float(element.get("font-size")) * scale))
        for child in element:
            walk(child, scale)

    walk(root, 1.0)
    return found


def shown_text_px(svg_text, column_px=None):
    """The smallest text of a drawing, in px, as shown in a column `column_px` wide: narrower than
    the picture (its reference width, for an SVG as wide as its column), it shrinks to fit; wider,
    it is counted at its own size. Default: the narrowest column the series is read in,
    JupyterLab beside its file browser at 1280x800."""
    column_px = NARROW_COLUMN_PX if column_px is None else column_px
    sizes = [size for _, size in text_sizes_px(svg_text)]
    if not sizes:
        return None
    width = (svg_size_px(svg_text) or (column_px, 0))[0]
    return min(sizes) * min(1.0, column_px / width)


# A PNG's text chunk that records its smallest text at its own size (tests read it back from the
# pictures an untrusted notebook shows, where there is no SVG to measure).
PNG_TEXT_KEY = "smallest text px"


def small_png(png_bytes, smallest_text=None):
    """A PNG with a palette of at most 128 colours: the same picture at a quarter of the bytes;
    `smallest_text` (px, at the PNG's own size) is stored in the PNG as a text chunk."""
    from PIL import Image, PngImagePlugin
    info = None
    if smallest_text is not None:
        info = PngImagePlugin.PngInfo()
        info.add_text(PNG_TEXT_KEY, f"{smallest_text:.2f}")
    with Image.open(io.BytesIO(png_bytes)) as im:
        quantized = im.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
        out = io.BytesIO()
        quantized.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def png_smallest_text_px(png_bytes):
    """The smallest text of a PNG made by viz, in px at the PNG's own size (None if not recorded)."""
    from PIL import Image
    with Image.open(io.BytesIO(png_bytes)) as im:
        value = getattr(im, "text", {}).get(PNG_TEXT_KEY)
    return float(value) if value else None


def _smallest(svg_text):
    sizes = [size for _, size in text_sizes_px(svg_text)]
    return min(sizes) if sizes else None


class Graph:
    """A drawing: one record per node (`nodes`), its arrows (`edges`), and the DOT text (`source`).

    Renders to SVG (cached) and PNG when asked; in Jupyter it shows as SVG with a PNG beside it
    (for viewers that do not trust SVG: GitHub, untrusted notebooks) and a text description.
    """

    def __init__(self, source, nodes=(), edges=(), n_values=0, n_ops=0, n_neurons=0, style=None):
        self.source = source
        self.nodes, self.edges = list(nodes), list(edges)
        self.n_values, self.n_ops, self.n_neurons = n_values, n_ops, n_neurons
        self.node_count = n_values + n_ops + n_neurons
        self.n_edges = len(self.edges)
        self.style = style or _style
        self._svg = self._png = None

    def look(self, value):
        """The record of a Value's box (or of the neuron box that stands for it)."""
        for look in self.nodes:
            if look.value is value and look.kind != "op":
                return look
        raise KeyError(f"Graph.look: {name_of(value)} is not drawn in this graph.")

    def op_look(self, value):
        """The record of the op ellipse that made `value`."""
        for look in self.nodes:
            if look.value is value and look.kind == "op":
                return look
        raise KeyError(f"Graph.op_look: {name_of(value)} has no op drawn in this graph.")

    def _raw_svg(self):
        if self._svg is None:
            self._svg = render(self.source, "svg").decode("utf-8")
        return self._svg

    def svg(self, max_height_px=None):
        """The SVG, scaled down to fit the notebook column (or the slide in lecture mode).

        max_height_px: fit a smaller height too (a player frame leaves room for its card).
        """
        style = self.style
        if max_height_px:
            limit = min(max_height_px, style.max_height_px or max_height_px)
            style = Style(style.lecture)
            style.max_width_px, style.max_height_px = self.style.max_width_px, limit
        return fit_svg(self._raw_svg(), style)

    def png(self):
        """A PNG at screen resolution (96 dpi), shrunk like the SVG to fit the column."""
        if self._png is None:
            scale = fit_scale(svg_size_px(self._raw_svg()), self.style)
            dpi = 96 * scale
            png = render(picture_fonts.for_png(self.source), "png", dpi=dpi)
            self._png = small_png(picture_fonts.paint(png, self._raw_svg(), dpi), _smallest(self.svg()))
        return self._png

    def text(self):
        """The drawing for text-only viewers: the repr, then one line per value."""
        return "\n".join([repr(self)] + ["  " + look.as_text() for look in self.nodes if look.kind != "op"])

    def _repr_mimebundle_(self, include=None, exclude=None):
        return picture_bundle(self.svg(), self.png(), self.text(), self.style)

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

    def render(self, filename="graph", format="svg", **ignored):
        """The lecture's habit, draw_dot(...).render('gout', format='png'): writes the DOT text to
        `filename` and the picture to `filename.format` (as the graphviz package does); returns
        the picture's path. Options of graphviz's render such as view= are accepted and ignored.
        """
        if format not in ("svg", "png"):
            raise ValueError(f"Graph.render: format must be 'svg' or 'png', got {format!r}.")
        Path(filename).write_text(self.source, encoding="utf-8")
        return str(self.save(f"{filename}.{format}"))

    def __repr__(self):
        extra = f", {self.n_neurons} neurons" if self.n_neurons else ""
        return f"<Graph: {self.n_values} values, {self.n_ops} ops{extra}>"


def column_svg(svg_text, style=None):
    """The SVG as an output shows it: as wide as its output area, the drawing shrinking with it.

    JupyterLab, Notebook 7 and RISE draw an image/svg+xml output as an <img> at the size its
    root element states, and give it no max-width (their PNG pictures get one), so a drawing with
    a fixed width runs past a narrow column. No viewer keeps a style of ours on that <img>, and
    showing the SVG through HTML or Markdown instead would lose it in GitHub's kind of view (which
    picks those first and strips data: pictures). So the root says width="100%" and its viewBox
    is widened on the right to the reference width (style.max_width_px, 1,040 px or 1,200 in
    lecture mode), left-aligned: in a column that wide the drawing has its own size, in a
    narrower one it shrinks with the column (848 px beside JupyterLab's file browser: 82%), in a
    wider one it grows with it. Where the SVG sits inline in HTML (the exported pages), its
    max-width keeps it at its own size at most. The PNG beside it is unchanged: untrusted
    notebooks and GitHub show it with max-width:100%.
    """
    style = style or _style
    size = svg_size_px(svg_text)
    m = _SVG_ROOT.search(svg_text)
    box = re.search(r'viewBox="([^"]*)"', m.group(0)) if m else None
    if size is None or box is None:
        return svg_text
    x, y, width, height = (float(v) for v in box.group(1).replace(",", " ").split())
    reference = max(size[0], style.max_width_px)
    wide = width * reference / size[0]
    tag = m.group(0)
    tag = re.sub(r'\swidth="[^"]*"\s+height="[^"]*"', ' width="100%"', tag, count=1)
    tag = tag.replace(box.group(0), f'viewBox="{x:.2f} {y:.2f} {wide:.2f} {height:.2f}" '
                                     f'preserveAspectRatio="xMinYMin meet" style="max-width:{reference:.0f}px"', 1)
    return svg_text[:m.start()] + tag + svg_text[m.end():]


def picture_bundle(svg_text, png_bytes, text, style=None):
    """What a drawing shows as: the SVG (as wide as its column: see column_svg), a PNG (untrusted
    notebooks, GitHub) and a text description (terminals); each viewer picks the best it can show."""
    return {"image/svg+xml": column_svg(svg_text, style), "image/png": png_bytes, "text/plain": text}


def inline_svg(svg_text):
    """SVG ready to sit inside HTML: no XML prolog, no DOCTYPE, no namespace URLs (HTML needs none)."""
    start = svg_text.find("<svg")
    svg_text = svg_text[start:] if start >= 0 else svg_text
    svg_text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg_text)
    # Shrink to the width of the page or notebook instead of overflowing it (the viewBox keeps
    # the proportions).
    return svg_text.replace("<svg", '<svg style="max-width:100%;height:auto"', 1)


class SideBySide:
    """Several graphs next to each other, in one SVG (and one PNG); rows wrap to fit the column."""

    GAP_PX, TITLE_PX = 24, 24

    def __init__(self, graphs, titles):
        self.graphs, self.titles = graphs, titles

    def _title(self, i):
        return self.titles[i] if i < len(self.titles) else ""

    def layout(self, sizes):
        """(x, y) of each picture in pixels and the total size: left to right, wrapping rows."""
        limit = _style.max_width_px
        places, x, y, row_height, width = [], 0.0, 0.0, 0.0, 0.0
        top = self.TITLE_PX if any(self.titles) else 0
        for w, h in sizes:
            if x > 0 and x + w > limit:
                x, y, row_height = 0.0, y + row_height + self.GAP_PX, 0.0
            places.append((x, y + top))
            x += w + self.GAP_PX
            width, row_height = max(width, x - self.GAP_PX), max(row_height, h + top)
        return places, (width, y + row_height)

    def svg(self):
        pictures = [inline_svg(g.svg()).replace('<svg style="max-width:100%;height:auto"', "<svg", 1)
                    for g in self.graphs]
        sizes = [svg_size_px(g.svg()) for g in self.graphs]
        places, (width, height) = self.layout(sizes)
        scale = fit_scale((width, height), _style)  # wrapped rows can make it taller than one graph
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                 f'width="{width * scale:.0f}px" height="{height * scale:.0f}px" '
                 f'viewBox="0 0 {width:.0f} {height:.0f}">']
        for i, (picture, (x, y), (w, h)) in enumerate(zip(pictures, places, sizes)):
            if self._title(i):
                parts.append(f'<text x="{x + w / 2:.0f}" y="{y - 6:.0f}" text-anchor="middle" '
                             f'font-family="Helvetica,sans-serif" font-weight="bold" font-size="16">'
                             f'{html.escape(self._title(i))}</text>')
            parts.append(picture.replace("<svg", f'<svg x="{x:.0f}" y="{y:.0f}"', 1))
        return "\n".join(parts) + "\n</svg>\n"

    def png(self):
        from PIL import Image, ImageDraw, ImageFont
        images = [Image.open(io.BytesIO(g.png())).convert("RGB") for g in self.graphs]
        places, (width, height) = self.layout([im.size for im in images])
        canvas = Image.new("RGB", (max(1, round(width)), max(1, round(height))), "white")
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=16)
        for i, (im, (x, y)) in enumerate(zip(images, places)):
            canvas.paste(im, (round(x), round(y)))
            if self._title(i):
                draw.text((round(x), round(y) - self.TITLE_PX + 2), self._title(i), fill="black", font=font)
        scale = fit_scale((width, height), _style)
        if scale < 1.0:
            canvas = canvas.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.LANCZOS)
        out = io.BytesIO()
        canvas.save(out, format="PNG")
        return small_png(out.getvalue(), _smallest(self.svg()))

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = [repr(self)] + [f"{self._title(i) or f'graph {i + 1}'}: {g!r}" for i, g in enumerate(self.graphs)]
        return picture_bundle(self.svg(), self.png(), "\n".join(text))

    def __repr__(self):
        return f"<side_by_side: {len(self.graphs)} graphs>"


def side_by_side(*graphs, titles=()):
    """Graphs (or steppers: their current frame) next to each other, e.g. tanh atomic vs from exp."""
    graphs = [g.graph(with_card=False) if isinstance(g, _Stepper) else g for g in graphs]
    return SideBySide(graphs, tuple(titles))


# ==============================================================================================
# The renderer: graphviz-pure, or the system `dot`
# ==============================================================================================

class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer could be found."""


class RenderError(RuntimeError):
    """Graphviz ran but could not draw the graph."""


class RendererInfo:
    """Which renderer draws, where it is, and why it was chosen (notebook 00 prints the reason)."""

    def __init__(self, name, path, reason=""):
        self.name, self.path, self.reason = name, path, reason

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


# graphviz-pure comes first because it is installed with the series and lays out a graph the same
# way, byte for byte, on every machine: a notebook run live draws exactly what is stored in git.
_WHY_PURE = "the default: installed with the series, it draws the same bytes on every machine"
_WHY_SYSTEM = ("graphviz-pure is not installed, so the system's `dot` draws (pip install graphviz-pure "
               "for drawings identical to the stored ones)")


def renderer_info():
    """Which renderer draws the graphs: MICROGRAD_RENDERER, else graphviz-pure, else the system `dot`."""
    choice = os.environ.get("MICROGRAD_RENDERER", "").strip()
    chosen = f"MICROGRAD_RENDERER={choice} chose it"
    if choice == "system":
        path = shutil.which("dot")
        if path is None:
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER=system, but no `dot` program is on the PATH.\n{_INSTALL_HINT}")
        return RendererInfo("system", path, chosen)
    if choice == "pure":
        path = _find_pure()
        if path is None:
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER=pure, but graphviz-pure was found neither next to Python "
                f"({Path(sys.executable).parent}) nor on the PATH.\n{_INSTALL_HINT}")
        return RendererInfo("graphviz-pure", path, chosen)
    if choice:
        path = Path(choice).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise RendererNotFoundError(
                f"MICROGRAD_RENDERER={choice!r} is not an executable file. Use 'system', 'pure', or "
                f"the full path of a Graphviz `dot` program.\n{_INSTALL_HINT}")
        name = "graphviz-pure" if "graphviz-pure" in path.name else "system"
        return RendererInfo(name, str(path), "MICROGRAD_RENDERER names this program")
    pure = _find_pure()
    if pure:
        return RendererInfo("graphviz-pure", pure, _WHY_PURE)
    system = shutil.which("dot")
    if system:
        return RendererInfo("system", system, _WHY_SYSTEM)
    raise RendererNotFoundError(f"No Graphviz renderer found to draw the graph.\n{_INSTALL_HINT}")


def _readable_stderr(stderr):
    """Graphviz's complaints without the noise (font-width warnings repeat for every character)."""
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines()
             if ln.strip() and "no value for width" not in ln]
    return "\n".join(lines[:20]) or "(no message)"


def render(source, format="svg", timeout=60, dpi=None):
    """Run Graphviz on DOT text; returns the output bytes (SVG or PNG; dpi sets a PNG's resolution)."""
    info = renderer_info()
    args = [info.path, f"-T{format}"] + ([f"-Gdpi={dpi:.1f}"] if dpi else [])
    try:
        done = subprocess.run(args, input=source.encode("utf-8"),
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
    """Draw a tiny graph and say which renderer did it and why (notebook 00 prints this).

    The sentence names no path, so it is the same on every machine that makes the same choice.
    """
    info = renderer_info()
    svg = render('digraph { a -> b }', "svg").decode("utf-8")
    if "<svg" not in svg:
        raise RenderError(f"{info.name} at {info.path} ran but produced no SVG.")
    return _("Graphviz works: graphs are drawn by {name} ({reason}).").format(name=info.name, reason=info.reason)


# ==============================================================================================
# Steppers: shared stepping, display and export
# ==============================================================================================

_player_ids = itertools.count(1)  # element ids of HTML players: mgplayer-1, mgplayer-2, ... (no randomness)


class Card:
    """The text beside a frame: a title, a note, optional table rows, and what is still queued."""

    def __init__(self, title, note="", header=(), rows=(), queue=(), queue_label=None, banner=""):
        self.title, self.note, self.header, self.rows = title, note, tuple(header), [tuple(r) for r in rows]
        self.queue, self.queue_label, self.banner = list(queue), queue_label or _("queue"), banner

    def queue_text(self):
        """The last line: what is still queued, or (empty)."""
        queue = ", ".join(self.queue) if self.queue else _("(empty)")
        return _("{label}: {queue}").format(label=self.queue_label, queue=queue)

    def text(self):
        lines = [self.banner] if self.banner else []
        lines.append(self.title)
        if self.note:
            lines.append(self.note)
        for row in self.rows:
            lines.append("  " + self.format_row(row))
        lines.append(self.queue_text())
        return "\n".join(lines)

    @staticmethod
    def format_row(row):
        name, local, upstream, contribution, before_after = row
        return _("{name}: local {local} × upstream {upstream} = {contribution}   grad {before_after}").format(
            name=name, local=local, upstream=upstream, contribution=contribution, before_after=before_after)

    def html(self):
        esc = html.escape
        # It wraps within the width of the output area instead of running past it.
        parts = [f'<div style="font-family:sans-serif;font-size:{_style.card_px}px;margin-top:6px;'
                 f'max-width:100%;overflow-wrap:anywhere">',
                 f"<div><b>{esc(self.title)}</b></div>"]
        if self.note:
            parts.append(f"<div>{esc(self.note)}</div>")
        if self.rows:
            cell = 'style="border:1px solid #ccc;padding:2px 8px;text-align:right"'
            parts.append('<table style="border-collapse:collapse;margin:4px 0;max-width:100%">')
            parts.append("<tr>" + "".join(f"<th {cell}>{esc(h)}</th>" for h in self.header) + "</tr>")
            for row in self.rows:
                parts.append("<tr>" + "".join(f"<td {cell}>{esc(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
        parts.append(f"<div style=\"color:#555\">{esc(self.queue_text())}</div></div>")
        return "".join(parts)

    def graphviz_html(self, fontsize=None):
        """The card as a Graphviz HTML-like label, so a PNG frame (GIF) carries it too."""
        size = fontsize or _style.fontsize

        def e(text, **how):
            return picture_fonts.html_label(text, size, **how)

        cols = max(1, len(self.header))
        trs = []
        if self.banner:
            trs.append(f'<tr><td colspan="{cols}" align="left" bgcolor="#fff8e1">'
                       f'{e(self.banner, italic=True, line_per_line=True)}</td></tr>')
        trs.append(f'<tr><td colspan="{cols}" align="left">{e(self.title, bold=True)}</td></tr>')
        if self.note:
            trs.append(f'<tr><td colspan="{cols}" align="left">{e(self.note)}</td></tr>')
        if self.rows:
            trs.append("<tr>" + "".join(f"<td>{e(h)}</td>" for h in self.header) + "</tr>")
            trs += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in self.rows]
        trs.append(f'<tr><td colspan="{cols}" align="left">{e(self.queue_text())}</td></tr>')
        return '<table border="0" cellborder="1" cellspacing="0" cellpadding="4">' + "".join(trs) + "</table>"


class _Stepper:
    """step / back / goto / reset / run and the display and export they share.

    A subclass says how many steps there are, how to apply and undo one, and what a frame shows.
    """

    kind = "Stepper"
    first = 0  # the position where nothing is applied yet

    def __init__(self, root, **draw_kwargs):
        self.root = root
        if "marks" in draw_kwargs:
            raise TypeError(f"{self.kind}: the stepper sets the marks itself; pass draw_dot's other options.")
        self.draw_kwargs = draw_kwargs
        DrawOptions(**draw_kwargs)  # a wrong option fails here, not at the first picture
        self._plan = None
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
    listed_marks = ()  # marks the legend always names, so it does not grow between frames

    @property
    def plan(self):
        """The drawing's structure, worked out once per stepper (one topological sort)."""
        if self._plan is None:
            self._plan = GraphPlan(as_roots(self.root), DrawOptions(**self.draw_kwargs))
        return self._plan

    def graph(self, with_card=False, banner=""):
        """The current frame as a Graph; with_card draws the card under it (one picture, SVG or PNG),
        with `banner` as its first line if given."""
        self.plan.check_size()
        card = None
        if with_card:
            card = self.card()
            card.banner = banner
        marks = Marks(**self._decorations(), listed=self.listed_marks, steady=True, card=card)
        return draw_plan(self.plan, marks)

    def card_text(self):
        return self.card().text()

    def _frame_html(self):
        return inline_svg(self.graph().svg(max_height_px=_style.frame_height_px)) + self.card().html()

    def _repr_mimebundle_(self, include=None, exclude=None):
        # No HTML on purpose: viewers that sanitize HTML (GitHub) would show it before the PNG and
        # lose the picture. Graph and card are one picture, in every format.
        frame = self.graph(with_card=True)
        return picture_bundle(frame.svg(), frame.png(), self.card_text(), frame.style)

    def step_text(self, position=None):
        """'step k of n' for a position (the current one by default), as the card and player say it."""
        k = self.position if position is None else position
        return _("step {k} of {n}").format(k=k, n=self.n_steps)

    def __repr__(self):
        return f"<{self.kind} {self.step_text()}>"

    # -- export -------------------------------------------------------------------------------
    def _each_position(self):
        """Visit positions first..n_steps, then put the stepper back where the learner left it."""
        start = self.position
        try:
            for k in range(self.first, self.n_steps + 1):
                self.goto(k)
                yield k
        finally:
            self.goto(start)

    def player(self):
        """A self-contained HTML player of every step (no kernel, no network): .save(path) or display.

        It opens at the stepper's current step; its picture (PNG) and text show that step too.
        """
        frames, captions = [], []
        for k in self._each_position():
            frames.append(self._frame_html())
            captions.append(self.step_text(k))
        banner = _("A still of the step-by-step player ({step}).\n"
                   "To play it: run this cell, trust the notebook, or open the exported page.").format(step=self.step_text())
        still = self.graph(with_card=True, banner=banner)
        return Player(frames, title=f"{self.kind}: {name_of(self.root)}", captions=captions,
                      start=self.position - self.first, png=still.png(), text=banner + "\n" + self.card_text())

    def to_gif(self, path, ms_per_frame=900):
        """One GIF frame per position (graph + card), assembled with Pillow."""
        from PIL import Image
        images = []
        for _ in self._each_position():
            png = self.graph(with_card=True).png()
            images.append(Image.open(io.BytesIO(png)).convert("RGB"))
        width = max(im.width for im in images)
        height = max(im.height for im in images)
        # Frames differ a little in size (the card changes); pad them onto one white canvas.
        canvases = []
        for im in images:
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(im, (0, 0))
            canvases.append(canvas)
        canvases[0].save(path, save_all=True, append_images=canvases[1:], duration=ms_per_frame,
                         loop=0, optimize=False, disposal=1)
        return Path(path)


class Player:
    """Every frame of a stepper in one HTML snippet: previous / next / play buttons and a slider.

    Frames are stacked in one grid cell, so the player is as large as its largest frame and
    nothing moves between frames. The frames and the buttons live in the script: a viewer that
    does not run it (an untrusted notebook, GitHub) drops the script whole.

    In a notebook it shows as two outputs (see outputs()): first a still picture (PNG) of the
    opening frame with its card as text, then the HTML player. No HTML carries a picture through
    GitHub's sanitizer, so the still must be an output of its own; where the player's script
    runs (trusted JupyterLab, the exported site) it hides that still, so only the player shows.

    Where the script does not run, the still says in its picture that it is a player's still and
    how to play it, and the HTML shows one line (`.mg-untrusted`) that says the same; the script
    removes that line.

    In the page: `.mg-frame.mg-on` is the frame shown, `.mg-pos` says "step k of n", the buttons
    are `[data-act=prev|play|next]` and the slider is `input[type=range]`.
    """

    # The text of the HTML output: what a viewer without HTML shows instead of the player.
    PLAYER_TEXT = N_("(the step-by-step player: it runs in a trusted notebook or the exported pages)")
    # How to make the buttons appear, for a viewer that shows the player without running its script.
    HOW_TO_PLAY = N_("run this cell, or trust the notebook (JupyterLab: command palette, Trust Notebook), "
                     "or open the exported page")

    def __init__(self, frames, title="", captions=None, start=0, png=None, text=""):
        self.frames, self.title = frames, title
        self.captions = list(captions) if captions is not None else [f"frame {i}" for i in range(len(frames))]
        self.start, self.png, self.text = start, png, text
        # A counter (no randomness: the same notebook stores the same bytes) and a digest of the
        # frames: two notebooks open in one JupyterLab page each number their players from 1.
        digest = hashlib.sha1("\x00".join(self.frames).encode("utf-8")).hexdigest()[:8]
        self.element_id = f"mgplayer-{next(_player_ids)}-{digest}"

    @staticmethod
    def _js_string(text):
        """Text as a JavaScript string literal that cannot end the <script> it sits in."""
        return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")

    # The still picture is the output just before the player's own (JupyterLab and nbconvert's lab
    # template: .jp-OutputArea-child; classic Notebook and nbviewer: .output_area). It is hidden only
    # if it really is a picture, so a player displayed on its own never hides someone else's output.
    _HIDE_STILL_JS = ("var area=root.closest('.jp-OutputArea-child, .output_area');"
                      "var prev=area&&area.previousElementSibling;"
                      "if(prev&&prev.querySelector('.jp-RenderedImage, .output_png')){prev.style.display='none';}")

    def _script(self):
        pid, last = self.element_id, len(self.frames) - 1
        frames = "[" + ",".join(self._js_string(f) for f in self.frames) + "]"
        # The buttons' words, in the notebook's language (a browser has Chinese fonts).
        previous, play, next_, pause = (html.escape(w) for w in (_("previous"), _("play"), _("next"), _("pause")))
        controls = self._js_string(
            f'<button data-act="prev">&#9664; {previous}</button><button data-act="play">&#9654; {play}</button>'
            f'<button data-act="next">{next_} &#9654;</button><input type="range" min="0" max="{last}" '
            f'value="{self.start}" step="1"> <span class="mg-pos"></span>')
        return ("<script>(function(){"
                # The script's own player, even when another one on the page has the same id.
                "var me=document.currentScript;"
                f"var root=(me&&me.closest&&me.closest('.mgplayer'))||document.getElementById('{pid}');"
                f"var FRAMES={frames};"
                "var note=root.querySelector('.mg-untrusted');if(note){note.remove();}"
                + self._HIDE_STILL_JS +
                "var bar=root.querySelector('.mg-controls');"
                f"bar.innerHTML={controls};bar.hidden=false;"
                "var frames=root.querySelectorAll('.mg-frame');"
                "for(var j=0;j<frames.length;j++){frames[j].innerHTML=FRAMES[j];frames[j].hidden=false;}"
                "var slider=bar.querySelector('input');var pos=bar.querySelector('.mg-pos');"
                "var play=bar.querySelector('[data-act=play]');"
                f"var k={self.start},timer=null,last=frames.length-1;"
                "function show(i){k=Math.max(0,Math.min(last,i));"
                "for(var j=0;j<frames.length;j++){frames[j].classList.toggle('mg-on',j===k);}"
                "slider.value=k;pos.textContent=frames[k].getAttribute('data-caption');}"
                f"function stop(){{if(timer){{clearInterval(timer);timer=null;play.innerHTML='&#9654; {play}';}}}}"
                "bar.querySelector('[data-act=prev]').onclick=function(){stop();show(k-1);};"
                "bar.querySelector('[data-act=next]').onclick=function(){stop();show(k+1);};"
                "slider.oninput=function(){stop();show(parseInt(slider.value,10));};"
                "play.onclick=function(){if(timer){stop();return;}if(k>=last){show(0);}"
                f"play.innerHTML='&#10074;&#10074; {pause}';"
                "timer=setInterval(function(){if(k>=last){stop();}else{show(k+1);}},900);};"
                "show(k);})();</script>")

    def _repr_html_(self):
        """The player alone, without the still: the controls stay hidden until the script fills them."""
        pid = self.element_id
        style = (f"<style>#{pid}{{max-width:100%}} #{pid} .mg-frames{{display:grid;"
                 f"grid-template-columns:minmax(0,1fr)}} #{pid} .mg-frame{{grid-area:1/1;visibility:hidden}} "
                 f"#{pid} .mg-frame.mg-on{{visibility:visible}} #{pid} .mg-controls{{font-family:sans-serif;"
                 f"margin-bottom:6px}} #{pid} .mg-controls[hidden]{{display:none}} "
                 f"#{pid} button{{margin-right:4px}}</style>")
        frames = "".join(f'<div class="mg-frame" data-caption="{html.escape(caption)}" hidden></div>'
                         for caption in self.captions)
        return (f'<div id="{pid}" class="mgplayer">{style}{self._untrusted_note()}'
                f'<div class="mg-controls" hidden></div>'
                f'<div class="mg-frames">{frames}</div>{self._script()}</div>')

    def _untrusted_note(self):
        """One line for a viewer that shows this HTML without running its script (untrusted)."""
        shown = self.captions[self.start] if self.captions else ""
        where = _(", the picture above is its {step}").format(step=shown) if self.png and shown else ""
        what = _("{a_player} of {n} frames{where}. Its buttons need the notebook's scripts: {how}.").format(
            a_player="\0", n=len(self.frames), where=where, how=_(self.HOW_TO_PLAY))
        what = html.escape(what).replace("&#x27;", "&#39;").replace(
            "\0", "<b>" + html.escape(_("A step-by-step player")) + "</b>", 1)
        return ('<div class="mg-untrusted" style="font-family:sans-serif;padding:6px 10px;'
                'border:1px dashed #888;border-radius:4px;background:#fff8e1;color:#222;max-width:100%">'
                f'&#9654; {what}</div>')

    def outputs(self):
        """The two output bundles a notebook stores: the still picture (if any), then the player."""
        bundles, player = [], {"text/html": self._repr_html_(), "text/plain": _(self.PLAYER_TEXT)}
        if self.png:
            bundles.append({"image/png": self.png, "text/plain": self.text or repr(self)})
            # The same picture in the player's own output too, for a viewer that trusts PNG but not
            # HTML: every output that holds a drawing carries a PNG beside it.
            player["image/png"] = self.png
        bundles.append(player)
        return bundles

    def _ipython_display_(self):
        from IPython.display import display
        for bundle in self.outputs():
            display(bundle, raw=True)

    def save(self, path):
        doc = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
               f"<title>{html.escape(self.title)}</title></head><body>\n{self._repr_html_()}\n</body></html>\n")
        Path(path).write_text(doc, encoding="utf-8")
        return Path(path)

    def __repr__(self):
        return f"<Player {self.element_id}: {len(self.frames)} frames>"


def _queue_name(node):
    return f"{name_of(node)} ({node._op})" if label_of(node) and node._op else name_of(node)


class BackpropStepper(_Stepper):
    """Backpropagation one node at a time, on the real grads, taking the engine's own chain-rule steps.

    Its positions are the engine's step numbers, "step k of n": -1 is "no step taken yet",
    0 the seed (root.grad = 1), then 1..n one chain-rule step per node with inputs. back()
    restores the recorded `before` grads; stepping forward again re-applies the recorded `after`
    grads (the engine's own numbers). If a hand-written `_backward` raises, the grads stay as they
    were before that step, and every later step() says which step failed and why.
    """

    kind = "BackpropStepper"
    listed_marks = ("active", "receiving", "done")
    first = -1

    def __init__(self, root, **draw_kwargs):
        super().__init__(root, **draw_kwargs)
        self._plan_steps(self.plan.nodes)  # the drawing's topological order, sorted once
        self._recorded = []          # BackwardSteps taken by the engine so far: step k is [k]
        self._root_grad_before = None
        self.failure = None          # what went wrong, once a step has raised

    def _plan_steps(self, graph=None):
        """Which nodes take a chain-rule step, in the engine's order (read again at the seed, so a
        `_backward` assigned after the stepper was made is seen, as backward() would see it)."""
        self._graph = self.root.topological_order() if graph is None else graph
        self._nodes_of_steps = [self.root] + micrograd_core._step_order(self._graph)
        self.n_steps = len(self._nodes_of_steps) - 1  # n: the seed is step 0, then n chain-rule steps

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
        if step_number == 0:  # the seed: d root/d root = 1
            self._plan_steps()
            self._root_grad_before = self.root.grad
            self.root.grad = 1.0
            self._recorded.append(BackwardStep(0, self.n_steps, self.root, 1.0, ()))
            return
        node = self._nodes_of_steps[step_number]
        try:  # the engine takes the step on the real grads, as backward() does
            self._recorded.append(micrograd_core._traced_step(node, step_number, self.n_steps, self._graph))
        except RuleError as error:  # the engine has put the grads back as they were before the step
            self.failure = f"{error} (BackpropStepper: stopped at {self.step_text(k)})"
            raise
        # Anything else (KeyboardInterrupt: the learner pressed stop) leaves the grads as before the
        # step and the position where it was, so the next step() takes the same step again.

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
        return {"nodes": marks, "edges": edges}

    def step_text(self, position=None):
        k = self.position if position is None else position
        return _("before step 0 of {n}").format(n=self.n_steps) if k < 0 else _("step {k} of {n}").format(
            k=k, n=self.n_steps)

    def card(self):
        rname = name_of(self.root)
        queue = [_("seed {name}").format(name=rname) if i == 0 else _queue_name(n)
                 for i, n in enumerate(self._nodes_of_steps) if i > self.position]
        step = self.current
        if step is None:
            return Card(_("{step}: no step taken yet (step 0 is the seed)").format(step=self.step_text()),
                        _("Next: the seed step sets d{root}/d{root} = 1. Call step() to begin.").format(root=rname),
                        queue=queue)
        if step.is_seed:
            before = self._root_grad_before
            return Card(_("{step}: seed, node '{root}'").format(step=self.step_text(), root=rname),
                        _("d{root}/d{root} = 1: the output changes one-for-one with itself, so "
                          "{root}.grad is set to 1 (grad {before} → {after}).").format(
                            root=rname, before=fmt(before), after=fmt(1.0)), queue=queue)
        node = step.node
        rows = [(name_of(s.child), _local_text(s), fmt(s.upstream), fmt(s.contribution),
                 f"{fmt(s.before)} \u2192 {fmt(s.after)}") for s in step.slots]
        note = _("upstream grad d{root}/d{node} = {upstream}").format(
            root=rname, node=name_of(node), upstream=fmt(step.upstream))
        if any(s.observed for s in step.slots):
            note += _("; a hand-written _backward: each contribution is what it added to the input's grad, "
                      "and local = contribution / upstream")
        return Card(_("{step}: node '{node}' ({op})").format(step=self.step_text(), node=name_of(node), op=node._op),
                    note, header=(_("input"), _("local derivative"), _("× upstream grad"), _("= contribution"),
                                  _("grad before → after")),
                    rows=rows, queue=queue)


def _local_text(slot):
    """A slot's local derivative for the card; '?' when a hand-written _backward met a zero upstream."""
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

    Position k means k nodes revealed; later nodes are dashed outlines without text, in the place
    they will take, so the layout stays put and the first frames already show the graph's shape.
    """

    kind = "ForwardStepper"
    listed_marks = ("new", PENDING)

    def __init__(self, root, **draw_kwargs):
        super().__init__(root, **draw_kwargs)
        self._order = self.plan.nodes  # the drawing's topological order, sorted once
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
        return {"nodes": marks, "pending": self._order[self.position:]}

    def card(self):
        queue = [_queue_name(n) for n in self._order[self.position:]]
        node = self.current
        if node is None:
            return Card(_("{step}: nothing built yet").format(step=self.step_text()),
                        _("Call step() to create the first value."), queue=queue, queue_label=_(PENDING_MEANING))
        if node._prev:
            note = f"{name_of(node)} = {_forward_expression(node)} = {fmt(node.data)}"
        else:
            note = _("{name} = {data} (a leaf: a number we start from)").format(name=name_of(node), data=fmt(node.data))
        return Card(f"{self.step_text()}: '{name_of(node)}'", note, queue=queue, queue_label=_(PENDING_MEANING))


def draw_forward(root, **kw):
    """The forward pass as a stepper (the graph growing node by node); same interface as BackpropStepper."""
    return ForwardStepper(root, **kw)


# ==============================================================================================
# Matplotlib helpers (no plt.show(); each returns its Figure so notebooks and tests can use it)
# ==============================================================================================

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def show_figures_inline_in_jupyter():
    """Inside a Jupyter kernel, make `plt.show()` draw figures under their cell, whatever MPLBACKEND says.

    A kernel started with MPLBACKEND=Agg (a common CI setting) would otherwise drop every figure
    with a warning, so a learner would see no plot and nbval would see different outputs. Runs
    when viz is imported (every notebook imports it in its first cell); outside a kernel
    (scripts, tests) it does nothing.
    """
    if "ipykernel" not in sys.modules:
        return
    if "matplotlib" not in sys.modules:
        os.environ["MPLBACKEND"] = _INLINE_BACKEND  # read when matplotlib is imported: costs nothing now
        return
    import matplotlib
    if matplotlib.rcParams["backend"] != _INLINE_BACKEND:
        matplotlib.use(_INLINE_BACKEND)


def _chinese_in_plots():
    """In the zh-TW edition viz's plot labels hold Chinese, which matplotlib's own font lacks."""
    if language() == "zh_TW":
        picture_fonts.use_in_matplotlib()


def _new_axes(ax, figsize):
    import matplotlib.pyplot as plt
    _chinese_in_plots()
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def plot_function(f, xs_range=(-5, 5), tangents_at=(), ax=None, n=200, title=None, var="x", name=None):
    """Plot a float -> float function, with tangent lines whose slopes are symmetric differences.

    var names the variable on the x axis and in the legend; name is the function's label, f(x) by
    default (e.g. var="n", name="tanh(n)" for an activation plotted against a neuron's sum n).
    """
    name = name or f"f({var})"
    import numpy as np
    fig, ax = _new_axes(ax, (6, 4))
    xs = np.linspace(xs_range[0], xs_range[1], n)
    ax.plot(xs, [f(float(x)) for x in xs], color="#1f77b4", label=name)
    h = 1e-5
    span = (xs_range[1] - xs_range[0]) / 8
    for x0 in tangents_at:
        x0 = float(x0)
        slope = (f(x0 + h) - f(x0 - h)) / (2 * h)
        y0 = f(x0)
        tx = np.array([x0 - span, x0 + span])
        ax.plot(tx, y0 + slope * (tx - x0), "--",
                label=_("slope at {var}={x}: {slope}").format(var=var, x=f"{x0:g}", slope=fmt(slope)))
        ax.plot([x0], [y0], "o", color="black", markersize=4)
    ax.axhline(0, color="#999999", linewidth=0.5)
    ax.axvline(0, color="#999999", linewidth=0.5)
    ax.set_xlabel(var)
    ax.set_ylabel(name)
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
    _chinese_in_plots()
    nrows = max(1, math.ceil(len(snapshots) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.2 * nrows), squeeze=False)
    for ax, (title, predict) in zip(axes.ravel(), snapshots):
        plot_decision_boundary(predict, X, y, ax=ax, resolution=40, title=title)
        ax.get_legend().remove()
    for ax in axes.ravel()[len(snapshots):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


show_figures_inline_in_jupyter()
if _style.lecture:  # MICROGRAD_LECTURE=1: the notebook's text grows as soon as viz is imported
    _show_lecture_css(True)
