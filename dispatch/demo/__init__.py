"""Demo data: the demo organisation and a demo day of tickets."""
