"""Resource: curated links, one per normalized URL, moderated like learnings."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0008_email_outbox"),
    ]

    operations = [
        migrations.CreateModel(
            name="Resource",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("PENDING", "Pending review"),
                            ("PUBLISHED", "Published"),
                            ("REJECTED", "Rejected"),
                            ("HIDDEN", "Hidden"),
                        ],
                        default="PUBLISHED",
                        max_length=16,
                    ),
                ),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("title", models.CharField(max_length=200)),
                ("slug", models.SlugField(max_length=220, unique=True)),
                ("url", models.URLField(max_length=2000)),
                ("normalized_url", models.CharField(editable=False, max_length=2000, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("DOCS", "Documentation"),
                            ("TUTORIAL", "Tutorial"),
                            ("ARTICLE", "Article"),
                            ("VIDEO", "Video"),
                            ("COURSE", "Course"),
                            ("BOOK", "Book"),
                            ("TOOL", "Tool"),
                        ],
                        max_length=20,
                    ),
                ),
                ("summary", models.TextField(blank=True, help_text="Markdown.")),
                ("summary_html", models.TextField(blank=True, editable=False)),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="resources",
                        to="hub.contributor",
                    ),
                ),
                (
                    "technologies",
                    models.ManyToManyField(
                        blank=True, related_name="resources", to="hub.technology"
                    ),
                ),
            ],
            options={
                "ordering": ["title", "id"],
                "indexes": [
                    models.Index(
                        fields=["status", "-created_at"], name="resource_status_created_idx"
                    ),
                    models.Index(fields=["kind", "status"], name="resource_kind_status_idx"),
                    models.Index(fields=["title"], name="resource_title_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                ["DOCS", "TUTORIAL", "ARTICLE", "VIDEO", "COURSE", "BOOK", "TOOL"],
                            )
                        ),
                        name="resource_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["PENDING", "PUBLISHED", "REJECTED", "HIDDEN"])
                        ),
                        name="resource_status_valid",
                    ),
                ],
            },
        ),
    ]
