"""The `govdocs` command line: parse options, call one core function, report.

One module per group of commands (checks, tables, documents), each registering its commands
on the group in `app`. Heavy libraries (pandas, WeasyPrint, matplotlib) are imported inside
the commands, so `govdocs --help` starts as fast as Click itself. A `GovdocsError` becomes one
line per problem on stderr and its documented exit code; anything else is a bug, shown as one
line unless --debug asks for the traceback.
"""

from govdocs.cli import checks, documents, response, tables  # noqa: F401 - each registers its commands
from govdocs.cli.app import cli, main, with_exit_codes

with_exit_codes(cli)

__all__ = ["cli", "main"]
