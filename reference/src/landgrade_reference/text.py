"""How identifiers typed by people are made comparable before they are checked, and the blank
characters the services' patterns exclude."""

from __future__ import annotations

import unicodedata

# Blanks and dashes people put inside codes when copying them from printed licences.
_SEPARATORS = str.maketrans("", "", " -\u00a0\u3000")


def normalise_identifier(raw: str) -> str:
    """NFKC first (full-width ＡＢ１２ from Chinese input methods become AB12), then separators
    dropped and letters upper-cased."""
    if raw.isascii() and raw.isalnum():
        return raw.upper()  # the same result: NFKC leaves ASCII as it is, and there is no separator
    return unicodedata.normalize("NFKC", raw).translate(_SEPARATORS).upper()


# Every character `str.isspace` counts as blank, as the body of a regex character class. Spelled
# out so that every engine reads a pattern alike: a service checks with Python's or pydantic's
# (Rust) regex, a client with JSON Schema's (ECMA-262), and they disagree on what `\s` is
# (ECMA-262's leaves out U+0085 and U+001C-U+001F).
BLANKS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
