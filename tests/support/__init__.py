"""What the tests stand on: the stores of both backends, clocks, the API world, assertions."""
