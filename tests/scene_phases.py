"""Reading a scene's timeline back in tests: its phases, and the numbers its grids show."""

from __future__ import annotations

from convanim.picture import Grid, Item, Step, Timeline


def phases(timeline: Timeline) -> list[list[Step]]:
    """Consecutive steps grouped by their caption (each phase of a figure has its own)."""
    grouped: list[list[Step]] = []
    for step in timeline.steps:
        if not grouped or grouped[-1][-1].overlay.caption != step.overlay.caption:
            grouped.append([])
        grouped[-1].append(step)
    return grouped


def shown(items: tuple[Item, ...]) -> list[list[str]]:
    """Every numbered grid's numbers, row-major, as drawn."""
    return [[text for row in item.labels for text in row] for item in items if isinstance(item, Grid) and item.labels]
