from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from hub.models import Contributor
from hub.search_index import SEARCHABLE_MODELS, index_object, unindex_object


def _on_save(sender, instance, created=False, raw=False, **kwargs):
    if not raw:
        index_object(instance, created=created)


def _on_delete(sender, instance, **kwargs):
    unindex_object(instance)


def _ensure_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a contributor profile (admins and createsuperuser included)."""
    if created and not raw:
        Contributor.objects.get_or_create(user=instance)


# Sent after any write to the hub's data (caches listen to it).
content_changed = Signal()


def announce_bulk_write(model) -> None:
    """For writes done with QuerySet.update(), which sends no model signals."""
    content_changed.send(sender=model)


def _on_any_write(sender, **kwargs):
    if not kwargs.get("raw", False):
        content_changed.send(sender=sender)


for _model in apps.get_app_config("hub").get_models():
    if _model.__module__ == "hub.models.traffic":
        # Traffic records are not content: they must not invalidate caches, and without
        # receivers purging old request logs stays one plain DELETE.
        continue
    for _signal in (post_save, post_delete):
        _signal.connect(_on_any_write, sender=_model, dispatch_uid=f"hub-changed-{_model.__name__}")
    for _field in _model._meta.many_to_many:
        m2m_changed.connect(
            _on_any_write, sender=_field.remote_field.through, dispatch_uid=f"hub-m2m-{_field}"
        )

for _model in SEARCHABLE_MODELS:
    post_save.connect(_on_save, sender=_model, dispatch_uid=f"hub-index-{_model.__name__}")
    post_delete.connect(_on_delete, sender=_model, dispatch_uid=f"hub-unindex-{_model.__name__}")

post_save.connect(_ensure_profile, sender=settings.AUTH_USER_MODEL, dispatch_uid="hub-profile")
