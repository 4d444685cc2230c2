"""Benchmarks of the portal at province scale (not part of `make test`; see README, "Benchmarks")."""
