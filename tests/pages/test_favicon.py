"""``/favicon.ico`` is a real icon (PNG images in an ICO container) and every page links it."""

from __future__ import annotations

import struct

from tests.pages.pages_world import PagesWorld


def test_favicon_is_an_icon_and_pages_link_it(pages_world: PagesWorld):
    client = pages_world.client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    reserved, kind, count = struct.unpack("<HHH", icon.data[:6])
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = set()
    for index in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", icon.data[6 + 16 * index : 22 + 16 * index]
        )
        assert icon.data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(icon.data)
        sizes.add(width)
    assert {16, 32} <= sizes
    home = client.get("/verify").text
    assert '<link rel="icon" href="/favicon.ico"' in home
    assert client.get("/assets/pages/favicon.svg").status_code == 200
