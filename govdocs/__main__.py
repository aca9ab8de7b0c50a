"""`python -m govdocs` runs the CLI."""

from govdocs.cli import main

main()
