"""Identity keys on Contributor: usernames compared after NFKC + case folding and by their
lookalike skeleton, email addresses regardless of case, each under a unique index.

Existing rows are filled oldest first; a row whose key an older account already holds keeps
NULL there (such pairs predate the rule and stay usable; no new one can be made).
"""

from django.db import migrations, models


def fill_identity_keys(apps, schema_editor):
    # The key functions are pure string functions; the model's own are used so that
    # old and new rows are compared alike.
    from hub.models.people import email_key, username_key, username_skeleton

    Contributor = apps.get_model("hub", "Contributor")
    taken = {"username_key": set(), "username_skeleton": set(), "email_key": set()}
    rows = Contributor.objects.select_related("user").order_by("user__date_joined", "pk")
    for contributor in rows.iterator():
        keys = {
            "username_key": username_key(contributor.user.username),
            "username_skeleton": username_skeleton(contributor.user.username),
            "email_key": email_key(contributor.user.email or ""),
        }
        for field, value in keys.items():
            if value is not None and value not in taken[field]:
                taken[field].add(value)
                setattr(contributor, field, value)
        contributor.save(update_fields=list(keys))


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0005_sent_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="contributor",
            name="username_key",
            field=models.CharField(editable=False, max_length=300, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="contributor",
            name="username_skeleton",
            field=models.CharField(editable=False, max_length=300, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="contributor",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True, unique=True),
        ),
        migrations.RunPython(fill_identity_keys, migrations.RunPython.noop),
    ]
