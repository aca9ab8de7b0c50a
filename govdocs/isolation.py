"""Validate step, isolation: does a text name another partner, in any spelling?

A partner copy must never print another partner's name, id, aliases or contacts. Matching the
names as written is not enough: a line break in a YAML block, a double, non-breaking or soft
space, a zero-width character, a Cyrillic or Greek look-alike letter, a dropped "Ltd", other
capitals or accents all carry the name past an exact match. So both the text and the names are
brought to one canonical form first (`canonical`), and each partner is known by every usual form
of its names (`name_forms`): each name and alias in full and without its legal suffix, the words
of its names that identify it on their own (capitalised, as a name is written), its id, and its
partner-side contacts' names and e-mail addresses. Nothing here depends on the author having listed
aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config's own checks use this module: no import of the config at run time
    from govdocs.config.model import GovernanceConfig, Partner

# Characters a reader does not see: zero-width spaces and joiners, the soft hyphen, word joiner and
# invisible operators, the byte-order mark, Mongolian vowel separator, and every bidi control.
INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x200B, 0x2010))  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    + list(range(0x202A, 0x202F))  # LRE, RLE, PDF, LRO, RLO
    + list(range(0x2060, 0x2070))  # word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated
)
BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# Cyrillic and Greek letters that look like Latin ones (after NFKC), folded to the Latin letter.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic, lower case
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ɡ": "g", "ꞵ": "b", "ᴦ": "r",
        # Cyrillic, upper case
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "Ԁ": "D",
        "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Һ": "H",
        # Greek, lower case
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        # Greek, upper case
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")

# Words that say what kind of company a partner is, not which one: never a name's identifying word.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LEGAL_SUFFIXES = _words(
    "ltd limited inc incorporated llc llp lp plc gmbh mbh ag kg kgaa sa sas sarl srl spa bv nv oy ab as aps "
    "pty pte pvt co corp corporation company kk se ug sl sro kft zrt"
)
GENERIC_WORDS = _words(
    "the and of for bpo services service solutions solution partners partner group global international "
    "contact contacts centre center centres centers call customer customers care cx digital outsourcing "
    "offshore nearshore onshore support holdings holding systems technologies technology consulting management "
    "business communications teleservices telecom networks worldwide operations experience people labs "
    "direct team teams hub first one"
)


def strip_invisible(text: str) -> str:
    return text.translate(INVISIBLE)


def canonical(text: str, keep_case: bool = False) -> str:
    """One form of a text for name matching: NFKC, invisible characters removed, look-alike letters
    folded to Latin, accents dropped, every run of anything but letters and digits one space."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).translate(CONFUSABLES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = " ".join(_initials_joined(re.split(r"[\W_]+", text))).strip()
    return text if keep_case else text.casefold()


def _initials_joined(words: list[str]) -> list[str]:
    """Runs of single letters as one word: 'B.V.' and 'BV', 'G.m.b.H.' and 'GmbH' read alike."""
    joined: list[str] = []
    run = False  # the last word is a run of single letters
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and run:
            joined[-1] += word
        else:
            joined.append(word)
            run = single
    return joined


_OVERRIDDEN = re.compile("\u202e([^\u202c\u2069\n]*)")  # right-to-left override, to its end


def as_displayed(text: str) -> str:
    """The text as a reader sees it where a right-to-left override reverses it: 'OPB enotsrenroC'
    behind U+202E displays as 'Cornerstone BPO'."""
    return _OVERRIDDEN.sub(lambda m: m[1][::-1], text)


def without_legal_suffix(words: list[str]) -> list[str]:
    """'Beta Services Ltd' -> 'Beta Services' (every trailing legal suffix dropped)."""
    while len(words) > 1 and words[-1].casefold() in LEGAL_SUFFIXES:
        words = words[:-1]
    return words


def scripts(text: str) -> set[str]:
    """The scripts of a text's letters (by the first word of each letter's Unicode name)."""
    found = set()
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return found


def disguise_problem(text: str) -> str | None:
    """Why a name cannot be trusted as written, or None: a bidi control or other invisible
    character, or Latin letters mixed with Cyrillic or Greek ones."""
    if any(ord(c) in BIDI_CONTROLS for c in text):
        return "contains a bidirectional control character, which can make it display as another name"
    if strip_invisible(text) != text:
        return "contains an invisible character (zero-width, soft hyphen or similar)"
    mixed = [s for s in CONFUSABLE_SCRIPTS if s in scripts(text)]
    if len(mixed) > 1:
        return f"mixes {' and '.join(s.capitalize() for s in mixed)} letters, which can disguise another name"
    return None


@dataclass(frozen=True)
class NameForms:
    """The forms a partner is recognised by, each with the words it stands for as the config writes
    them: matched without case (`spelled`) and as written with a capital (`capitalised`: the
    identifying words and the id)."""

    spelled: dict[str, str]
    capitalised: dict[str, str]


def programme_words(config: GovernanceConfig) -> frozenset[str]:
    """Words the programme itself uses in every document (the client, KPI and tier names): such a
    word cannot identify a partner on its own."""
    texts = [config.client.name, config.client.programme or ""]
    texts += [k.name for k in config.kpis] + [t.name for t in config.scoring.tiers]
    return frozenset(w for t in texts for w in canonical(t).split())


