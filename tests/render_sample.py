"""Hand-built pictures for the renderer's tests and benchmark (the scene library is separate).

``reference`` is the benchmark figure: a 5x5 input with padding 1 under a 3x3 kernel, stride 1,
25 steps; oblique (conv_arithmetic look: input on the ground, output floating above, projector
lines) or flat with numbers (values, kernel weights as sublabels, output values).
"""

from __future__ import annotations

from dataclasses import replace

from convanim.picture import ROLES, Box, Grid, Label, Line, Picture, Shade, Step, Timeline, View

OBLIQUE = View(kind="oblique", angle_deg=35.0, depth=0.5)
N, PAD, K = 5, 1, 3
SIZE = N + 2 * PAD
OUT = SIZE - K + 1
WEIGHTS = ((1, 0, 1), (0, 1, 0), (1, 0, 1))


def _value(r: int, c: int) -> int:
    return (r * 3 + c * 5) % 4


def _input_roles() -> tuple[tuple[str, ...], ...]:
    inside = range(PAD, PAD + N)
    return tuple(
        tuple("input" if r in inside and c in inside else "padding" for c in range(SIZE)) for r in range(SIZE)
    )


def _output_value(r: int, c: int) -> int:
    return sum(
        WEIGHTS[i][j] * (_value(r + i, c + j) if PAD <= r + i < PAD + N and PAD <= c + j < PAD + N else 0)
        for i in range(K)
        for j in range(K)
    )


def _output(origin: tuple[float, float, float], plane: str, done: int, numbers: bool) -> Grid:
    order = [(r, c) for r in range(OUT) for c in range(OUT)]
    roles = [["output"] * OUT for _ in range(OUT)]
    labels = [[""] * OUT for _ in range(OUT)]
    for index, (r, c) in enumerate(order[: done + 1]):
        roles[r][c] = "active" if index == done else "done"
        labels[r][c] = str(_output_value(r, c))
    texts = tuple(map(tuple, labels)) if numbers else ()
    return Grid(origin, tuple(map(tuple, roles)), texts, plane=plane)  # type: ignore[arg-type]


def reference(numbers: bool = False, steps: int = OUT * OUT) -> Timeline:
    """The reference figure; ``numbers`` switches to the flat view with values shown."""
    plane = "front" if numbers else "ground"
    values = tuple(
        tuple(str(_value(r, c)) if role == "input" else "0" for c, role in enumerate(row))
        for r, row in enumerate(_input_roles())
    )
    below = Grid((0.0, 0.0, 0.0), _input_roles(), values if numbers else (), plane=plane)
    above_origin = (SIZE + 1.5, 1.0, 0.0) if numbers else (1.0, -5.6, 1.0)
    background = Picture(
        items=(below, _output(above_origin, plane, -1, numbers)),
        title="Convolution, padding 1, stride 1",
        caption="5×5 input, 3×3 kernel, padding 1, stride 1 → 5×5 output",
        formula="o = ⌊(5 + 2·1 − 3)/1⌋ + 1 = 5",
    )
    timeline_steps = []
    for done in range(steps):
        r, c = divmod(done % (OUT * OUT), OUT)
        above = _output(above_origin, plane, done, numbers)
        window = below.quad(r, c, r + K, c + K)
        items: list = [Shade(window)]
        if numbers:
            weights = tuple(tuple(str(w) for w in row) for row in WEIGHTS)
            items.append(Grid(below.point(r, c), (("clear",) * K,) * K, sublabels=weights, plane=plane))
        else:
            items += [Line((w, t), width=0.8) for w, t in zip(window, above.cell_quad(r, c))]
        items.append(above)
        timeline_steps.append(Step(Picture(items=tuple(items)), hold_ms=650))
    return Timeline(background, tuple(timeline_steps), view=View() if numbers else OBLIQUE)


def every_role() -> Picture:
    """One cell of every cell role (with a number), one box, line and label per other role."""
    cell_roles = [r for r in ROLES if r not in ("line", "text", "muted")]
    cols = 5
    rows = [cell_roles[i : i + cols] for i in range(0, len(cell_roles), cols)]
    rows[-1] += ["clear"] * (cols - len(rows[-1]))
    texts = tuple(tuple("7" for _ in row) for row in rows)
    subs = tuple(tuple("1" for _ in row) for row in rows)
    grid = Grid((0.0, 0.0, 0.0), tuple(map(tuple, rows)), texts, subs)
    y = len(rows) + 0.6
    items = [
        grid,
        Shade(grid.quad(0, 0, 2, 2)),
        Line(((0.0, y, 0.0), (3.0, y, 0.0)), role="line", arrow=True),
        Line(((0.0, y + 0.4, 0.0), (3.0, y + 0.4, 0.0)), role="line", dashed=True),
        Label((4.0, y, 0.0), "text", role="text"),
        Label((4.0, y + 0.5, 0.0), "muted", size="small", role="muted"),
    ]
    items += [
        Box((6.0 + 1.4 * i, float(i % 2), 0.0), (1.0, 1.0, 1.0), role=f"group{i}", label=f"g{i}") for i in range(4)
    ]
    return Picture(items=tuple(items), title="Every role", caption="roles", formula="⌊x⌋ · y × z − 1")


def stack() -> Timeline:
    """Channel slices as boxes in the oblique view (multi-channel figures), one moving kernel block."""
    slices = tuple(
        Box((0.0, 0.0, 1.2 * d), (4.0, 4.0, 0.6), role=f"group{d}", label=f"c{d}") for d in range(3)
    )
    background = Picture(items=slices[::-1], title="Three channels", caption="3×4×4 input")
    kernel = Box((0.0, 0.0, -0.2), (2.0, 2.0, 3.2), role="kernel", alpha=0.5)
    steps = tuple(
        Step(Picture(items=(replace(kernel, origin=(float(c), float(r), -0.2)),)), hold_ms=400)
        for r in range(3)
        for c in range(3)
    )
    return Timeline(background, steps, view=View(kind="oblique", angle_deg=35.0, depth=0.6))
