"""Hints for the exercises, one at a time, the formula last.

    python tools/hint.py                 the functions to write, in order
    python tools/hint.py sigmoid         the first hint for sigmoid
    python tools/hint.py sigmoid 2       the second (each hint says how to open the next)
    python tools/hint.py backward_from   a method by its own name, as Network.backward_from

Try each hint before you open the next: the last one is the formula itself.
"""
import re
import sys

if __package__:                                 # python -m tools.hint
    from .make_exercises import TODOS, todo
else:                                           # python tools/hint.py
    from make_exercises import TODOS, todo

USAGE = "python tools/hint.py [NAME [HINT_NUMBER]]"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if hasattr(sys.stdout, "reconfigure"):      # σ on a console that cannot show it: σ -> ?
        sys.stdout.reconfigure(errors="replace")
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if not argv:
        print("Functions to write, in order (python tools/hint.py NAME for a first hint):")
        for name, lesson, task, _ in TODOS:
            print(f"  {lesson:32s} {name}: {task}")
        return 0
    if len(argv) > 2:
        return f"error: give a name and at most a hint number: {USAGE}"
    name, number = full_name(argv[0]), argv[1] if len(argv) > 1 else "1"
    if name is None:
        names = ", ".join(name for name, *_ in TODOS)
        return f"error: no exercise is called {argv[0]!r}; the names are {names}"
    lesson, task, hints = todo(name)
    if not re.fullmatch("[0-9]+", number) or not 1 <= int(number) <= len(hints):
        return f"error: {name} has hints 1 to {len(hints)}, not {number!r}"
    n = int(number)
    print(f"{name} ({lesson}): {task}")
    print(f"hint {n} of {len(hints)}{' (the formula)' if n == len(hints) else ''}: {hints[n - 1]}")
    if n < len(hints):
        print(f"still stuck? python tools/hint.py {name} {n + 1}")
    return 0


def full_name(given):
    """The TODO called `given`, or the one method whose own name it is (forward for
    Network.forward); None if there is none, or more than one."""
    names = [name for name, *_ in TODOS]
    if given in names:
        return given
    methods = [name for name in names if name.split(".")[-1] == given]
    return methods[0] if len(methods) == 1 else None


if __name__ == "__main__":
    sys.exit(main())
