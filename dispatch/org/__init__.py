"""The organisation: regions' days, engineers, users, absences, master data."""
