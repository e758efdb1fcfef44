"""Printing what several functions print, side by side: two tables of one network's layers, before
and after a cure, read best next to each other."""
import contextlib
import io


def print_side_by_side(*printers, gap=4, skip=0):
    """Call each printer (a function of no arguments that prints) and print their lines in
    columns, the first printer's leftmost; a column as wide as its longest line, then `gap`
    spaces; the first `skip` lines of each left out (a title said once for all). A printer with
    fewer lines leaves its column blank below them."""
    columns = []
    for printer in printers:
        with contextlib.redirect_stdout(io.StringIO()) as text:
            printer()
        columns.append(text.getvalue().rstrip("\n").split("\n")[skip:])
    widths = [max(map(len, column)) for column in columns]
    for row in range(max(map(len, columns))):
        cells = [(column[row] if row < len(column) else "").ljust(width)
                 for column, width in zip(columns, widths)]
        print((" " * gap).join(cells).rstrip())
