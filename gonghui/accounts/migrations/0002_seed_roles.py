from django.db import migrations

REFERENCE_DATA = True  # tests put this back after a flush (gonghui/conftest.py)

PROGRAM_PERMS = [
    f"{program}.{verb}"
    for program in (
        "mutualaid",
        "hardship",
        "disputes",
        "women",
        "modelworkers",
        "innovation",
        "competitions",
        "health",
        "professors",
        "infowork",
        "assessment",
        "finance",
        "cards",
    )
    for verb in ("view", "change")
]
MEMBER_READ = ["members.view"]
MEMBER_WORK = [
    "members.view",
    "members.change",
    "members.import",
    "members.export",
    "members.reveal",
]

ROLES = [
    (
        "system_admin",
        "系统管理员",
        "新建、停用账号，重置密码，维护组织架构；不能分配角色，不能看审计日志",
        ["org.view", "org.manage", "accounts.manage", "jobs.view"],
        False,
    ),
    (
        "security_admin",
        "安全管理员",
        "分配业务角色、解锁账号、重置双因素认证；不能建账号，不能看审计日志",
        ["org.view", "roles.assign", "security.manage"],
        False,
    ),
    (
        "audit_admin",
        "审计管理员",
        "查看和导出审计日志；不能做其他任何操作",
        ["audit.view", "audit.export"],
        False,
    ),
    (
        "leader",
        "领导",
        "查看辖区内的组织、会员和各项业务",
        ["org.view", *MEMBER_READ, *[p for p in PROGRAM_PERMS if p.endswith(".view")]],
        False,
    ),
    (
        "dept_staff",
        "部门工作人员",
        "办理本部门业务，查看会员",
        ["org.view", *MEMBER_READ, *PROGRAM_PERMS],
        True,
    ),
    (
        "county_staff",
        "县区/产业工会工作人员",
        "管理辖区内的基层工会和会员，办理各项业务",
        ["org.view", "org.manage", *MEMBER_WORK, *PROGRAM_PERMS],
        False,
    ),
    ("union_officer", "基层工会干部", "维护本工会的会员名册", ["org.view", *MEMBER_WORK], False),
]


def forward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, description, permissions, needs_department in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "permissions": permissions,
                "needs_department": needs_department,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
