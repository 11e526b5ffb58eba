from django.db import migrations

from gonghui.audit.triggers import install


def forward(apps, schema_editor):
    install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
