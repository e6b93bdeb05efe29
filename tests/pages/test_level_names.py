"""One table of level names: the pages, the API and the signed credential all say what
``domain.skill_level.SkillLevel`` says (五级/初级工 … 一级/高级技师; Level 5 / Junior Worker …), in
Chinese and in English."""

from __future__ import annotations

import html
import re

import pytest

from domain.skill_level import SkillLevel
from service.pages.i18n import DEFAULT_LANGUAGE
from service.pages.labels import level_name
from tests.pages.pages_world import PagesWorld


def shown_level(page_html: str) -> str:
    found = re.search(r"<dt>(?:等级|Level)</dt><dd>([^<]+)</dd>", page_html)
    assert found, "the certificate page shows its level"
    return html.unescape(found.group(1))


def test_the_certificate_page_the_api_and_the_credential_name_the_level_alike(
    pages_world: PagesWorld,
):
    client = pages_world.client()
    number = pages_world.world.ids["certificate"]
    api = client.get(f"/api/v1/certificates/{number}").json
    level = SkillLevel.from_code(api["level"])
    credential = client.get(f"/api/v1/certificates/{number}/credential").json
    stated = credential["credentialSubject"]["achievement"]["level"]

    assert shown_level(client.get(f"/c/{number}?lang=zh").text) == level.name_zh
    assert shown_level(client.get(f"/c/{number}?lang=en").text) == level.name_en
    assert api["level_name"] == level.name_zh
    assert (stated["nameZh"], stated["nameEn"]) == (level.name_zh, level.name_en)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_level_the_pages_name_is_the_domains_name(pages_world: PagesWorld, language):
    with pages_world.world.app.test_request_context(f"/?lang={language}"):
        for level in SkillLevel:
            expected = level.name_zh if language == DEFAULT_LANGUAGE else level.name_en
            assert level_name(level.code) == expected
        assert level_name("9") == "9", "an unknown code is shown as it is"
    assert SkillLevel.LEVEL_5.name_zh == "五级/初级工"
    assert SkillLevel.LEVEL_1.name_zh == "一级/高级技师"
