"""Benchmarks that print the figures the README quotes. Run with `make bench`."""
