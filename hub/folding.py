"""Case-insensitive text, one way everywhere: ASCII letters folded to lower case, then
code point order. That is SQLite's LOWER under its BINARY collation and PostgreSQL's
LOWER under the "C" collation (both fold ASCII only, whatever the database's locale),
and `fold_text` in Python. List orderings by name or title (hub.selectors.paging), the
hub document and search (hub.selectors.search) all use it, so they agree.
"""

import string

from django.db import models
from django.db.models import Func

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold_text(value: str) -> str:
    """`value` as text keys compare it: ASCII letters in lower case, the rest as is."""
    return value.translate(_ASCII_FOLD)


class FoldedText(Func):
    """SQL's fold of a text column, the same as fold_text on every database."""

    function = "LOWER"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # Under "C", LOWER folds ASCII only and comparisons go by code point, as in
        # SQLite and Python; the database's own collation may do neither.
        template = 'LOWER(%(expressions)s COLLATE "C") COLLATE "C"'
        return self.as_sql(compiler, connection, template=template, **extra_context)
