"""Bank result files for card and bank hand-outs, and campaign groups editable before the
first hand-out: the new columns (0004 fills them, 0005 adds the constraints)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_seed_departments"),
        ("warmth", "0002_officers_deliver_warmth"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="distribution",
            options={
                "ordering": ["batch", "line_no"],
                "verbose_name": "发放记录",
                "verbose_name_plural": "发放记录",
            },
        ),
        migrations.AddField(
            model_name="campaign",
            name="groups_version",
            field=models.PositiveIntegerField(default=1, verbose_name="类别版本"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="targets_stale",
            field=models.BooleanField(
                default=False,
                help_text="类别或标准改过，名单还是按原来的规则生成的：重新生成前不能发放",
                verbose_name="对象名单需重新生成",
            ),
        ),
        migrations.AddField(
            model_name="distribution",
            name="line_no",
            field=models.PositiveIntegerField(default=0, verbose_name="批次内序号"),
        ),
        migrations.AddField(
            model_name="distribution",
            name="reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="失败原因"),
        ),
        migrations.AddField(
            model_name="distribution",
            name="status",
            field=models.CharField(
                choices=[
                    ("delivered", "已发放"),
                    ("pending", "待银行回盘"),
                    ("paid", "银行已支付"),
                    ("failed", "支付失败"),
                ],
                default="delivered",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="failed_count",
            field=models.PositiveIntegerField(default=0, verbose_name="支付失败笔数"),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="failed_fen",
            field=models.PositiveBigIntegerField(default=0, verbose_name="支付失败金额（分）"),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="paid_count",
            field=models.PositiveIntegerField(default=0, verbose_name="支付成功笔数"),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="paid_fen",
            field=models.PositiveBigIntegerField(default=0, verbose_name="支付成功金额（分）"),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="payout_status",
            field=models.CharField(
                choices=[("none", "无需回盘"), ("waiting", "待银行回盘"), ("settled", "已回盘")],
                default="none",
                max_length=16,
                verbose_name="银行回盘",
            ),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="settled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="回盘导入时间"),
        ),
        migrations.AddField(
            model_name="distributionbatch",
            name="settled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="distribution",
            name="target",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="distributions",
                to="warmth.target",
                verbose_name="慰问对象",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="status",
            field=models.CharField(
                choices=[
                    ("listed", "待发放"),
                    ("paying", "待银行回盘"),
                    ("delivered", "已发放"),
                    ("removed", "已移出"),
                ],
                default="listed",
                max_length=16,
                verbose_name="状态",
            ),
        ),
    ]
