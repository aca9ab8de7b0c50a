"""How much one human input may hold.

A reviewer's inputs, an assessment and a partner's proposed actions are written by people and
printed whole, so each is bounded: a file stalls no shared build and a document stays a
document. The limits are generous for what a review needs (a text field holds a long
paragraph; a list holds more entries than a QBR page can show) and are checked at load, each
refusal naming the file and line. docs/security.md lists them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StrictStr, StringConstraints

TEXT_CHARACTERS = 2_000  # one text field: a summary, a concern, a note (about 300 words)
NAME_CHARACTERS = 200  # a name, an owner or an id
LIST_ENTRIES = 50  # entries in one list of an inputs or an assessment file
PROPOSED_ACTIONS = 100  # actions in one proposed-actions file
FILE_BYTES = 2**20  # one human-input file (1 MB): the limits above, written out, fit in it

# Characters no text of a document may hold: C0 and C1 controls (ESC clears a terminal, NUL ends
# a C string, BEL rings) but tab and line breaks, and lone surrogates (half of a character: no
# font, no encoder can write one). Refused where the text is read, with its file and line.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# One address: no spaces, line breaks, list separators or angle brackets (an e-mail header's
# syntax), one @ and a dotted domain. Letters beyond ASCII are fine (josé@exemple.fr, IDN domains).
EMAIL_PATTERN = r'^[^@\s<>(),;:"\[\]\\]+@[^@\s<>(),;:"\[\]\\.]+(\.[^@\s<>(),;:"\[\]\\.]+)+$'


def control_character(text: str) -> str | None:
    """'U+001B at character 7' for the first character a text may not hold, else None."""
    match = CONTROL_CHARACTER.search(text)
    if match is None:
        return None
    return f"U+{ord(match.group()):04X} at character {match.start() + 1}"


Email = Annotated[StrictStr, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)]
Text = Annotated[StrictStr, StringConstraints(min_length=1, max_length=TEXT_CHARACTERS, strip_whitespace=True)]
Name = Annotated[StrictStr, StringConstraints(min_length=1, max_length=NAME_CHARACTERS, strip_whitespace=True)]
