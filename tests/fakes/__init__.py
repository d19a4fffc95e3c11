"""Fakes of the outside world for tests: real servers on loopback, never mocks of our own code."""
