from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

MUTUALAID_PERMS = ["mutualaid.view", "mutualaid.change"]


def forward(apps, schema_editor):
    """Grassroots officers enrol their members in bulk, file claims on their behalf and do the
    初审 (first review) of their members' claims."""
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [
            *officer.permissions,
            *[p for p in MUTUALAID_PERMS if p not in officer.permissions],
        ]
        officer.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [p for p in officer.permissions if p not in MUTUALAID_PERMS]
        officer.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0001_initial"),
        ("accounts", "0002_seed_roles"),
    ]
    operations = [migrations.RunPython(forward, backward)]
