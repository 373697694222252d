"""Unseen means unseen for the exercises of notebooks 02, 05 and 09 that take a function: their
graphs and neurons used to come from fixed seeds (2002, 2005, 2009), so a lookup table of one
check's cases passed every later check. Now each check draws new ones, and what a passing check
prints stays the same."""

import series_checks as sc
from checks_battery import assert_a_lookup_table_fails
from series_checks import nb02, nb05, nb09


def count_nodes(root):
    return len(root.topological_order())


def my_topological_order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if child not in seen)
    return order


def neuron(xs, ws, b):
    return sum((w * x for w, x in zip(ws, xs)), b).tanh()


def passing_message_twice(check, fn):
    with sc.quiet():
        first, second = check(fn), check(fn)
    assert first and second
    return first.message, second.message


def test_count_nodes_draws_new_graphs_at_every_check():
    assert_a_lookup_table_fails(nb02.check_count_nodes, count_nodes)
    first, second = passing_message_twice(nb02.check_count_nodes, count_nodes)
    assert first == second


def test_topological_order_draws_new_graphs_at_every_check():
    assert_a_lookup_table_fails(nb05.check_my_topological_order, my_topological_order)
    first, second = passing_message_twice(nb05.check_my_topological_order, my_topological_order)
    assert first == second


def test_neuron_draws_new_neurons_at_every_check():
    assert_a_lookup_table_fails(nb09.check_neuron, neuron)
    first, second = passing_message_twice(nb09.check_neuron, neuron)
    assert first == second
