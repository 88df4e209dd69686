"""Big overlay grids kept drawn on layers of their own, so a region lays a grid down in one copy.

Why: a region redraw draws every item that touches it, and a grid in its parts that touch. For a
64×64 output grid at README size, a region the kernel window's lines cross holds hundreds of
cells, each a few Python calls: a frame's cost would grow with the grid again. A layer holds the
grid drawn alone, with a coverage mask of the pixels it drew; when the grid's state changes, only
the cells and edges that changed are redrawn on the layer (their rectangles joined where they
lie close, with no alignment to output pixels), and a region takes the grid from the layer where
the mask covers it.

Exact, by construction: a grid draws opaque fills, strokes and dots, and text on its own fills,
so wherever its coverage is full the pixel does not depend on what lies beneath; where a
region's coverage is partial (text over nothing of the grid's), the layer is not used and the
grid is drawn directly. Grids with numbers on clear cells (their ink is read from beneath) are
never layered.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from convanim.picture import Grid, Picture
from convanim.renderer.damage import joined
from convanim.renderer.gridparts import GeometryKey, geometry_key
from convanim.renderer.raster import Painter, Target

#: Grids with fewer cells are drawn directly: a small grid costs less than a layer's copies.
LAYER_MIN_CELLS = 144
#: Pixels all layers may hold, in canvases: a layer covers its grid's bounds, four bytes a pixel.
MAX_LAYER_CANVASES = 3.0

#: Changes closer than this (output pixels) are redrawn on a layer as one piece.
NEAR_PX = 8

Box = tuple[int, int, int, int]


class Layer:
    """One grid geometry drawn alone, with the mask of what it drew, at ``state``: pixels of the
    canvas box ``box`` (the grid's bounds), copied from drawings at canvas coordinates."""

    def __init__(self, box: Box) -> None:
        self.box = box
        size = (box[2] - box[0], box[3] - box[1])
        self.image = Image.new("RGB", size)
        self.coverage = Image.new("L", size)
        self.state: Grid | None = None

    def part(self, box: Box) -> tuple[Box, Box] | None:
        """(the canvas box, the same box in the layer) of ``box`` within the layer, if any."""
        x0, y0 = max(box[0], self.box[0]), max(box[1], self.box[1])
        x1, y1 = min(box[2], self.box[2]), min(box[3], self.box[3])
        if x1 <= x0 or y1 <= y0:
            return None
        ox, oy = self.box[:2]
        return (x0, y0, x1, y1), (x0 - ox, y0 - oy, x1 - ox, y1 - oy)


class GridLayers:
    """The layers of one renderer: kept up to date as overlays come, laid over regions."""

    def __init__(self, painter: Painter, scratch: Image.Image) -> None:
        self.painter = painter
        self._scratch = scratch  # the renderer's scratch canvas: what is drawn here is never read
        self._marks = Image.new("L", scratch.size)
        self._target = Target(scratch, self._marks)
        self._layers: dict[GeometryKey, Layer] = {}
        self._room = MAX_LAYER_CANVASES * scratch.width * scratch.height  # pixels left for layers

    def update(self, overlay: Picture) -> None:
        """Bring the layer of every big grid of ``overlay`` to that grid's state."""
        for item in overlay.items:
            if isinstance(item, Grid) and item.shape[0] * item.shape[1] >= LAYER_MIN_CELLS:
                layer = self._layer_for(item)
                if layer is not None and layer.state is not item:
                    self._redraw(layer, item)

    def lay(self, target: Target, grid: Grid, box: Box) -> bool:
        """Lay ``grid`` over ``target`` in ``box`` (canvas pixels) from its layer; False when it
        has none at this state, or the coverage there is partial (draw it directly then)."""
        layer = self._layers.get(geometry_key(grid))
        if layer is None or layer.state is not grid:
            return False
        part = layer.part(box)
        if part is None:
            return True  # the grid has no pixel there
        canvas_box, layer_box = part
        mask = layer.coverage.crop(layer_box)
        values = np.asarray(mask)
        if ((values != 0) & (values != 255)).any():
            return False
        target.image.paste(layer.image.crop(layer_box), canvas_box, mask)
        return True

    def _layer_for(self, grid: Grid) -> Layer | None:
        key = geometry_key(grid)
        layer = self._layers.get(key)
        if layer is None:
            x0, y0, x1, y1 = self.painter.bounds(grid)
            width, height = self._scratch.size
            box = (max(0, math.floor(x0)), max(0, math.floor(y0)), min(width, math.ceil(x1) + 1),
                   min(height, math.ceil(y1) + 1))
            pixels = (box[2] - box[0]) * (box[3] - box[1])
            if pixels <= 0 or pixels > self._room or self.painter.clear_texts(grid):
                return None
            self._room -= pixels
            layer = self._layers[key] = Layer(box)
        return layer

    def _redraw(self, layer: Layer, grid: Grid) -> None:
        """Redraw what changed from the layer's state to ``grid`` (everything, the first time) on
        the scratch canvas, at canvas coordinates, and copy it into the layer."""
        painter = self.painter
        changed = [painter.bounds(grid)] if layer.state is None else painter.grid_changes(layer.state, grid)
        for region in joined(np.asarray(changed), self._scratch.size, near=NEAR_PX * painter.factor):
            part = layer.part(region)
            if part is None:
                continue
            box, layer_box = part
            self._scratch.paste((0, 0, 0), box)
            self._marks.paste(0, box)
            self._target.clip = (box[0], box[1], box[2] - 1, box[3] - 1)
            painter.draw(self._target, grid)
            layer.image.paste(self._scratch.crop(box), layer_box)
            layer.coverage.paste(self._marks.crop(box), layer_box)
        self._target.clip = None
        layer.state = grid
