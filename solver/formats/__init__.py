"""Readers and writers of benchmark instance and solution files."""
