"""Checkers for the exercises of the notebook series, and the one vocabulary they all speak.

Every checker follows the same contract, so exercises behave alike in every notebook:
- an untouched exercise (answer left as `...`, or a function whose body is `...`) prints that it is
  waiting, and never raises;
- a right answer prints a short confirmation (with the number it was checked against: the engine
  and, where it applies, a finite difference);
- a wrong answer prints a targeted hint for the mistake it looks like (a flipped sign, a missing
  upstream factor, `=` instead of `+=`, ...) and never the expected value;
- nothing a learner types (inf, nan, text, a Value, an object that claims to equal everything, a
  function that raises or never returns) is accepted by accident or ends in a traceback.

The words for a mistake live here, once: `read_number` says the same thing about an `inf` in every
notebook, `call_safely` reports a learner's exception the same way everywhere.

Checkers return a Verdict: true or false, carrying the line it printed, and invisible as the last
value of a cell. `assert verdict, verdict.message` turns a checker into an autograder test; inside
`quiet()` (or with SERIES_CHECKS_QUIET=1 in the environment) nothing is printed at all.

Learner code is hostile by accident: a bare `except:` inside a loop, a call that takes minutes, a
result of ten million items, an exception whose str() never returns, a line that closes stdout or
turns off the garbage collector. Every @checker runs through one guard, `_guarded`, written once:
the whole check runs in a fork of this process (on Linux), which is stopped after CHECK_BUDGET
seconds whatever the code inside catches; what the learner's code prints is kept to a few lines; and
any global state that the learner's code changed (the collector, the recursion limit, stdout, a
patched module) is named in a note after the verdict. Where fork is missing or unsafe (Windows,
macOS), the check runs in a worker thread that this process watches: when time is up, every line
of the learner's code raises (sys.monitoring, Python 3.12+), so no `except:` can hold it either, and
the state is put back and named all the same. Only Python 3.11 off Linux falls back to a timer that
such a loop can outlast.

The exercise-specific checkers live in one module per notebook: series_checks.nb03, ...
"""

import contextlib
import functools
import gc
import io
import itertools
import math
import numbers
import os
import pickle
import random
import re
import select
import signal
import sys
import sysconfig
import threading
import time
import types
import warnings

from series_language import N_, _

__all__ = [
    # verdicts and what they print
    "Verdict", "checker", "waiting", "passed", "failed", "all_passed", "quiet", "set_quiet",
    # reading answers
    "is_waiting", "is_unwritten", "read_number", "read_whole_number", "read_numbers", "read_choice",
    "describe",
    # comparing
    "close", "check_number", "numeric_derivative",
    # running learner code
    "call_safely", "call_and_read", "is_function", "function_not_ready", "keep_random_state", "TIME_LIMIT",
    "CHECK_BUDGET", "fresh_rng", "in_a_check",
    # building labelled expressions, and the series' running example
    "labelled", "lecture_expression",
]

# Seconds a learner's function may run before call_safely stops it (a loop that never ends).
TIME_LIMIT = 10.0
# Seconds a whole check may take, learner code and reading its results included. Past it the check
# is stopped from outside (its process is killed), so no `except:` in the learner's code can hold it.
CHECK_BUDGET = 15.0
# Characters of what the learner's code printed during a check that are shown after it.
OUTPUT_LIMIT = 2000
# Entries of a list that read_numbers reads at the most, when it is not told how many to expect.
MAX_ITEMS = 100_000


# ----------------------------------------------------------------------------------------------
# Verdicts, and the one line each checker prints
# ----------------------------------------------------------------------------------------------

class Verdict:
    """A checker's answer: true or false, with the message it printed; displays nothing itself.

    kind is "passed", "failed" or "waiting" (a waiting exercise is not passed: its Verdict is false).
    """
    __slots__ = ("ok", "message", "kind")

    def __init__(self, ok, message="", kind=None):
        self.ok = bool(ok)
        self.message = str(message)
        self.kind = kind or ("passed" if self.ok else "failed")

    def __bool__(self):
        return self.ok

    def __eq__(self, other):
        if isinstance(other, Verdict):
            return self.ok == other.ok
        if isinstance(other, bool):
            return self.ok == other
        return NotImplemented

    def __hash__(self):
        return hash(self.ok)

    def __repr__(self):
        return f"Verdict({self.ok}, {self.message!r})"

    def _ipython_display_(self):
        """Show nothing: the ✅ / ❌ / ⏳ line printed by the checker is the feedback."""


_MARKERS = {"waiting": ("⏳", "[..]"), "passed": ("✅", "[ok]"), "failed": ("❌", "[x]"), "note": ("ℹ️", "[i]")}

# Symbols our messages use, spelled in ASCII for a terminal that cannot print them.
_ASCII = {"×": "x", "·": "*", "→": "->", "←": "<-", "−": "-", "–": "-", "—": "-", "≤": "<=",
          "≥": ">=", "≈": "~", "≠": "!=", "…": "...", "’": "'", "‘": "'", "“": '"', "”": '"',
          "²": "^2", "³": "^3", "η": "eta", "Δ": "delta", "∂": "d", "√": "sqrt", "∞": "inf"}

