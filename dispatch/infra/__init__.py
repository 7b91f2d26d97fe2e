"""Infrastructure: settings, database, migrations, Redis, keys, runtime, events, positions, travel cache, security."""
