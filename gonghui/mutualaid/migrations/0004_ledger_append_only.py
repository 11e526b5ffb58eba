from django.db import migrations, models

from gonghui.core.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0003_ledger_chain_and_payouts"),
        ("audit", "0002_append_only_triggers"),
        ("core", "0002_ledger_heads"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="mutualaid_ledgerentry_chain_seq"
            ),
        ),
        append_only("mutualaid_ledgerentry"),
    ]
