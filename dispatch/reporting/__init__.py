"""Reporting: KPIs and operations figures."""
