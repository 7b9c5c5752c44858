"""Versions of the hub's data kinds, bumped in the writes' own transactions (hub.versions)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hub", "0006_username_canonical")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("kind", models.CharField(max_length=120, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
    ]
