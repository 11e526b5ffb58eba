import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import gonghui.core.fields

HASHED_FIELDS = ("plan_year", "kind", "payer", "amount_fen", "union", "reference", "at", "by")


def chain_existing(apps, schema_editor):
    """Chain the entries written before the ledger was hash-chained: per plan year, in the
    order they were written (at, id)."""
    from gonghui.core.ledger import GENESIS_HASH, entry_hash

    LedgerEntry = apps.get_model("mutualaid", "LedgerEntry")
    LedgerHead = apps.get_model("core", "LedgerHead")
    PlanYear = apps.get_model("mutualaid", "PlanYear")
    for plan in PlanYear.objects.order_by("id"):
        seq, prev = 0, GENESIS_HASH
        entries = LedgerEntry.objects.filter(plan_year=plan).order_by("at", "id")
        for entry in entries.iterator(chunk_size=2000):
            entry.HASHED_FIELDS = HASHED_FIELDS
            seq += 1
            entry.chain, entry.seq, entry.prev_hash = plan.code, seq, prev
            entry.hash = entry_hash(entry)
            LedgerEntry.objects.filter(pk=entry.pk).update(
                chain=entry.chain, seq=seq, prev_hash=prev, hash=entry.hash
            )
            prev = entry.hash
        if seq:
            LedgerHead.objects.update_or_create(
                ledger="mutualaid.ledgerentry",
                chain=plan.code,
                defaults={"seq": seq, "hash": prev},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0002_officers_run_mutual_aid"),
        ("core", "0002_ledger_heads"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="bank_account",
            field=gonghui.core.fields.EncryptedTextField(blank=True, verbose_name="收款银行账号"),
        ),
        migrations.AddField(
            model_name="claim",
            name="bank_name",
            field=models.CharField(blank=True, max_length=60, verbose_name="开户银行"),
        ),
        migrations.AddField(
            model_name="claim",
            name="payout_note",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="最近一次支付失败的原因"
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="purged_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="健康信息和材料删除时间"
            ),
        ),
        migrations.CreateModel(
            name="PayoutBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "batch_no",
                    models.CharField(
                        editable=False, max_length=20, unique=True, verbose_name="支付批次号"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("card", "打卡发放（工会会员卡）"),
                            ("bank", "银行转账（申请时填写的账户）"),
                        ],
                        max_length=8,
                        verbose_name="支付渠道",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("sent", "待银行回盘"), ("settled", "已回盘")],
                        default="sent",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("line_count", models.PositiveIntegerField(default=0, verbose_name="笔数")),
                (
                    "total_fen",
                    models.PositiveBigIntegerField(default=0, verbose_name="金额合计（分）"),
                ),
                ("paid_count", models.PositiveIntegerField(default=0, verbose_name="成功笔数")),
                (
                    "paid_fen",
                    models.PositiveBigIntegerField(default=0, verbose_name="成功金额（分）"),
                ),
                ("failed_count", models.PositiveIntegerField(default=0, verbose_name="失败笔数")),
                (
                    "without_account",
                    models.JSONField(default=list, verbose_name="缺少收款账户的申请"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="生成时间"
                    ),
                ),
                (
                    "settled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="回盘时间"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "settled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "union",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.union",
                        verbose_name="发放单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "互助金支付批次",
                "verbose_name_plural": "互助金支付批次",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PayoutLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount_fen", models.PositiveBigIntegerField(verbose_name="金额（分）")),
                ("account_no", gonghui.core.fields.EncryptedTextField(verbose_name="收款账号")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待回盘"),
                            ("paid", "支付成功"),
                            ("failed", "支付失败"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="状态",
                    ),
                ),
                (
                    "reason",
                    models.CharField(blank=True, max_length=200, verbose_name="失败原因"),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="mutualaid.payoutbatch",
                        verbose_name="支付批次",
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payout_lines",
                        to="mutualaid.claim",
                        verbose_name="申请",
                    ),
                ),
            ],
            options={
                "verbose_name": "支付明细",
                "verbose_name_plural": "支付明细",
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("claim",),
                        name="mutualaid_payout_one_pending",
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
