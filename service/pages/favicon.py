"""``/favicon.ico``: the site's icon, where browsers and bookmarks look for it by default.

Two files in ``static/``: ``favicon.svg`` (the drawing; pages link it with ``rel="icon"``) and
``favicon.ico``, the same drawing rendered at 16, 32 and 48 pixels and stored as PNG images in
an ICO container (Chromium's rendering of the SVG; browsers that ignore SVG icons use it).
"""

from __future__ import annotations

from flask import Response, send_from_directory

from service.pages.blueprints import pages

ICON_MAX_AGE = 7 * 24 * 3600


@pages.route("/favicon.ico", methods=["GET"])
def favicon() -> Response:
    static = pages.static_folder
    assert static is not None
    return send_from_directory(
        static, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=ICON_MAX_AGE
    )
