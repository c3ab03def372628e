"""Messages and read markers lose the index on their conversation alone: the unique
constraints (conversation, seq) and (conversation, user) begin with that column and serve the
same lookups, and every index costs each sent message one more write.

The indexes are dropped by name rather than by altering the fields: on SQLite, Django alters a
field by rebuilding its table, and the search triggers on the message table would be dropped
with the old one."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {
    "messaging_message_conversation_id_3db4d3d1": "messaging_message",
    "messaging_readmarker_conversation_id_5a0c9295": "messaging_readmarker",
}


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_unread_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} (conversation_id)",
                )
                for name, table in DROPPED.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="messaging.conversation",
                    ),
                ),
                migrations.AlterField(
                    model_name="readmarker",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="read_markers",
                        to="messaging.conversation",
                    ),
                ),
            ],
        )
    ]
