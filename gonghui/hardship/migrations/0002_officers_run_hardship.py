from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

HARDSHIP_PERMS = ["hardship.view", "hardship.change"]


def forward(apps, schema_editor):
    """Grassroots officers file hardship files and aid applications on their members' behalf
    and do the 基层 review of their own union's files and aid."""
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [
            *officer.permissions,
            *[p for p in HARDSHIP_PERMS if p not in officer.permissions],
        ]
        officer.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [p for p in officer.permissions if p not in HARDSHIP_PERMS]
        officer.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("hardship", "0001_initial"),
        ("accounts", "0002_seed_roles"),
    ]
    operations = [migrations.RunPython(forward, backward)]
