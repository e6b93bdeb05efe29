"""Eligibility-route editions, one JSON file each (format: see domain.eligibility)."""
