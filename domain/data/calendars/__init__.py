"""Holiday arrangements (节假日安排), one ``<year>.json`` each (see domain.holiday_arrangement)."""
