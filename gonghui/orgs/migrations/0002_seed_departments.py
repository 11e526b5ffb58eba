from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

DEPARTMENTS = [
    ("office", "办公室", ["infowork", "assessment"]),
    ("security", "保障部", ["mutualaid", "hardship", "disputes", "cards"]),
    ("women", "女职工部", ["women"]),
    ("production", "生产保护部", ["innovation", "competitions", "modelworkers", "health"]),
    ("publicity", "宣教部", ["professors", "infowork"]),
    ("funds", "经审委", ["finance"]),
]


def forward(apps, schema_editor):
    Department = apps.get_model("orgs", "Department")
    for order, (code, name, programs) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "programs": programs, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
