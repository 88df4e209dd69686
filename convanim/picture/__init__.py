"""The picture contract between scenes and the renderer: what is on screen, as plain immutable data.

``items`` holds the pictures themselves (grids, shades, boxes, lines, labels, steps, timelines);
``timeline`` expands a timeline into the frames to draw. Neither knows about convolutions nor
about pixels: scenes build these, the renderer draws them.
"""

from convanim.picture.items import (
    GREY_LEVELS,
    HEAT_LEVELS,
    ROLES,
    SCALES,
    Box,
    Grid,
    Item,
    Label,
    Line,
    Link,
    Picture,
    Plane,
    Point3,
    Quad,
    Shade,
    Step,
    TextSize,
    Timeline,
    View,
)

__all__ = [
    "GREY_LEVELS",
    "HEAT_LEVELS",
    "ROLES",
    "SCALES",
    "Box",
    "Grid",
    "Item",
    "Label",
    "Line",
    "Link",
    "Picture",
    "Plane",
    "Point3",
    "Quad",
    "Shade",
    "Step",
    "TextSize",
    "Timeline",
    "View",
]
