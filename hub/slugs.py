from django.db import IntegrityError, transaction
from django.utils.text import slugify

from hub.errors import ApplicationError, ErrorCode

SLUG_ATTEMPTS = 5


def unique_slug(model, text: str, *, exclude_pk=None, max_length: int = 220) -> str:
    """A slug for `text` that no other row of `model` has (suffixing -2, -3 ...)."""
    base = (slugify(text)[: max_length - 8].strip("-")) or model._meta.model_name
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

    Two writers can pick the same free slug; the unique index lets one insert and makes
    the other wait for it to commit, then fail: that one picks again, now seeing the
    winner's slug. Each attempt runs in its own savepoint.
    """
    for _ in range(SLUG_ATTEMPTS):
        obj = model(**fields)
        try:
            with transaction.atomic():
                obj.save()
            return obj
        except IntegrityError:
            if not obj.slug or not model.objects.filter(slug=obj.slug).exists():
                raise  # not a slug collision
    field = getattr(model, "slug_source", None)
    raise ApplicationError(
        ErrorCode.DUPLICATE, "Too many items with this title at once; try again.", field
    )
