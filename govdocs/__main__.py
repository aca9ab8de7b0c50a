"""`python -m govdocs` and the `govdocs` command run the CLI.

Ctrl-C and SIGTERM are held from the first instruction (govdocs.signals): a stop while the
CLI is still importing stops the run as one later does, with its one line and exit code,
not a traceback from an import.
"""

from __future__ import annotations


def run() -> None:
    from govdocs import signals

    signals.hold()
    from govdocs.cli import main

    main()


if __name__ == "__main__":
    run()