_quiet = os.environ.get("SERIES_CHECKS_QUIET", "") not in ("", "0")


def set_quiet(on=True):
    """Print nothing from now on (on=True) or print again (on=False); returns the previous setting."""
    global _quiet
    before, _quiet = _quiet, bool(on)
    return before


@contextlib.contextmanager
def quiet(on=True):
    """Inside this block checkers print nothing; their Verdicts still carry the message."""
    before = set_quiet(on)
    try:
        yield
    finally:
        set_quiet(before)


def _encodes(text, stream):
    encoding = getattr(stream, "encoding", None)
    if not encoding:   # an in-memory text stream (io.StringIO) holds any text
        return True
    try:
        text.encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _asciify(text, stream=None):
    """The text with our symbols spelled in ASCII; any other character the stream cannot encode
    (Chinese, say) is escaped as \\uXXXX, never turned into '?'."""
    text = "".join(_ASCII.get(ch, ch) for ch in text)
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        return text.encode(encoding, errors="backslashreplace").decode(encoding)
    except LookupError:
        return text.encode("ascii", errors="backslashreplace").decode("ascii")


# While a @checker runs, the lines it prints are collected here, so that a checker which returns a
# bare True/False still gives a Verdict carrying its message.
_collectors = []


# Inside a guarded check's own process, lines are kept here and printed by the process that waits.
_kept_lines = None


def _emit(kind, text):
    """Print one line with its marker: emoji where stdout can encode them, plain ASCII otherwise."""
    for lines in _collectors:
        lines.append(text)
    if _kept_lines is not None:   # in a guarded check's own process: the waiting process prints
        if not _quiet:
            _kept_lines.append((kind, text))
        return
    _print_line(kind, text)


def _print_line(kind, text):
    stream = sys.stdout
    if _quiet or stream is None:
        return
    emoji, plain = _MARKERS[kind]
    line = f"{emoji} {text}"
    if not _encodes(line, stream):
        line = f"{plain} {_asciify(text, stream)}"
    try:
        print(line, file=stream)
    except UnicodeError:  # a stream that claims an encoding it does not honour
        print(f"{plain} {_asciify(text)}", file=stream)
    except ValueError:    # a stream that is closed: the verdict is in the returned Verdict
        pass


def exercise_label(exercise):
    """"Exercise 2" in the notebook's language (the checkers name their exercises in English)."""
    match = re.fullmatch(r"Exercise (\d+)(.*)", exercise)
    if match:
        return _("Exercise {number}").format(number=match.group(1)) + match.group(2)
    return _(exercise)


def waiting(exercise, what=N_("replace the `...` with your answer")):
    """The exercise is untouched: say what to fill in. A false Verdict (nothing to grade yet)."""
    text = _("{exercise}: waiting for your answer ({what}), then run this cell again.").format(
        exercise=exercise_label(exercise), what=_(what))
    _emit("waiting", text)
    return Verdict(False, text, "waiting")


def passed(exercise, detail=""):
    if detail:
        text = _("{exercise}: correct. {detail}").format(exercise=exercise_label(exercise), detail=_(detail))
    else:
        text = _("{exercise}: correct.").format(exercise=exercise_label(exercise))
    _emit("passed", text)
    return Verdict(True, text, "passed")


def failed(exercise, hint):
    text = _("{exercise}: not yet. Hint: {hint}").format(exercise=exercise_label(exercise), hint=_(hint))
    _emit("failed", text)
    return Verdict(False, text, "failed")


def all_passed(verdicts):
    """One Verdict for several parts of an exercise: true only if every part passed."""
    verdicts = list(verdicts)
    ok = bool(verdicts) and all(verdicts)
    kinds = {v.kind for v in verdicts}
    kind = "passed" if ok else "failed" if "failed" in kinds else "waiting"
    return Verdict(ok, "\n".join(v.message for v in verdicts), kind)


UNCHECKABLE = N_("this answer could not be checked")


def checker(fn=None, *, exercise=None):
    """Decorator for an exercise checker (`@checker` or `@checker(exercise="Exercise 2")`).

    Whatever the checker returns becomes a Verdict; the caller's random state is kept; an exception
    that escapes the checker (an answer of a shape nobody foresaw, or anything the learner's code
    raised, BaseException included) becomes a hint instead of a traceback; and the whole check runs
    through the guard (`_guarded`): bounded in time and output, with its side effects named.
    """
    def decorate(fn):
        label = exercise or fn.__name__

        def check(*args, **kwargs):
            lines = []
            _collectors.append(lines)
            try:
                with keep_random_state():
                    result = fn(*args, **kwargs)
            except BaseException as e:  # noqa: BLE001 - learner code may raise anything at all
                if isinstance(e, KeyboardInterrupt) and not (_in_child or _in_worker()):
                    raise   # the learner pressed stop while the check ran in this process
                result = failed(label, _("{uncheckable} ({error}). Check that each answer has the form the "
                                         "exercise asks for.").format(uncheckable=_(UNCHECKABLE),
                                                                      error=_exception_text(e)))
            finally:
                _collectors.pop()
            if isinstance(result, Verdict):
                return result
            return Verdict(result, "\n".join(lines))

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return _guarded(label, check, args, kwargs)
        return wrapper
    return decorate(fn) if fn is not None else decorate


