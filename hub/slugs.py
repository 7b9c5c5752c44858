import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify

from hub.errors import ApplicationError, ErrorCode

SLUG_ATTEMPTS = 5


def slug_base(model, text: str, max_length: int = 220) -> str:
    return (slugify(text)[: max_length - 8].strip("-")) or model._meta.model_name


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 220) -> str:
    """A slug for `text` that no other row of `model` has (suffixing -2, -3 ...)."""
    base = slug_base(model, text, max_length)
    taken = model.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken_slugs = set(taken.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken_slugs:
        slug = f"{base}-{n}"
        n += 1
    return slug


def create_with_unique_slug(model, **fields):
    """Create a row whose slug `save()` derives with `unique_slug`, exact under concurrency.

    Inside a transaction, writers of one slug base take turns (a PostgreSQL advisory lock
    held until commit), so each sees the slugs the ones before it took. The unique index
    still decides what the lock cannot see (another base's suffixed slug, "a-2" from the
    title "A 2"): on a collision the row is tried again, each attempt in a savepoint.
    """
    _take_turns_for(model, slug_base(model, fields.get(model.slug_source) or ""))
    for _ in range(SLUG_ATTEMPTS):
        obj = model(**fields)
        try:
            with transaction.atomic():
                obj.save()
            return obj
        except IntegrityError:
            if not obj.slug or not model.objects.filter(slug=obj.slug).exists():
                raise  # not a slug collision
    raise ApplicationError(
        ErrorCode.DUPLICATE, "Too many items with this title at once; try again.", model.slug_source
    )


def _take_turns_for(model, base: str) -> None:
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return  # SQLite runs one writer at a time anyway
    name = f"{model._meta.db_table}:{base}".encode()
    key = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
