"""Keyset paging: a list's ordering, and a position in it, give the rows after or before it.

An ordering is a tuple of keys (a kind's `orderings` for the browsing lists, the model's
Meta.ordering for the lists nested in an object), always ending in the primary key, so
every row has a position of its own: the tuple of its key values. A position stays
meaningful after its row is deleted, so paging on from it neither skips nor repeats a
row, whatever is inserted or deleted between two pages.

Text keys (name, title) compare case-insensitively, as hub.folding defines it, in SQL
and in Python (for lists already loaded: prefetched nested lists, comment threads).
Nullable keys sort their nulls last in both directions, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, F, Q, QuerySet

from hub import kinds
from hub.errors import ApplicationError, ErrorCode
from hub.folding import FoldedText, fold_text

_TEXT, _DATETIME, _BOOL, _INT = "text", "datetime", "bool", "int"


@dataclass(frozen=True)
class Key:
    """One key of an ordering: a model column or an (integer) annotation."""

    name: str
    descending: bool
    type: str
    nullable: bool

    @property
    def column(self) -> str:
        """What querysets order and filter by: folded text goes by an alias."""
        return f"_paging_{self.name}" if self.type == _TEXT else self.name

    def order_expression(self):
        nulls = {"nulls_last": True} if self.nullable else {}
        column = F(self.column)
        return column.desc(**nulls) if self.descending else column.asc(**nulls)

    def value_of(self, obj):
        value = getattr(obj, self.name)
        return fold_text(value) if self.type == _TEXT and value is not None else value

    def to_json(self, value):
        return value.isoformat() if isinstance(value, datetime) else value

    def from_json(self, raw):
        """The typed value of a decoded position; ValueError if it is not one."""
        if raw is None:
            if not self.nullable:
                raise ValueError(f"{self.name} cannot be null")
            return None
        if self.type == _DATETIME:
            if not isinstance(raw, str):
                raise ValueError(f"{self.name} is not a date")
            value = datetime.fromisoformat(raw)
            if value.tzinfo is None:
                raise ValueError(f"{self.name} has no time zone")
            return value
        expected = {_TEXT: str, _BOOL: bool, _INT: int}[self.type]
        if not isinstance(raw, expected) or (expected is int and isinstance(raw, bool)):
            raise ValueError(f"{self.name} is not a {self.type}")
        return raw

    def compare(self, a, b) -> int:
        """-1, 0 or 1: where value `a` sorts against `b` in this key's direction."""
        if a == b:
            return 0
        if a is None:  # nulls last, both directions
            return 1
        if b is None:
            return -1
        result = -1 if a < b else 1
        return -result if self.descending else result

    def after(self, value) -> Q | None:
        """Rows strictly after `value` on this key (None: no row)."""
        if value is None:
            return None  # nulls come last
        beyond = Q(**{f"{self.column}__{'lt' if self.descending else 'gt'}": value})
        return beyond | Q(**{f"{self.column}__isnull": True}) if self.nullable else beyond

    def before(self, value) -> Q | None:
        """Rows strictly before `value` on this key."""
        if value is None:
            return Q(**{f"{self.column}__isnull": False})
        return Q(**{f"{self.column}__{'gt' if self.descending else 'lt'}": value})

    def equal(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.column}__isnull": True})
        return Q(**{self.column: value})


def _key(model, spec: str) -> Key:
    descending = spec.startswith("-")
    name = spec.lstrip("-")
    if name == "pk":
        name = model._meta.pk.name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        # A computed column (a kind's annotation, the search rank): an integer.
        return Key(name, descending, _INT, nullable=True)
    if isinstance(field, models.CharField | models.TextField):
        kind = _TEXT
    elif isinstance(field, models.DateTimeField):
        kind = _DATETIME
    elif isinstance(field, models.BooleanField):
        kind = _BOOL
    elif isinstance(field, models.IntegerField | models.AutoField):
        kind = _INT
    else:
        raise ValueError(f"{model.__name__}.{name} cannot order a list")
    return Key(name, descending, kind, nullable=field.null)


@dataclass(frozen=True)
class Ordering:
    """How a list is ordered, and positions in it (tuples of key values)."""

    keys: tuple[Key, ...]

    @classmethod
    def of(cls, model, specs: Sequence[str]) -> Ordering:
        keys = [_key(model, spec) for spec in specs]
        pk = model._meta.pk.name
        if not keys or keys[-1].name != pk:
            keys.append(Key(pk, False, _INT, nullable=False))  # a position per row
        return cls(tuple(keys))

    def apply(self, qs: QuerySet) -> QuerySet:
        """`qs` in this order (and with the columns its keys filter on)."""
        aliases = {
            key.column: FoldedText(key.name)
            for key in self.keys
            if key.type == _TEXT and key.column not in qs.query.annotations
        }
        if aliases:
            qs = qs.alias(**aliases)
        return qs.order_by(*(key.order_expression() for key in self.keys))

    def position_of(self, obj) -> tuple:
        return tuple(key.value_of(obj) for key in self.keys)

    def to_json(self, position: tuple) -> list:
        return [key.to_json(value) for key, value in zip(self.keys, position, strict=True)]

    def from_json(self, raw) -> tuple:
        """A position decoded from a cursor; INVALID when it is not one of this ordering."""
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            raise ApplicationError(ErrorCode.INVALID, "The cursor is not a position in this list.")
        try:
            return tuple(key.from_json(value) for key, value in zip(self.keys, raw, strict=True))
        except (ValueError, TypeError) as error:
            raise ApplicationError(
                ErrorCode.INVALID, f"The cursor is not a position in this list ({error})."
            ) from None

    def compare(self, a: tuple, b: tuple) -> int:
        for key, x, y in zip(self.keys, a, b, strict=True):
            result = key.compare(x, y)
            if result:
                return result
        return 0

    def after(self, position: tuple) -> Q:
        """Rows strictly after `position`: (k1 > v1) or (k1 = v1 and k2 > v2) or ..."""
        return self._beyond(position, Key.after)

    def before(self, position: tuple) -> Q:
        return self._beyond(position, Key.before)

    def _beyond(self, position: tuple, beyond: Callable) -> Q:
        terms = []
        equal = Q()
        for key, value in zip(self.keys, position, strict=True):
            term = beyond(key, value)
            if term is not None:
                terms.append(equal & term)
            equal &= key.equal(value)
        # The last key is the primary key, never null: there is always a term.
        condition = terms[0]
        for term in terms[1:]:
            condition |= term
        return condition