# ----------------------------------------------------------------------------------------------
# The guard: every check runs through it
# ----------------------------------------------------------------------------------------------

_depth = 0          # how many guarded checks are running in this process (a check may call another)
_in_child = False   # True in the process that a guarded check was forked into


def in_a_check():
    """True while a checker runs (in this process or in the guard's fork)."""
    return bool(_depth or _in_child)


def _can_fork():
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and os.environ.get("SERIES_CHECKS_IN_PROCESS", "") in ("", "0")
            and threading.current_thread() is threading.main_thread())


def _guarded(label, check, args, kwargs):
    """Run one check so that the learner's code inside it cannot hang it, flood the output, leak
    an exception or leave the notebook changed: see the module's docstring."""
    global _depth
    if _depth or _in_child:   # a check inside a check: the outer guard covers it
        return check(*args, **kwargs)
    _depth += 1
    try:
        if _can_fork():
            outcome = _in_a_fork(check, args, kwargs)
        elif _can_watch():
            outcome = _in_a_watched_thread(check, args, kwargs)
        else:
            outcome = _in_this_process(check, args, kwargs)
    finally:
        _depth -= 1
    status = outcome[0]
    if status == "done":
        (ok, message, kind), lines, printed, notes = outcome[1]
        _show_printed(printed)
        for line_kind, text in lines:
            for collected in _collectors:
                collected.append(text)
            _print_line(line_kind, text)
        for note in notes:
            _print_line("note", note)
        return Verdict(ok, message, kind)
    if status == "late":
        still = (_(" It is still running in the background (a call that Python cannot interrupt, "
                   "such as a very long sleep); restart the kernel if the notebook feels slow.")
                 if outcome[1] == "abandoned" else "")
        return failed(label, _("the check was stopped after {seconds} s while your code was still "
                               "running. Is there a loop that never ends (one whose `except:` catches "
                               "everything, even the stop), or a call that is very slow?{still}").format(
                                   seconds=f"{CHECK_BUDGET:g}", still=still))
    return failed(label, _("{uncheckable}: the check's process ended without an answer ({how}).").format(
        uncheckable=_(UNCHECKABLE), how=outcome[1]))


class _Printed(io.TextIOBase):
    """What the learner's code prints during a check: kept up to OUTPUT_LIMIT characters, counted
    beyond. Closing it does nothing (the real stdout is never closed by a check)."""

    def __init__(self, encoding):
        self.kept, self.dropped, self.closed_by_learner = [], 0, False
        self._size, self._encoding = 0, encoding

    @property
    def encoding(self):
        return self._encoding

    def writable(self):
        return True

    def write(self, text):
        text = text if type(text) is str else str.__str__(text) if isinstance(text, str) else ""
        room = OUTPUT_LIMIT - self._size
        if room > 0:
            self.kept.append(text[:room])
            self._size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def close(self):
        self.closed_by_learner = True

    @property
    def closed(self):
        return False

    def text(self):
        return "".join(self.kept), self.dropped


def _show_printed(printed):
    text, dropped = printed
    if not text and not dropped:
        return
    stream = sys.stdout
    if _quiet or stream is None:
        return
    if dropped:
        text += "\n" + _("[... {count} more characters printed by your code, not shown]").format(
            count=f"{dropped:,}") + "\n"
    try:
        stream.write(text if text.endswith("\n") else text + "\n")
    except (ValueError, UnicodeError):
        pass


# What a check may not leave changed, read before and after it: (name, how to read it).
def _state():
    from micrograd_core import Value
    import micrograd_core
    modules = {"builtins": __import__("builtins"), "math": math, "random": random,
               "micrograd_core": micrograd_core, "micrograd_core.Value": Value}
    return {"gc": gc.isenabled(), "gc thresholds": gc.get_threshold(),
            "recursion limit": sys.getrecursionlimit(),
            "stdout": sys.stdout, "stderr": sys.stderr,
            "modules": {name: dict(vars(module)) for name, module in modules.items()},
            "module objects": modules}


def _changes(before, after, printed):
    """Sentences naming what the learner's code changed, and a function that puts it back."""
    notes, undo = [], []
    if before["gc"] != after["gc"]:
        notes.append(_("turned Python's garbage collector on") if after["gc"]
                     else _("turned Python's garbage collector off"))
        undo.append(gc.enable if before["gc"] else gc.disable)
    if before["gc thresholds"] != after["gc thresholds"]:
        notes.append(_("changed the garbage collector's thresholds to {thresholds}").format(
            thresholds=after["gc thresholds"]))
        undo.append(lambda: gc.set_threshold(*before["gc thresholds"]))
    if before["recursion limit"] != after["recursion limit"]:
        notes.append(_("set the recursion limit to {limit}").format(limit=after["recursion limit"]))
        undo.append(lambda: sys.setrecursionlimit(before["recursion limit"]))
    if printed.closed_by_learner:
        notes.append(_("closed sys.stdout"))
    for name in ("stdout", "stderr"):
        if after[name] is not before[name]:
            notes.append(_("replaced sys.{name}").format(name=name))
            undo.append(lambda name=name: setattr(sys, name, before[name]))
    for name, old in before["modules"].items():
        new = after["modules"][name]
        changed = sorted(k for k in set(old) | set(new)
                         if old.get(k, _MISSING) is not new.get(k, _MISSING)
                         and (name == "micrograd_core.Value" or not k.startswith("_")))
        if changed:
            shown = ", ".join(changed[:3]) + (", ..." if len(changed) > 3 else "")
            notes.append(_("changed {module} ({names})").format(module=name, names=shown))
            undo.append(lambda name=name, old=old, changed=changed: _restore_module(
                before["module objects"][name], old, changed))
    return notes, undo


