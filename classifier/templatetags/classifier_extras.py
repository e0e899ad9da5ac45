"""Formatting of the results tables: percentages with their spread over folds."""

from __future__ import annotations

from django import template

from classifier.selectors import Cell

register = template.Library()


def _format(mean: float, cell: Cell) -> str:
    text = f"{100 * mean:.2f}"
    if cell.sd is not None:
        text += f" ± {100 * cell.sd:.2f}"
    return f"{text} (n={cell.n})"


@register.filter
def accuracy_cell(cell: Cell | None) -> str:
    return "—" if cell is None else _format(cell.mean, cell)


@register.filter
def error_cell(cell: Cell | None) -> str:
    return "—" if cell is None else _format(1.0 - cell.mean, cell)


@register.filter
def percent(value: float | str | None) -> str:
    return "—" if value is None or value == "" else f"{100 * float(value):.2f}%"


@register.filter
def number(value: float | str | None, digits: int = 3) -> str:
    return "—" if value is None or value == "" else f"{float(value):.{digits}f}"
