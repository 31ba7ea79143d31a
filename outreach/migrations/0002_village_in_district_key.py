"""On PostgreSQL, the database itself refuses (at once, not at commit) an activity whose kelurahan lies outside its
kecamatan: a composite foreign key (village_id, district_id) onto the kelurahan's own
(id, district_id). It needs a unique index on those two columns of wilayah_village (id is
unique already, so the index changes nothing there). A NULL village is not checked (MATCH
SIMPLE): activities that were not local. SQLite cannot add such a key to a table: there the
service's check stands alone."""

from django.db import migrations

FORWARD = [
    "CREATE UNIQUE INDEX IF NOT EXISTS outreach_village_id_district "
    "ON wilayah_village (id, district_id)",
    "ALTER TABLE outreach_outreachactivity ADD CONSTRAINT "
    "outreach_activity_village_in_district FOREIGN KEY (village_id, district_id) "
    "REFERENCES wilayah_village (id, district_id)",
]
BACKWARD = [
    "ALTER TABLE outreach_outreachactivity DROP CONSTRAINT IF EXISTS "
    "outreach_activity_village_in_district",
    "DROP INDEX IF EXISTS outreach_village_id_district",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_outreach_activity"),
        ("wilayah", "0001_places"),
    ]

    operations = [migrations.RunPython(forward, backward)]
