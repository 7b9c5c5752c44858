"""SentEmail becomes the outbox: emails are recorded pending in the write's transaction,
then sent with a stable Message-ID (hub.services.notifications). Rows already there were
sent: they keep their time and get the kind their key names."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Q

KINDS = ["solution-submitted", "solution-accepted", "weekly-digest"]
STATES = ["pending", "sending", "sent", "cancelled", "failed"]


def name_sent_kinds(apps, schema_editor):
    SentEmail = apps.get_model("hub", "SentEmail")
    for kind in KINDS:
        SentEmail.objects.filter(key__startswith=f"{kind}:").update(kind=kind)


class Migration(migrations.Migration):
    dependencies = [("hub", "0007_content_versions")]

    operations = [
        # Existing rows: sent, at their sent_at.
        migrations.AddField(
            model_name="sentemail",
            name="state",
            field=models.CharField(default="sent", max_length=10),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="kind",
            field=models.CharField(default="solution-submitted", max_length=40),
        ),
        migrations.RunPython(name_sent_kinds, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sentemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("solution-submitted", "New answer to one's challenge"),
                    ("solution-accepted", "One's answer accepted"),
                    ("weekly-digest", "Weekly digest"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="sentemail",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("cancelled", "Cancelled"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="sentemail",
            name="sent_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="object_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="sentemail", name="body", field=models.TextField(blank=True)
        ),
        migrations.AddField(
            model_name="sentemail",
            name="message_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="last_error",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="due_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="attempted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE hub_sentemail SET created_at = sent_at, due_at = sent_at",
            migrations.RunSQL.noop,
        ),
        migrations.AlterModelOptions(
            name="sentemail", options={"ordering": ["-created_at", "-id"]}
        ),
        migrations.AddIndex(
            model_name="sentemail",
            index=models.Index(
                condition=Q(state="pending"), fields=["due_at"], name="sentemail_pending_due"
            ),
        ),
        migrations.AddConstraint(
            model_name="sentemail",
            constraint=models.CheckConstraint(
                condition=Q(kind__in=KINDS), name="sentemail_kind_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="sentemail",
            constraint=models.CheckConstraint(
                condition=Q(state__in=STATES), name="sentemail_state_valid"
            ),
        ),
    ]
