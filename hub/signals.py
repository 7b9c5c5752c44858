from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from hub import kinds, versions
from hub.models import ContentVersion, Contributor
from hub.search_index import index_object, unindex_object


def _index(sender, instance, created=False, raw=False, **kwargs):
    if not raw:
        index_object(instance, created=created)


def _unindex(sender, instance, **kwargs):
    unindex_object(instance)


def _ensure_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a contributor profile (admins and createsuperuser included)."""
    if created and not raw:
        Contributor.objects.get_or_create(user=instance)


def announce_bulk_write(model, fields=None) -> None:
    """For writes done with QuerySet.update(), which sends no model signals."""
    versions.record_write(model, fields)


def _on_save(sender, update_fields=None, raw=False, using=None, **kwargs):
    if not raw:
        versions.record_write(sender, update_fields, using)


def _on_delete(sender, using=None, **kwargs):
    versions.record_write(sender, None, using)


def _on_relation_change(sender, instance, model, action, using=None, **kwargs):
    if action.startswith("post_"):  # both sides show the relation
        versions.record_write(type(instance), None, using)
        versions.record_write(model, None, using)


# The hub's data, whose writes bump versions (hub.versions). Sent emails and seeding
# bookkeeping are not shown by the API: they change no version. (Traffic records are in
# their own app, with no receivers: purging old request logs stays one plain DELETE.)
_NOT_DATA = ("hub.models.notifications", "hub.models.seeding")
_VERSIONED = [
    model
    for model in apps.get_app_config("hub").get_models()
    if model.__module__ not in _NOT_DATA and model is not ContentVersion
]
for _model in [*_VERSIONED, apps.get_model(settings.AUTH_USER_MODEL)]:
    post_save.connect(_on_save, sender=_model, dispatch_uid=f"hub-version-{_model.__name__}")
    post_delete.connect(_on_delete, sender=_model, dispatch_uid=f"hub-unversion-{_model.__name__}")
    for _field in _model._meta.many_to_many:
        m2m_changed.connect(
            _on_relation_change,
            sender=_field.remote_field.through,
            dispatch_uid=f"hub-version-m2m-{_field}",
        )

for _model in kinds.searchable():
    post_save.connect(_index, sender=_model, dispatch_uid=f"hub-index-{_model.__name__}")
    post_delete.connect(_unindex, sender=_model, dispatch_uid=f"hub-unindex-{_model.__name__}")

post_save.connect(_ensure_profile, sender=settings.AUTH_USER_MODEL, dispatch_uid="hub-profile")
