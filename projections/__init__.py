"""Read models built from the one event log, each with its own tracked position."""
