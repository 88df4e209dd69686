"""Big overlay grids kept drawn on layers of their own, so a region lays a grid down in one copy.

Why: a region redraw draws every item that touches it, and a grid in its parts that touch. For a
64×64 output grid at README size, a region the kernel window's lines cross holds hundreds of
cells, each a few Python calls: a frame's cost would grow with the grid again. A layer holds the
grid drawn alone, with a coverage mask of the pixels it drew; when the grid's state changes, only
the cells and edges that changed are redrawn on the layer (through the same damage regions as
frames), and a region takes the grid from the layer where the mask covers it.

Exact, by construction: a grid draws opaque fills, strokes and dots, and text on its own fills,
so wherever its coverage is full the pixel does not depend on what lies beneath; where a
region's coverage is partial (text over nothing of the grid's), the layer is not used and the
grid is drawn directly. Grids with numbers on clear cells (their ink is read from beneath) are
never layered.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from convanim.picture import Grid, Picture
from convanim.renderer.damage import Damage
from convanim.renderer.gridparts import GeometryKey, geometry_key
from convanim.renderer.raster import Painter, Target

#: Grids with fewer cells are drawn directly: a small grid costs less than a layer's copies.
LAYER_MIN_CELLS = 144
#: Layers kept at once (each is a canvas-sized RGB image and mask); others are drawn directly.
MAX_LAYERS = 2


class Layer:
    """One grid geometry drawn alone on black, with the mask of what it drew, at ``state``."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("RGB", size)
        self.coverage = Image.new("L", size)
        self.state: Grid | None = None


class GridLayers:
    """The layers of one renderer: kept up to date as overlays come, laid over regions."""

    def __init__(self, painter: Painter, scratch: Image.Image, output_size: tuple[int, int]) -> None:
        self.painter = painter
        self.output_size = output_size
        self._scratch = scratch  # the renderer's scratch canvas: what is drawn here is never read
        self._marks = Image.new("L", scratch.size)
        self._target = Target(scratch, self._marks)
        self._layers: dict[GeometryKey, Layer] = {}

    def update(self, overlay: Picture) -> None:
        """Bring the layer of every big grid of ``overlay`` to that grid's state."""
        for item in overlay.items:
            if isinstance(item, Grid) and item.shape[0] * item.shape[1] >= LAYER_MIN_CELLS:
                layer = self._layer_for(item)
                if layer is not None and layer.state is not item:
                    self._redraw(layer, item)

    def lay(self, target: Target, grid: Grid, box: tuple[int, int, int, int]) -> bool:
        """Lay ``grid`` over ``target`` in ``box`` (canvas pixels) from its layer; False when it
        has none at this state, or the coverage there is partial (draw it directly then)."""
        layer = self._layers.get(geometry_key(grid))
        if layer is None or layer.state is not grid:
            return False
        mask = layer.coverage.crop(box)
        values = np.asarray(mask)
        if ((values != 0) & (values != 255)).any():
            return False
        target.image.paste(layer.image.crop(box), box, mask)
        return True

    def _layer_for(self, grid: Grid) -> Layer | None:
        key = geometry_key(grid)
        layer = self._layers.get(key)
        if layer is None:
            if len(self._layers) >= MAX_LAYERS or self.painter.clear_texts(grid):
                return None
            layer = self._layers[key] = Layer(self._scratch.size)
        return layer

    def _redraw(self, layer: Layer, grid: Grid) -> None:
        """Redraw what changed from the layer's state to ``grid`` (everything, the first time)."""
        painter, f = self.painter, self.painter.factor
        damage = Damage(self.output_size, f)
        if layer.state is None:
            damage.add([painter.bounds(grid)])
        else:
            damage.add(painter.grid_changes(layer.state, grid))
        for x0, y0, x1, y1 in damage.regions():
            box = (x0 * f, y0 * f, x1 * f, y1 * f)
            self._scratch.paste((0, 0, 0), box)
            self._marks.paste(0, box)
            self._target.clip = (box[0], box[1], box[2] - 1, box[3] - 1)
            painter.draw(self._target, grid)
            layer.image.paste(self._scratch.crop(box), box)
            layer.coverage.paste(self._marks.crop(box), box)
        self._target.clip = None
        layer.state = grid