@cache
def ordering_of(model, order: str | None = None) -> Ordering:
    """The ordering of a listed kind's `order` (orderBy), or, with no order, the one of
    the model's lists nested in other objects (its Meta.ordering)."""
    if order is None:
        return Ordering.of(model, model._meta.ordering)
    orderings = kinds.of(model).orderings
    if order not in orderings:
        raise ApplicationError(ErrorCode.INVALID, f"Unknown order {order!r}.", field="order_by")
    return Ordering.of(model, orderings[order])


@dataclass
class Page:
    """One page of a list: its rows, whether there are rows either side, the list's size."""

    rows: list
    positions: Callable[[int], tuple]  # the position of rows[i], computed when asked
    has_previous: bool
    has_next: bool
    total: int


def page_rows(
    rows: QuerySet | Sequence,
    *,
    ordering: Ordering,
    after: tuple | None = None,
    before: tuple | None = None,
    first: int | None = None,
    last: int | None = None,
    offset: int = 0,
    values: Sequence[str] | None = None,
) -> Page:
    """The rows strictly between the positions `after` and `before` (either may be None),
    the first `first` of them (after skipping `offset`), then the last `last` of those.

    A queryset costs two statements (the counts, the page) whatever the page size; a
    list already loaded (in this ordering) is walked once. With `values`, a queryset's
    rows are read as `.values(*values)` dicts (the counts join nothing for them).
    """
    # A queryset already evaluated (a prefetched relation's) is a loaded list.
    if isinstance(rows, QuerySet) and rows._result_cache is None:
        return _page_queryset(rows, ordering, after, before, first, last, offset, values)
    return _page_list(list(rows), ordering, after, before, first, last, offset)


def _page_queryset(qs, ordering, after, before, first, last, offset, values=None) -> Page:
    qs = ordering.apply(qs)
    window = qs if values is None else qs.values(*values)
    counts = {"total": Count("pk")}
    if after is not None:
        window = window.filter(ordering.after(after))
        counts["up_to_after"] = Count("pk", filter=~ordering.after(after))
    if before is not None:
        window = window.filter(ordering.before(before))
        counts["from_before"] = Count("pk", filter=~ordering.before(before))
    counted = qs.aggregate(**counts)
    total = counted["total"]
    up_to_after = counted.get("up_to_after", 0)
    from_before = counted.get("from_before", 0)
    if first is None and last is not None:
        # From the end: the window's last rows, read in reverse (one more tells if
        # the window goes on before them).
        found = list(window.reverse()[: last + 1])
        more_before, page = len(found) > last, found[:last][::-1]
        more_after = False
    else:
        found = list(window[offset : offset + first + 1]) if first is not None else []
        more_after, page = len(found) > first, found[:first]
        more_before = offset > 0 and total - up_to_after - from_before > 0
        if last is not None and len(page) > last:
            more_before, page = True, page[len(page) - last :]
    return Page(
        rows=page,
        positions=lambda i: ordering.position_of(page[i]),
        has_previous=more_before or up_to_after > 0,
        has_next=more_after or from_before > 0,
        total=total,
    )


def _page_list(items, ordering, after, before, first, last, offset) -> Page:
    up_to_after = from_before = 0
    if after is None and before is None:
        # The whole list is the window: positions only for the cursors asked for.
        window = [(item, None) for item in items]
    else:
        window = []
        for item in items:
            position = ordering.position_of(item)
            not_after = after is not None and ordering.compare(position, after) <= 0
            not_before = before is not None and ordering.compare(position, before) >= 0
            up_to_after += not_after
            from_before += not_before
            if not (not_after or not_before):
                window.append((item, position))
    if first is None and last is not None:
        start = max(len(window) - last, 0)
        page = window[start:]
        more_before, more_after = start > 0, False
    else:
        start = min(offset, len(window))
        page = window[start : start + first] if first is not None else []
        more_before, more_after = start > 0, start + len(page) < len(window)
        if last is not None and len(page) > last:
            more_before, page = True, page[len(page) - last :]
    return Page(
        rows=[item for item, _ in page],
        positions=lambda i: page[i][1] or ordering.position_of(page[i][0]),
        has_previous=more_before or up_to_after > 0,
        has_next=more_after or from_before > 0,
        total=len(items),
    )
