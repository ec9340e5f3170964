"""The headless services every front-end (window, CLI, API) uses: one rule, written once."""
