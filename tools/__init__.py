"""The course's tools: make_exercises (writes exercises/ from the lessons) and hint (their hints).
Run them as scripts, python tools/hint.py, or as modules, python -m tools.hint."""
