from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

SUBMIT = "infowork.submit"


def forward(apps, schema_editor):
    """信息员 (information officers) submit pieces for their union or department; a grassroots
    union's officer may act as its information officer too."""
    Role = apps.get_model("accounts", "Role")
    Role.objects.update_or_create(
        code="info_officer",
        defaults={
            "name": "信息员",
            "description": "为本工会或本部门报送信息稿件，跟踪采用和刊用情况",
            "permissions": ["org.view", SUBMIT],
            "needs_department": False,
        },
    )
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None and SUBMIT not in officer.permissions:
        officer.permissions = [*officer.permissions, SUBMIT]
        officer.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code="info_officer", assignment__isnull=True).delete()
    officer = Role.objects.filter(code="union_officer").first()
    if officer is not None:
        officer.permissions = [p for p in officer.permissions if p != SUBMIT]
        officer.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("infowork", "0001_initial"),
        ("accounts", "0002_seed_roles"),
    ]
    operations = [migrations.RunPython(forward, backward)]
