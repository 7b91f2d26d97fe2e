"""The ``dispatch`` console script: the composition root above api, dispatch, scenarios, solver."""
