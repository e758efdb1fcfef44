"""Hints for the exercises, one at a time, the formula last.

    python tools/hint.py                 the functions to write, in order
    python tools/hint.py sigmoid         the first hint for sigmoid
    python tools/hint.py sigmoid 2       the second (each hint says how to open the next)

Try each hint before you open the next: the last one is the formula itself.
"""
import sys

from make_exercises import TODOS, todo


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("Functions to write, in order (python tools/hint.py NAME for a first hint):")
        for name, lesson, task, _ in TODOS:
            print(f"  {lesson:32s} {name}: {task}")
        return 0
    name, number = argv[0], argv[1] if len(argv) > 1 else "1"
    try:
        lesson, task, hints = todo(name)
    except KeyError:
        names = ", ".join(name for name, *_ in TODOS)
        return f"error: no exercise is called {name!r}; the names are {names}"
    if not number.isdigit() or not 1 <= int(number) <= len(hints):
        return f"error: {name} has hints 1 to {len(hints)}, not {number!r}"
    n = int(number)
    print(f"{name} ({lesson}): {task}")
    print(f"hint {n} of {len(hints)}{' (the formula)' if n == len(hints) else ''}: {hints[n - 1]}")
    if n < len(hints):
        print(f"still stuck? python tools/hint.py {name} {n + 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