def name_forms(partner: Partner, common: frozenset[str]) -> NameForms:
    """`common`: the words that never identify a partner alone (programme_words, the legal suffixes
    and the generic words)."""
    spelled: dict[str, str] = {}
    capitalised: dict[str, str] = {canonical(partner.id, keep_case=True): partner.id}
    for name in [partner.name, *partner.aliases]:
        words = canonical(name, keep_case=True).split()
        for form in (words, without_legal_suffix(words)):
            if form:
                spelled.setdefault(" ".join(form).casefold(), " ".join(form))
        for word in words:
            lower = word.casefold()
            if len(word) >= 3 and not word.isdigit() and lower not in common:
                for form in (word[0].upper() + word[1:], word.upper()):
                    capitalised.setdefault(form, word)
    for contact in partner.contacts:
        if contact.side.value == "partner":
            spelled.setdefault(canonical(contact.name), contact.name)
            if contact.email:
                spelled.setdefault(canonical(contact.email), contact.email)
    return NameForms({f: w for f, w in spelled.items() if len(f) >= 2}, capitalised)


@dataclass(frozen=True)
class Form:
    owners: frozenset[str]  # the partners who go by it
    written: str  # as the config writes it (the first partner's spelling)


Tokens = tuple[str, ...]


def _by_first_word(forms: dict[Tokens, Form]) -> dict[str, list[tuple[Tokens, Form]]]:
    """Forms keyed by their first word, longest first: a text is read word by word, and only the
    forms starting with a word are tried there (a regex alternation of 40,000 forms took 16 ms a
    text; this is a dictionary look-up a word)."""
    table: dict[str, list[tuple[Tokens, Form]]] = {}
    for words, form in sorted(forms.items(), key=lambda item: (-len(item[0]), item[0])):
        table.setdefault(words[0], []).append((words, form))
    return table


@dataclass(frozen=True)
class NameIndex:
    """Every partner's forms, with the partners each belongs to, as sequences of canonical words."""

    spelled: dict[str, list[tuple[Tokens, Form]]]  # matched on the text's words without case
    capitalised: dict[str, list[tuple[Tokens, Form]]]  # matched on the words as written

    def _longest(self, lower: list[str], written: list[str], at: int) -> tuple[int, Form] | None:
        best: tuple[int, Form] | None = None
        for table, words in ((self.spelled, lower), (self.capitalised, written)):
            for form_words, form in table.get(words[at], ()):
                size = len(form_words)
                if (best is None or size > best[0]) and tuple(words[at : at + size]) == form_words:
                    best = (size, form)
                    break  # longest first: the first that fits is this table's longest
        return best

    def mentions(self, text: str, partner_id: str) -> list[tuple[str, str]]:
        """(the name as the config writes it, the other partner's id) for each form of another
        partner in `text`, read left to right, the longest form at each word first (so a partner's
        own name is read whole, not as a shorter form of someone else's inside it); a form the
        partner itself goes by (a word two partners share) is not another's name."""
        found: list[tuple[str, str]] = []
        for shown in dict.fromkeys([text, as_displayed(text)]):
            found += self._mentions(shown, partner_id)
        return found

    def _mentions(self, text: str, partner_id: str) -> list[tuple[str, str]]:
        written = canonical(text, keep_case=True).split()
        lower = [w.casefold() for w in written]
        found: list[tuple[str, str]] = []
        at = 0
        while at < len(written):
            best = self._longest(lower, written, at)
            if best is None:
                at += 1
                continue
            size, form = best
            if partner_id not in form.owners:
                found.append((form.written, sorted(form.owners)[0]))
            at += size
        return found

    def first(self, text: str, partner_id: str) -> tuple[str, str] | None:
        found = self.mentions(text, partner_id)
        return found[0] if found else None


def _index(config: GovernanceConfig) -> NameIndex:
    common = programme_words(config) | LEGAL_SUFFIXES | GENERIC_WORDS
    owners: tuple[dict[Tokens, set[str]], dict[Tokens, set[str]]] = ({}, {})
    written: tuple[dict[Tokens, str], dict[Tokens, str]] = ({}, {})
    for partner in config.partners:
        forms = name_forms(partner, common)
        for kind, found in enumerate((forms.spelled, forms.capitalised)):
            for form, words in found.items():
                key = tuple(form.split())
                owners[kind].setdefault(key, set()).add(partner.id)
                written[kind].setdefault(key, words)
    spelled, capitalised = (
        _by_first_word({f: Form(frozenset(p), written[kind][f]) for f, p in owners[kind].items()}) for kind in (0, 1)
    )
    return NameIndex(spelled, capitalised)


class _LastIndex:
    """The index of the last config asked about, kept with the config itself (so its identity
    cannot be reused): a run checks every partner against one config, and rebuilding the index
    per partner would cost n² over a large programme. A config is unhashable (it holds lists)."""

    config: GovernanceConfig | None = None
    index: NameIndex | None = None


def name_index(config: GovernanceConfig) -> NameIndex:
    """The run's name index, built once per config."""
    if _LastIndex.config is not config or _LastIndex.index is None:
        _LastIndex.index, _LastIndex.config = _index(config), config
    return _LastIndex.index
