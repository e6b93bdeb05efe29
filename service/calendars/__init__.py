"""Working-day calendars (节假日安排): the recorded holiday arrangements and the calendar
publication windows are counted on.

:class:`Calendars` (``ledger.calendars``) records a year's arrangement and answers which
calendar is in force; :func:`calendar_years` lists every known year from the read model.
"""

from service.calendars.records import ADD_CALENDAR_REMEDY, Calendars
from service.calendars.years import CalendarYearEntry, calendar_years

__all__ = ["ADD_CALENDAR_REMEDY", "CalendarYearEntry", "Calendars", "calendar_years"]
