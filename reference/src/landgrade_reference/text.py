"""How identifiers typed by people are made comparable before they are checked."""

from __future__ import annotations

import unicodedata

# Blanks and dashes people put inside codes when copying them from printed licences.
_SEPARATORS = str.maketrans("", "", " -\u00a0\u3000")


def normalise_identifier(raw: str) -> str:
    """NFKC first (full-width ＡＢ１２ from Chinese input methods become AB12), then separators
    dropped and letters upper-cased."""
    return unicodedata.normalize("NFKC", raw).translate(_SEPARATORS).upper()
