"""The statistics page: SVG charts by region, organisation, occupation and year, as of a date;
a bad or future date explained beside the field."""

from __future__ import annotations

import re
from datetime import timedelta


def test_the_statistics_page_draws_four_labelled_charts(pages_world):
    page = pages_world.client().get("/statistics")
    assert page.status_code == 200
    charts = re.findall(
        r'<svg class="chart bars"[^>]*role="img" aria-labelledby="([^"]+)"', page.text
    )
    assert len(charts) == 4
    for heading in ("按地区", "按机构", "按职业", "按年度"):
        assert heading in page.text
    assert "北京市" in page.text, "regions by name"
    assert "<table" in page.text, "the figures also as tables"


def test_the_figures_as_of_a_past_date_leave_out_what_came_later(pages_world):
    today = pages_world.ledger.clock().date()
    now = pages_world.client().get("/statistics")
    past = pages_world.client().get(
        f"/statistics?as_of={(today - timedelta(days=400)).isoformat()}"
    )
    assert past.status_code == 200
    assert "日终（北京时间）的数据" in past.text
    issued_now = re.search(r"<dt>发证数</dt><dd>(\d+)</dd>", now.text)
    issued_then = re.search(r"<dt>发证数</dt><dd>(\d+)</dd>", past.text)
    assert issued_now and issued_then
    assert int(issued_then.group(1)) == 0 < int(issued_now.group(1))


def test_a_future_or_malformed_date_is_explained_beside_the_field(pages_world):
    future = (pages_world.ledger.clock().date() + timedelta(days=3)).isoformat()
    page = pages_world.client().get(f"/statistics?as_of={future}")
    assert page.status_code == 422
    assert 'id="as_of-error" role="alert">统计日期不能晚于今天' in page.text
    assert 'aria-describedby="as_of-error"' in page.text
    malformed = pages_world.client().get("/statistics?as_of=2025-13-40")
    assert malformed.status_code == 422 and "日期格式应为" in malformed.text


def test_a_legend_says_in_words_what_the_bars_and_figures_mean(pages_world):
    page = pages_world.client().get("/statistics?lang=zh").text
    legend = re.search(r'<div class="legend-box">(.*?)</div>', page, re.S)
    assert legend, "the charts have a legend"
    items = re.findall(r"<li>(.*?)</li>", legend.group(1))
    assert len(items) == 3
    words = [re.sub(r"<[^>]+>", "", item) for item in items]
    assert "整条（浅色）：技能人才人数" in words[0]
    assert "条的左段（深色）：其中高技能人才人数，即三级/高级工及以上" in words[1]
    assert "条末数字：技能人才人数 · 高技能人才占比" in words[2]
    samples = re.findall(r'<svg class="swatch"[^>]*aria-hidden="true"', legend.group(1))
    assert len(samples) == 2, "the colour samples are decoration; the words carry the meaning"
    assert page.index('class="legend-box"') < page.index('<svg class="chart bars"')
    english = pages_world.client().get("/statistics?lang=en").text
    assert "Left part of the bar (dark): of them, high-skill talents, at Level 3 / Senior" in (
        english
    )


def test_occupations_are_named_with_their_codes(pages_world):
    page = pages_world.client().get("/statistics?lang=zh").text
    assert re.search(r'<th scope="row">电工（6-31-01-03）</th>', page)
    english = pages_world.client().get("/statistics?lang=en").text
    assert re.search(r'<th scope="row">电工 \(6-31-01-03\)</th>', english)
