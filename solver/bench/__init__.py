"""Benchmark harness and peer solvers (VROOM, PyVRP, greedy) for comparing plans."""