_MISSING = object()


def _restore_module(module, old, names):
    for key in names:
        try:
            if key in old:
                setattr(module, key, old[key])
            else:
                delattr(module, key)
        except (AttributeError, TypeError):
            pass


def _run_check(check, args, kwargs):
    """Run the check with stdout and stderr caught; return its outcome, what was printed and the
    changes its code made to global state (as notes, with the means to undo them)."""
    printed = _Printed(getattr(sys.stdout, "encoding", None) or "utf-8")
    before = _state()
    sys.stdout = sys.stderr = printed
    try:
        verdict = check(*args, **kwargs)
    finally:
        after = _state()
        sys.stdout, sys.stderr = before["stdout"], before["stderr"]
    after["stdout"] = after["stdout"] if after["stdout"] is not printed else before["stdout"]
    after["stderr"] = after["stderr"] if after["stderr"] is not printed else before["stderr"]
    notes, undo = _changes(before, after, printed)
    return verdict, printed, notes, undo


PUT_BACK = N_("The check put it back; take that line out of your code, or your notebook will change each "
              "time it runs.")


def _note(notes, where):
    if not notes:
        return []
    return [_("Note: during the check your code {changes}. {where}").format(changes=_("; ").join(notes),
                                                                           where=_(where))]


@contextlib.contextmanager
def _lines_kept(lines):
    """The checker's own lines go to `lines` while learner code runs, not into what it prints
    (whose bound would cut them off); the guard prints them after the learner's output."""
    global _kept_lines
    _kept_lines = lines
    try:
        yield
    finally:
        _kept_lines = None


def _in_this_process(check, args, kwargs):
    """The guard without fork: a timer for the whole check, and the state put back afterwards."""
    lines = []
    try:
        with _lines_kept(lines), _time_limit(CHECK_BUDGET):
            verdict, printed, notes, undo = _run_check(check, args, kwargs)
    except _TimeUp:
        return ("late", None)
    for fix in undo:
        fix()
    notes = _note(notes, PUT_BACK)
    return ("done", ((verdict.ok, verdict.message, verdict.kind), lines, printed.text(), notes))


# ---- without fork: a worker thread, watched ------------------------------------------------------
# The check runs in a worker thread while this thread waits. Each time limit (the whole check's,
# and call_safely's per call) is a deadline on a stack. When one passes, the watcher switches on
# sys.monitoring's LINE and JUMP events, and from then on every line of code outside this package
# that the worker runs raises _TimeUp. A bare `except:` catches one of them, but the next line it
# runs (its own `pass`, the loop's jump back) raises again, so the loop unwinds. Nothing is
# monitored before a deadline passes, so a check costs nothing extra until its time is up.

_GRACE = 2.0           # seconds the worker gets to unwind after the budget, before it is left behind
# Code that is not the learner's: this package, and Python's own library (contextlib, random...),
# whose lines must run to the end so that the check can unwind and put the state back.
_SPARED = tuple({os.path.dirname(os.path.abspath(__file__)) + os.sep,
                 sysconfig.get_paths()["stdlib"] + os.sep, sysconfig.get_paths()["platstdlib"] + os.sep})


class _Worker:
    """One worker thread's time limits: a stack of time.monotonic() deadlines, outermost first."""

    def __init__(self):
        self.deadlines, self.left_behind = [], False

    def time_is_up(self):
        return self.left_behind or bool(self.deadlines) and time.monotonic() >= min(self.deadlines)


class _Watch:
    workers = {}       # thread id -> _Worker, for the check running now and any worker left behind
    tool = None        # our sys.monitoring tool id, once claimed


def _can_watch():
    return hasattr(sys, "monitoring") and threading.current_thread() is threading.main_thread()


def _in_worker():
    return threading.get_ident() in _Watch.workers


def _time_is_up(code, *_):
    """sys.monitoring callback: raise in a worker's learner code once its time is up."""
    worker = _Watch.workers.get(threading.get_ident())
    if worker is not None and worker.time_is_up() and not code.co_filename.startswith(_SPARED):
        raise _TimeUp


def _monitoring(on):
    mon = sys.monitoring
    if _Watch.tool is None:
        free = [i for i in range(6) if mon.get_tool(i) is None]
        if not free:
            return      # every tool id taken (a debugger, a profiler...): only the budget's wait remains
        _Watch.tool = free[-1]
        mon.use_tool_id(_Watch.tool, "series_checks")
        for event in (mon.events.LINE, mon.events.JUMP):
            mon.register_callback(_Watch.tool, event, _time_is_up)
    mon.set_events(_Watch.tool, (mon.events.LINE | mon.events.JUMP) if on else 0)


