"""RequestLog, BlockedIP and SuspiciousIP moved to the traffic app (traffic 0001).

State only: their tables keep their names and rows; traffic's models name them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hub", "0009_resource")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RequestLog"),
                migrations.DeleteModel(name="BlockedIP"),
                migrations.DeleteModel(name="SuspiciousIP"),
            ],
            database_operations=[],
        )
    ]
