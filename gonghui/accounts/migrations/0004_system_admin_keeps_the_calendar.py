from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)


def forward(apps, schema_editor):
    """The working-day calendar is system configuration: the system administrator keeps it."""
    Role = apps.get_model("accounts", "Role")
    role = Role.objects.filter(code="system_admin").first()
    if role is not None and "calendar.manage" not in role.permissions:
        role.permissions = [*role.permissions, "calendar.manage"]
        role.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    role = Role.objects.filter(code="system_admin").first()
    if role is not None:
        role.permissions = [p for p in role.permissions if p != "calendar.manage"]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_officers_issue_cards")]
    operations = [migrations.RunPython(forward, backward)]
