"""Colours for text in the curriculum's HTML outputs that stay legible in JupyterLab's light
and dark themes (issue #18).

No single colour reads well on both: normal-size text needs a contrast of 4.5:1 (WCAG 2.1 AA),
which against white asks for a relative luminance of at most 0.18 and against Lab Dark's
``#111`` for at least 0.20. So text colours are Lab's own theme variables (each theme sets
them for its background), with a fallback that reads on white for front ends without them.
Colour only repeats what an icon or a word already says. Borders and chart colours (not text)
keep the Okabe-Ito palette of :mod:`steward.plotting`; charts are drawn on an opaque white
background, so they read the same in either theme.
"""

from __future__ import annotations

#: "Pass", "✔", a good result: Lab's link colour (blue-900 on light, blue-300 on dark).
GOOD = "var(--jp-content-link-color, #0d47a1)"
#: "Not yet", "✘", an error: Lab's error colour (red-700 on light, red-500 on dark).
BAD = "var(--jp-error-color1, #b3261e)"
#: Secondary text ("Not attempted"): Lab's second text colour.
MUTED = "var(--jp-content-font-color2, #616161)"
