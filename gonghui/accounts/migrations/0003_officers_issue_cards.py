from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

CARD_PERMS = ["cards.view", "cards.change"]


def forward(apps, schema_editor):
    """Grassroots officers apply for their members' cards and report them lost."""
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [
            *officer.permissions,
            *[p for p in CARD_PERMS if p not in officer.permissions],
        ]
        officer.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [p for p in officer.permissions if p not in CARD_PERMS]
        officer.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_roles")]
    operations = [migrations.RunPython(forward, backward)]
