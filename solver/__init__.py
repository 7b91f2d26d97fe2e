"""Field-service route optimisation: pure, typed, no database, web or Redis."""
