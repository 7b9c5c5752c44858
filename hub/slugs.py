from django.utils.text import slugify


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
