"""Partial, case-insensitive name search stays fast at millions of residents (PostgreSQL only)."""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS resident_name_key_trgm "
        "ON participants_resident USING gin (name_key gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS resident_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_residents_stages_access_log")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
