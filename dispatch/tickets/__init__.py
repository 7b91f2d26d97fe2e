"""Tickets: intake, life cycle, history, numbering, service windows, surveys, edits."""