@contextlib.contextmanager
def _watched_deadline(seconds):
    """call_safely's time limit inside a worker: one more deadline for the watcher."""
    worker = _Watch.workers[threading.get_ident()]
    worker.deadlines.append(time.monotonic() + seconds)
    try:
        yield
    finally:
        worker.deadlines.pop()
        if not worker.time_is_up():
            _monitoring(False)   # this call's time was up, the check's is not: back to full speed


def _in_a_watched_thread(check, args, kwargs):
    """The guard without fork: the check runs in a worker thread; see the comment above."""
    results, lines, stdout, stderr = [], [], sys.stdout, sys.stderr
    state = _Worker()
    budget = time.monotonic() + CHECK_BUDGET
    state.deadlines.append(budget)

    def work():
        _Watch.workers[threading.get_ident()] = state
        try:
            results.append(_run_check(check, args, kwargs))
        except BaseException as e:  # noqa: BLE001 - reported by the waiting thread
            results.append(e)
        finally:
            _Watch.workers.pop(threading.get_ident(), None)

    old_size = threading.stack_size()
    with contextlib.suppress(ValueError, RuntimeError):
        threading.stack_size(64 << 20)   # room for the learner's recursion, as in the main thread
    worker = threading.Thread(target=work, name="series_checks", daemon=True)
    with contextlib.suppress(ValueError, RuntimeError):
        threading.stack_size(old_size)
    kept = _lines_kept(lines)
    kept.__enter__()
    worker.start()
    try:
        while worker.is_alive() and time.monotonic() < budget + _GRACE:
            worker.join(0.02)
            if worker.is_alive() and state.time_is_up():
                _monitoring(True)
    except KeyboardInterrupt:        # the learner pressed stop: stop the worker too, then stop
        state.left_behind = True
        _monitoring(True)
        worker.join(_GRACE)
        raise
    finally:
        # Off again, even if a worker is left behind: monitoring every line of the notebook would
        # slow it down for good. A worker left behind dies in the next check's time-up window.
        _monitoring(False)
        kept.__exit__(None, None, None)
    if worker.is_alive():            # stuck where Python cannot interrupt it: leave it behind
        state.left_behind = True
        sys.stdout, sys.stderr = stdout, stderr
        return ("late", "abandoned")
    if time.monotonic() >= budget or not results:
        return ("late", None)
    if isinstance(results[0], BaseException):
        raise results[0]
    verdict, printed, notes, undo = results[0]
    for fix in undo:
        fix()
    notes = _note(notes, PUT_BACK)
    return ("done", ((verdict.ok, verdict.message, verdict.kind), lines, printed.text(), notes))


def _in_a_fork(check, args, kwargs):
    """The guard with fork: the check runs in a copy of this process, which is killed after
    CHECK_BUDGET seconds. Nothing it changes reaches this process; its lines come back as text."""
    read_end, write_end = os.pipe()
    sys.stdout.flush() if sys.stdout is not None and hasattr(sys.stdout, "flush") else None
    with warnings.catch_warnings():   # Python 3.12+ warns about forking a threaded process: the
        warnings.simplefilter("ignore", DeprecationWarning)  # child touches none of the threads'
        pid = os.fork()                                      # objects (it only computes and exits)
    if pid == 0:
        os.close(read_end)
        _child(check, args, kwargs, write_end)   # never returns
    os.close(write_end)
    try:
        data = _read_until(read_end, time.monotonic() + CHECK_BUDGET)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_end)
    if data is None:
        _kill(pid)
        return ("late", None)
    _, status = os.waitpid(pid, 0)
    if not data:
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.WEXITSTATUS(status)}"
        return ("died", how)
    return pickle.loads(data)


def _child(check, args, kwargs, write_end):
    global _in_child, _kept_lines
    _in_child, _kept_lines = True, []
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        verdict, printed, notes, _ = _run_check(check, args, kwargs)
        notes = _note(notes, N_("The check ran it apart, so nothing changed here; take that line out of "
                             "your code, or your notebook will change when it runs."))
        result = ("done", ((verdict.ok, str(verdict.message), verdict.kind), _kept_lines,
                           printed.text(), notes))
        data = pickle.dumps(result)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
    except BaseException:  # noqa: BLE001 - the parent reports a child that ends without an answer
        code = 1
    finally:
        os._exit(code)


