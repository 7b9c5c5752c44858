"""The traffic models, moved from the hub app (hub 0004 created their tables, hub 0010 let
go of them). State only: no table is created, renamed or dropped. Their content types move
with them, so permissions granted on them and the admin's history stay attached.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("requestlog", "blockedip", "suspiciousip")


def content_types_to(app_label, other):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        # Only where the target has none yet (a fresh database has neither).
        taken = ContentType.objects.using(db).filter(app_label=app_label, model__in=MOVED)
        ContentType.objects.using(db).filter(app_label=other, model__in=MOVED).exclude(
            model__in=taken.values("model")
        ).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("hub", "0010_traffic_moved_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BlockedIP",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("ip", models.GenericIPAddressField(unique=True)),
                        ("reason", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "blocked IP",
                        "db_table": "hub_blockedip",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="SuspiciousIP",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("ip", models.GenericIPAddressField()),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("VOLUME", "Abnormal request volume"),
                                    ("AUTH_FAILURES", "Repeated authentication failures"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("request_count", models.PositiveIntegerField(default=0)),
                        ("auth_failure_count", models.PositiveIntegerField(default=0)),
                        ("window_start", models.DateTimeField()),
                        ("window_end", models.DateTimeField()),
                        (
                            "first_detected_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        (
                            "last_detected_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                    ],
                    options={
                        "verbose_name": "suspicious IP",
                        "db_table": "hub_suspiciousip",
                        "ordering": ["-last_detected_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("ip", "reason"), name="one_suspicion_per_ip_reason"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("reason__in", ["VOLUME", "AUTH_FAILURES"])),
                                name="suspicion_reason_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("window_start__lte", models.F("window_end"))),
                                name="suspicion_window_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RequestLog",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("ip", models.GenericIPAddressField()),
                        ("method", models.CharField(max_length=8)),
                        ("path", models.CharField(max_length=200)),
                        ("status", models.PositiveSmallIntegerField()),
                        ("duration_ms", models.FloatField()),
                        ("operation_type", models.CharField(blank=True, max_length=16)),
                        ("operation_name", models.CharField(blank=True, max_length=100)),
                        ("root_fields", models.CharField(blank=True, max_length=200)),
                        ("auth_failed", models.BooleanField(default=False)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "hub_requestlog",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["created_at"], name="requestlog_created_idx"),
                            models.Index(fields=["ip", "created_at"], name="requestlog_ip_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_to("traffic", "hub"), content_types_to("hub", "traffic")
        ),
    ]
