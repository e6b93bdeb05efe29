"""The HTTP API: one module per resource, plus problems, auth, idempotency and reads."""
