"""Notifications lose the index on their recipient alone: "notification_recipient_recent"
(recipient, -id) begins with that column, and every chat message writes a notification.

Dropped by name rather than by altering the field, which on SQLite would rebuild the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "notifications_notification_recipient_id_d055f3f0"


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_unread_and_pending_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX {INDEX}",
                    reverse_sql=f"CREATE INDEX {INDEX} ON notifications_notification"
                    " (recipient_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
            ],
        )
    ]
