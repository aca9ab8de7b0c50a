"""The runnable example programme, also the starter copied by `govdocs init`."""
