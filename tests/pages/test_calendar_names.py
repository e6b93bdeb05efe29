"""A 公示 window's calendar, recorded in English in its events (a stable value), is shown in the
page's language: every shape a ``YearCalendar`` name takes, and an unknown one as recorded."""

from __future__ import annotations

from domain.holiday_arrangement import shipped_arrangements
from domain.working_day_calendar import CalendarSource, YearCalendar
from service.pages.labels import calendar_name
from service.working_days import PACKAGE_NAME
from tests.pages.pages_world import PagesWorld


def test_a_windows_calendars_are_named_in_chinese_and_kept_in_english(pages_world: PagesWorld):
    arrangement = shipped_arrangements()[2026]
    shipped = YearCalendar.from_arrangement(arrangement, CalendarSource.FILE).name
    recorded = YearCalendar.from_arrangement(arrangement, CalendarSource.RECORDED, version=2).name
    both = f"{shipped}; {recorded}; {PACKAGE_NAME}; something else"
    app = pages_world.world.app
    with app.test_request_context("/?lang=zh"):
        shown = calendar_name(both).split("；")
    assert shown[0].startswith(
        "2026 年节假日安排，随软件发布（国务院办公厅关于2026年部分节假日安排的通知"
    )
    assert shown[1].startswith("2026 年节假日安排第 2 版（国务院办公厅")
    assert shown[2].endswith("（中国大陆工作日）") and shown[2].startswith("chinesecalendar ")
    assert shown[3] == "something else"
    assert "arrangement" not in "".join(shown[:3])
    with app.test_request_context("/?lang=en"):
        assert calendar_name(both) == both