def _read_until(fd, deadline):
    """All bytes from fd until it closes, or None if the deadline passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def fresh_rng():
    """A random.Random for drawing a check's unseen cases: seeded from the OS, never from the
    learner's random state, so no lookup table of cases can pass. What a checker prints must not
    depend on the cases drawn (stored notebook outputs stay the same)."""
    return random.Random(int.from_bytes(os.urandom(8), "little"))


# ----------------------------------------------------------------------------------------------
# Reading the learner's answers
# ----------------------------------------------------------------------------------------------

def is_waiting(answer):
    """True while the learner has not replaced the placeholder `...` (or left None)."""
    return answer is Ellipsis or answer is None


def is_unwritten(fn):
    """True for a function whose body is still only `...` (or `pass`, or a docstring).

    Exercises that ask for a function give its signature with `...` as the body; such a function
    counts as waiting for an answer, like a `...` value.
    """
    import dis
    code = getattr(fn, "__code__", None)
    if not isinstance(code, types.CodeType):
        return False
    for ins in dis.get_instructions(code):
        if ins.opname in ("RESUME", "NOP", "RETURN_VALUE", "CACHE"):
            continue
        if ins.opname in ("LOAD_CONST", "RETURN_CONST") and ins.argval is None:
            continue
        return False
    return True


def describe(obj):
    """A short, safe description of what the learner gave: its type, never a long or failing repr."""
    kind = type(obj).__name__
    if type(obj) is int and obj.bit_length() > 128:   # repr of a huge int is slow, or refused
        return _("a very large int")
    if type(obj) in (bool, int, float, str):
        text = repr(obj)
        return f"{kind} {text}" if len(text) <= 40 else _("a long {kind}").format(kind=kind)
    if kind[:1].lower() in "aeiou":
        return _("an {kind}").format(kind=kind)
    return _("a {kind}").format(kind=kind)


def _is_numpy_bool(obj):
    return type(obj).__module__ == "numpy" and type(obj).__name__ in ("bool", "bool_")


def _is_value(obj):
    from micrograd_core import Value
    return isinstance(obj, Value)


def read_number(exercise, answer, name=N_("the answer")):
    """The answer as a finite float, or None after printing the one wording for its mistake.

    Refused, each with its own sentence: a Value, True/False, text (also "inf" or "3.5"), a number
    too large for a float (10**400), inf and nan, and anything that is not a number.
    """
    problem = _number_problem(answer, name)
    if problem:
        failed(exercise, problem)
        return None
    return float(answer)


def _number_problem(answer, name):
    """Why answer is not a usable number (the sentence to show), or "" when it is one."""
    name = _(name)
    if is_waiting(answer):
        return _("{name} is still `...` (or None): put a number there.").format(name=name)
    if _is_value(answer):
        return _("{name} is a Value; the answer is a plain number (a Value's number is its .data).").format(
            name=name)
    if isinstance(answer, bool) or _is_numpy_bool(answer):
        return _("{name} should be a number, not True or False.").format(name=name)
    if isinstance(answer, (str, bytes)):
        return _("{name} is text ({text}); write the number itself, without quotes.").format(
            name=name, text=describe(answer))
    if isinstance(answer, numbers.Complex) and not isinstance(answer, numbers.Real):
        return _("{name} is a complex number: give a real number.").format(name=name)
    numpy_number = type(answer).__module__.split(".")[0] == "numpy"
    if isinstance(answer, (int, float)) and type(answer) not in (int, float) and not numpy_number:
        # a subclass of int or float can say one thing as itself and another through float()
        return _("{name} should be a plain number (an int or a float), got {what}.").format(
            name=name, what=describe(answer))
    try:
        value = float(answer)
    except OverflowError:
        digits = math.floor(math.log10(abs(answer))) + 1 if isinstance(answer, numbers.Integral) else None
        size = _(" (it has {digits} digits)").format(digits=digits) if digits else ""
        return _("{name} is too large for a float{size}: check how you computed it.").format(name=name, size=size)
    except Exception:  # noqa: BLE001 - a learner's object may fail to convert in any way
        return _("{name} should be a number, got {what}.").format(name=name, what=describe(answer))
    if not isinstance(answer, numbers.Real) and type(answer).__module__.split(".")[0] != "numpy":
        return _("{name} should be a number, got {what}.").format(name=name, what=describe(answer))
    if math.isnan(value):
        return _("{name} is nan (not a number): give an ordinary finite number.").format(name=name)
    if math.isinf(value):
        return _("{name} is {inf}: give an ordinary finite number.").format(
            name=name, inf="-inf" if value < 0 else "inf")
    return ""


# Whole numbers beyond 2**53 cannot all be told apart as floats; no count in the series is near that.
_WHOLE_LIMIT = 2 ** 53


def read_whole_number(exercise, answer, name=N_("the answer")):
    """The answer as an int, or None after printing what is wrong: never truncates (3.7 is refused)."""
    problem = _whole_problem(answer, name)
    if problem:
        failed(exercise, problem)
        return None
    return int(float(answer))


def _whole_problem(answer, name):
    name = _(name)
    problem = _number_problem(answer, name)
    if problem:
        return problem
    value = float(answer)
    if not value.is_integer():
        return _("{name} should be a whole number (a count), got {value}.").format(name=name, value=f"{value:g}")
    if abs(value) > _WHOLE_LIMIT:
        return _("{name} is too large to be a count here: check how you computed it.").format(name=name)
    return ""


def read_numbers(exercise, answer, name=N_("the answer"), length=None):
    """A list or tuple of finite numbers as a list of floats, or None after printing the problem.

    Each element is read like read_number (so the same words for the same mistake); a generator is
    refused rather than consumed, and length (when given) is the number of entries expected.
    """
    name = _(name)
    not_a_list = _("{name} should be a list of numbers, got {what}.")
    if not isinstance(answer, (list, tuple)) and type(answer).__name__ != "ndarray":
        failed(exercise, not_a_list.format(name=name, what=describe(answer)))
        return None
    most = MAX_ITEMS if length is None else length
    try:   # never more than one entry past what is expected: a list may be huge, or never end
        items = list(itertools.islice(iter(answer), most + 1))
    except Exception:  # noqa: BLE001 - a 0-d array, or an object that fails to iterate
        failed(exercise, not_a_list.format(name=name, what=describe(answer)))
        return None
    if len(items) > most:
        if length is not None:
            failed(exercise, _("{name} has more than {most} entries; it should have {length}, one per "
                               "item.").format(name=name, most=f"{most:,}", length=length))
        else:
            failed(exercise, _("{name} has more than {most} entries; that is far too many.").format(
                name=name, most=f"{most:,}"))
        return None
    if length is not None and len(items) != length:
        failed(exercise, _("{name} should have {length} entries, one per item; it has {count}.").format(
            name=name, length=length, count=len(items)))
        return None
    values = []
    for i, item in enumerate(items):
        problem = _number_problem(item, _("entry {index} of {name}").format(index=i, name=name))
        if problem:
            failed(exercise, problem)
            return None
        values.append(float(item))
    return values


def read_choice(exercise, answer, choices, name=N_("the answer"), aliases=None, case=str.lower):
    """One of the allowed strings (normalised), or None after printing which strings are allowed.

    choices: the canonical answers; aliases: other spellings mapped to a canonical answer. Only
    genuine text is read (a str subclass is copied to a plain str first), so an object that claims
    to equal everything is refused like any other non-text answer.
    """
    allowed = ", ".join(repr(c) for c in choices)
    name = _(name)
    if not isinstance(answer, str):
        failed(exercise, _("{name} should be one of {allowed} (text, in quotes), got {what}.").format(
            name=name, allowed=allowed, what=describe(answer)))
        return None
    text = case(str.strip(str.__str__(answer)))
    table = {case(c): c for c in choices}
    table.update({case(k): v for k, v in (aliases or {}).items()})
    if text not in table:
        failed(exercise, _("{name} should be one of {allowed}; got {what}.").format(
            name=name, allowed=allowed, what=describe(str.__str__(answer))))
        return None
    return table[text]


# ----------------------------------------------------------------------------------------------
# Comparing
# ----------------------------------------------------------------------------------------------

def close(a, b, tol=1e-4):
    """Equal within tol, relative to the size of the numbers (and absolute near zero).

    False when either number is not a finite real number: inf is close to nothing, not even inf.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    try:
        a, b = float(a), float(b)
    except Exception:  # noqa: BLE001 - anything that is not a number is close to nothing
        return False
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def numeric_derivative(f, x, h=1e-6):
    """Symmetric difference (f(x+h) - f(x-h)) / 2h of a plain function of one float."""
    return (f(x + h) - f(x - h)) / (2 * h)


