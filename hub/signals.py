from django.conf import settings
from django.db.models.signals import post_delete, post_save

from hub.models import Contributor
from hub.search_index import SEARCHABLE_MODELS, index_object, unindex_object


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        index_object(instance)


def _on_delete(sender, instance, **kwargs):
    unindex_object(instance)


def _ensure_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a contributor profile (admins and createsuperuser included)."""
    if created and not raw:
        Contributor.objects.get_or_create(user=instance)


for _model in SEARCHABLE_MODELS:
    post_save.connect(_on_save, sender=_model, dispatch_uid=f"hub-index-{_model.__name__}")
    post_delete.connect(_on_delete, sender=_model, dispatch_uid=f"hub-unindex-{_model.__name__}")

post_save.connect(_ensure_profile, sender=settings.AUTH_USER_MODEL, dispatch_uid="hub-profile")
