from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

WARMTH_PERMS = ["hardship.view", "hardship.change"]


def forward(apps, schema_editor):
    """Grassroots officers keep their union's 送温暖 list (additions and removals with a reason)
    and hand out to the people on it, so they hold the hardship program's permissions."""
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [
            *officer.permissions,
            *[p for p in WARMTH_PERMS if p not in officer.permissions],
        ]
        officer.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("warmth", "0001_initial"),
        ("accounts", "0002_seed_roles"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