GENERIC_HINT = N_("recompute it step by step: local derivative times the upstream gradient, and add "
                  "up the contributions of every path.")
SIGN_HINT = N_("the size looks right but the sign is flipped: check each factor's sign.")


def check_number(exercise, answer, expected, hints=(), tol=1e-4, confirmed_by="",
                 otherwise=GENERIC_HINT, name=N_("the answer"), what=None, whole=False):
    """Compare a numeric answer with the expected value, and hint at the likely mistake.

    hints: (wrong value, message) pairs, the declared wrong answers: when the answer matches one,
    its message is the hint. A flipped sign gets a hint of its own (unless -expected is declared);
    otherwise is the hint for an answer that matches nothing known. confirmed_by names how the
    expected value was checked (e.g. 'a finite difference gives 6.0000'), shown on success.
    what: the waiting message (what to fill in). whole=True: the answer is a count, read with
    read_whole_number and compared exactly (3.7 is refused, never truncated).
    """
    if is_waiting(answer):
        return waiting(exercise, what) if what else waiting(exercise)
    problem = _whole_problem(answer, name) if whole else _number_problem(answer, name)
    if problem:
        return failed(exercise, problem)
    value = float(answer)
    if whole:
        tol = 0.0
    if value == expected or close(value, expected, tol):
        return passed(exercise, confirmed_by or "")
    for wrong, message in hints:
        if value == wrong or close(value, wrong, tol):
            return failed(exercise, message)
    if whole and value < 0 <= expected:
        return failed(exercise, _("a count is never negative."))
    if expected != 0 and (value == -expected or close(value, -expected, tol)):
        return failed(exercise, SIGN_HINT)
    return failed(exercise, otherwise)


# ----------------------------------------------------------------------------------------------
# Running the learner's code
# ----------------------------------------------------------------------------------------------

class _TimeUp(BaseException):
    """Raised inside learner code when its time is up. A BaseException, so that a learner's
    `except Exception:` cannot swallow it."""


def _exception_text(e):
    try:
        message = str(e)
    except Exception:  # noqa: BLE001 - an exception whose str() fails
        message = ""
    message = " ".join(message.split())
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{type(e).__name__}: {message}" if message else type(e).__name__


