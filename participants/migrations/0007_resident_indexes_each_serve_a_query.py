"""Only the resident indexes some query needs (each says which in models.py): every other
one cost each registration its update.

Dropped: the plain village_id index (resident_village_reg leads with village_id), the
LIKE 'prefix%' (varchar_pattern_ops) twins of the NIK and name_key indexes, and on the
history table the NIK's. trained_agency's index becomes partial (only trained residents).
The NIK's unique constraint and the name_key index keep their rows: on PostgreSQL they are
renamed into the model's names, not rebuilt, so the migration is instant at millions of
residents.
"""

import django.db.models.deletion
from django.db import migrations, models

# The names Django gave the indexes of `unique=True` / `db_index=True` fields.
NAME_KEY_INDEX = "participants_resident_name_key_d6f45d0e"
LIKE_INDEXES = {
    f"{NAME_KEY_INDEX}_like": "name_key",
    "participants_resident_nik_b398f2a8_like": "nik",
}


def keep_indexes(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"ALTER INDEX IF EXISTS {NAME_KEY_INDEX} RENAME TO resident_name_key")
        for index in LIKE_INDEXES:
            run(f"DROP INDEX IF EXISTS {index}")
    else:
        # SQLite keeps the NIK's column UNIQUE: the same rule, under its own name.
        run(f"DROP INDEX IF EXISTS {NAME_KEY_INDEX}")
    run(
        "CREATE INDEX IF NOT EXISTS resident_name_key "
        "ON participants_resident (name_key)"
    )


def restore_indexes(apps, schema_editor):
    run = schema_editor.execute
    run("DROP INDEX IF EXISTS resident_name_key")
    run(f"CREATE INDEX {NAME_KEY_INDEX} ON participants_resident (name_key)")
    if schema_editor.connection.vendor == "postgresql":
        for index, column in LIKE_INDEXES.items():
            run(
                f"CREATE INDEX {index} ON participants_resident "
                f"({column} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0006_resident_anonymised_at"),
        ("programs", "0002_programs_and_enrollments"),
        ("wilayah", "0001_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="resident",
                    name="nik",
                    field=models.CharField(max_length=16, verbose_name="NIK"),
                ),
                migrations.AddConstraint(
                    model_name="resident",
                    constraint=models.UniqueConstraint(
                        fields=("nik",), name="participants_resident_nik_key"
                    ),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="name_key",
                    field=models.CharField(editable=False, max_length=150),
                ),
                migrations.AddIndex(
                    model_name="resident",
                    index=models.Index(fields=["name_key"], name="resident_name_key"),
                ),
            ],
            database_operations=[migrations.RunPython(keep_indexes, restore_indexes)],
        ),
        migrations.AlterField(
            model_name="historicalresident",
            name="nik",
            field=models.CharField(max_length=16, verbose_name="NIK"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="trained_agency",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.agency",
                verbose_name="Suku Dinas pelatihan pertama",
            ),
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(
                condition=models.Q(("trained_agency__isnull", False)),
                fields=["trained_agency"],
                name="resident_trained_agency",
            ),
        ),
        migrations.AlterField(
            model_name="resident",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="residents",
                to="wilayah.village",
                verbose_name="kelurahan domisili",
            ),
        ),
    ]
