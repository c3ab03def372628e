"""Full-text search over messages, built the right way for the database in use."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_message_fts USING fts5("
    "stems, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_message_fts_insert AFTER INSERT ON messaging_message BEGIN "
    "INSERT INTO search_message_fts(rowid, stems) VALUES (new.id, parley_search_stems(new.body)); "
    "END",
    "CREATE TRIGGER search_message_fts_delete AFTER DELETE ON messaging_message BEGIN "
    "DELETE FROM search_message_fts WHERE rowid = old.id; END",
    "INSERT INTO search_message_fts(rowid, stems) "
    "SELECT id, parley_search_stems(body) FROM messaging_message",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_message_fts_delete",
    "DROP TRIGGER IF EXISTS search_message_fts_insert",
    "DROP TABLE IF EXISTS search_message_fts",
]
PG_FORWARD = [
    "CREATE INDEX search_message_body_ru ON messaging_message USING GIN "
    "(to_tsvector('russian'::regconfig, translate(body, 'ёЁ', 'еЕ')))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS search_message_body_ru"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        ),
    ]