@contextlib.contextmanager
def _time_limit(seconds):
    """Stop the block with _TimeUp after `seconds`: a timer signal in the main thread, a trace
    function elsewhere (slower, but works in any thread)."""
    if seconds is None or seconds <= 0:
        yield
        return
    if _in_worker():
        with _watched_deadline(seconds):
            yield
        return
    main = threading.current_thread() is threading.main_thread()
    if main and hasattr(signal, "setitimer"):
        def stop(signum, frame):
            raise _TimeUp
        previous = signal.signal(signal.SIGALRM, stop)
        old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if old_timer[0] > 0:  # someone else's timer was running: give it back what is left
                signal.setitimer(signal.ITIMER_REAL, *old_timer)
        return
    deadline = time.monotonic() + seconds
    previous = sys.gettrace()

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TimeUp
        return tracer
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _not_a_function(fn, name):
    return _("pass {name} itself (its name, without parentheses, not its result); got {what}.").format(
        name=_(name), what=describe(fn))


def is_function(exercise, fn, name=N_("your function")):
    """True for something the checker can call; otherwise print the one wording for it and say False."""
    if callable(fn):
        return True
    failed(exercise, _not_a_function(fn, name))
    return False


def function_not_ready(exercise, fn, function, arguments):
    """The verdict for a function exercise that is not written yet (waiting) or holds something that
    is not a function (failed), in the one wording for each; None when fn can be called."""
    if is_waiting(fn) or is_unwritten(fn):
        return waiting(exercise, _("write the body of {name} in place of the `...`").format(name=function))
    if not callable(fn):
        return failed(exercise, _("{name} should be a function of {arguments}.").format(
            name=function, arguments=arguments))
    return None


def _function_name(fn):
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name != "<lambda>" else _("your function")


def call_safely(exercise, fn, *args, seconds=None, case="", **kwargs):
    """Run learner code: (True, result), or (False, failed Verdict) if it raised or ran too long.

    The hint names the exception's type and message (never a traceback) and, when given, the case
    it was run on (`case="on c = b + b"`). seconds defaults to TIME_LIMIT; the random state is kept.
    A result that is a generator is run to the end here (as a list), under the same protection.
    """
    seconds = TIME_LIMIT if seconds is None else seconds
    who = _function_name(fn)
    where = f" {case}" if case else ""
    if not callable(fn):
        return False, failed(exercise, _not_a_function(fn, N_("the function")))
    try:
        with keep_random_state(), _time_limit(seconds):
            result = fn(*args, **kwargs)
            if isinstance(result, types.GeneratorType):
                result = list(result)
    except _TimeUp:
        return False, failed(exercise, _("{who} was still running after {seconds} s{where}: is there a loop "
                                         "that never ends?").format(who=who, seconds=f"{seconds:g}", where=where))
    except BaseException as e:  # noqa: BLE001 - the learner's code: anything it raises is a hint
        if isinstance(e, KeyboardInterrupt) and not (_in_child or _in_worker()):
            raise   # the learner pressed stop while the check ran in this process
        return False, failed(exercise, _("{who} raised {error}{where}.").format(
            who=who, error=_exception_text(e), where=where))
    return True, result


def call_and_read(exercise, fn, *args, read=None, name=N_("what your function returns"), case="",
                  what=None, seconds=None):
    """Run learner code and read what it returns: (True, value) or (False, Verdict).

    read: how to read the result (read_number by default; read_numbers, read_whole_number or any
    function (exercise, answer, name) -> value or None). A result left as `...` / None gives a
    waiting Verdict when `what` (the waiting text) is given, and is read like any answer otherwise.
    """
    ok, result = call_safely(exercise, fn, *args, seconds=seconds, case=case)
    if not ok:
        return False, result
    if what is not None and is_waiting(result):
        return False, waiting(exercise, what)
    lines = []
    _collectors.append(lines)
    try:
        value = (read or read_number)(exercise, result, name)
    finally:
        _collectors.pop()
    if value is None:
        return False, Verdict(False, "\n".join(lines), "failed")
    return True, value


@contextlib.contextmanager
def keep_random_state():
    """Run a block without disturbing the notebook's random numbers (random's, and numpy's if loaded)."""
    state = random.getstate()
    np = sys.modules.get("numpy")
    np_state = np.random.get_state() if np is not None else None
    try:
        yield
    finally:
        random.setstate(state)
        if np_state is not None:
            np.random.set_state(np_state)


# ----------------------------------------------------------------------------------------------
# The series' running example
# ----------------------------------------------------------------------------------------------

def labelled(value, label):
    """Give a Value its label and return it: `s = labelled(u * v, "s")`."""
    value.label = label
    return value


def lecture_expression(a=2.0, b=-3.0, c=10.0, f=-2.0):
    """The series' running example L = (a*b + c) * f, every node labelled; a dict by label.

    e = a*b and d = e + c. With the default numbers: L = -8, and after L.backward() the grads are
    a 6, b -4, c -2, d -2, e -2, f 4.
    """
    from micrograd_core import Value
    a, b, c, f = Value(a, label="a"), Value(b, label="b"), Value(c, label="c"), Value(f, label="f")
    e = labelled(a * b, "e")
    d = labelled(e + c, "d")
    L = labelled(d * f, "L")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}
