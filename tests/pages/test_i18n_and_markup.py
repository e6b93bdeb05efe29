"""Chinese first, English on request; the catalogue is complete; every page has the markup a
screen reader and a phone need; the colours keep 4.5:1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from service.pages.i18n import CATALOGUE_DIR
from tests.pages.catalogue_support import all_messages
from tests.pages.pages_world import PagesWorld, sign_in

PUBLIC_PAGES = ["/", "/verify", "/competitions", "/statistics", "/signin"]


def test_every_marked_string_has_an_english_entry_and_none_is_stale():
    english = json.loads((CATALOGUE_DIR / "en.json").read_text("utf-8"))
    messages = all_messages()
    assert sorted(messages - english.keys()) == []
    assert sorted(english.keys() - messages) == []
    for source, translated in english.items():
        assert translated.strip(), source
        assert re.findall(r"%\(\w+\)s", source) == re.findall(r"%\(\w+\)s", translated), source


def test_the_language_switch_serves_english_and_remembers_it(pages_world: PagesWorld):
    client = pages_world.client()
    chinese = client.get("/verify")
    assert '<html lang="zh-CN">' in chinese.text and "证书编号" in chinese.text
    assert 'href="/verify?lang=en"' in chinese.text
    english = client.get("/verify?lang=en")
    assert '<html lang="en">' in english.text
    assert "Certificate number" in english.text and "证书编号" not in english.text
    again = client.get("/statistics")
    assert '<html lang="en">' in again.text and "Skill talents" in again.text
    back = client.get("/statistics?lang=zh")
    assert '<html lang="zh-CN">' in back.text


def test_errors_are_explained_in_english_too(pages_world: PagesWorld):
    client = pages_world.client()
    client.get("/verify?lang=en")
    answer = client.post(
        "/verify", data={"number": "Y0000", "name": "", "id_kind": "resident", "id_number": ""}
    )
    assert "A certificate number has 22 characters" in answer.text
    assert "Enter the holder&#39;s name." in answer.text


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_each_page_has_lang_viewport_landmarks_and_labelled_fields(pages_world, path):
    page = pages_world.client().get(path)
    assert page.status_code == 200
    html = page.text
    assert re.search(r'<html lang="zh-CN">', html)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<main id="main"' in html and "<nav " in html and "<header" in html
    assert '<a class="skip-link" href="#main">' in html
    for field in re.findall(r'<(?:input|select|textarea) id="([^"]+)"[^>]*>', html):
        if 'type="hidden"' in field:
            continue
        assert f'<label for="{field}"' in html, f"{path}: {field} has no label"
    assert "style=" not in html, "no inline styles (the CSP allows none)"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_keep_at_least_4_5_to_1():
    css = (Path(CATALOGUE_DIR).parent / "static" / "pages.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    for name in ("ink", "muted", "accent", "ok", "warn", "bad"):
        assert contrast(colours[name], colours["bg"]) >= 4.5, name
        assert contrast(colours[name], colours["soft"]) >= 4.5, name
    assert contrast(colours["accent-ink"], colours["accent"]) >= 4.5
    assert ":focus-visible" in css and "@media (max-width: 599px)" in css


def test_english_labels_end_in_a_colon_and_a_space_and_chinese_keeps_the_full_width_one():
    english = json.loads((CATALOGUE_DIR / "en.json").read_text("utf-8"))
    labels = {source: text for source, text in english.items() if source.endswith("：")}
    assert len(labels) >= 10
    for source, translated in labels.items():
        assert translated.endswith(": "), f"{source!r} -> {translated!r}"
    for source, translated in english.items():
        if not source.endswith("："):
            assert translated == translated.strip(), f"stray space in {translated!r}"


def test_a_signed_in_english_page_puts_a_space_after_each_colon(pages_world: PagesWorld):
    client = pages_world.client()
    sign_in(client, pages_world.world.tokens["worker"])
    english = client.get("/me?lang=en").text
    assert "Signed in: Worker" in english
    assert re.search(r"Current valid level: <strong>Level \d / ", english)
    assert not re.search(r"\w:[^\s/\"'=]", re.sub(r"<[^>]+>|https?://\S+|\d\d:\d\d", "", english))
    chinese = client.get("/me?lang=zh").text
    assert "已登录：工人" in chinese and "当前有效等级：<strong>" in chinese


def test_asides_are_in_full_width_brackets_in_chinese_and_half_width_ones_in_english(
    pages_world: PagesWorld,
):
    client = pages_world.client()
    number = pages_world.world.ids["certificate"]
    chinese = client.get(f"/c/{number}?lang=zh").text
    assert re.search(r"（备案编号 [^）]+）</dd>", chinese)
    english = client.get(f"/c/{number}?lang=en").text
    assert re.search(r"\w \(Filing code [^)]+\)</dd>", english)
    assert "（" not in re.sub(r"<[^>]+>", "", english.split('<main id="main"')[1])
