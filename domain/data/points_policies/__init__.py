"""Hukou points policy versions, one JSON file each (format: see domain.points_policy)."""
