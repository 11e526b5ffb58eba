"""Existing lines are numbered within their batch in the order the payout file has always
listed them (so a file downloaded before still matches). Card and bank batches of campaigns
still open wait for the bank's result from now on: their lines with a cash part are 待银行回盘
and so are their people; closed campaigns keep their hand-outs as delivered."""

from django.db import migrations

PAYOUT_METHODS = ("card", "bank")


def forward(apps, schema_editor):
    Distribution = apps.get_model("warmth", "Distribution")
    DistributionBatch = apps.get_model("warmth", "DistributionBatch")
    Target = apps.get_model("warmth", "Target")
    batches = (
        DistributionBatch.objects.select_related("campaign").order_by("id").iterator(chunk_size=500)
    )
    for batch in batches:
        lines = list(Distribution.objects.filter(batch=batch).order_by("id"))
        waiting = batch.method in PAYOUT_METHODS and batch.campaign.status != "closed"
        for number, line in enumerate(lines, start=1):
            line.line_no = number
            if waiting and line.cash_fen:
                line.status = "pending"
        Distribution.objects.bulk_update(lines, ["line_no", "status"])
        pending = [line.target_id for line in lines if line.status == "pending"]
        if pending:
            Target.objects.filter(pk__in=pending).update(status="paying")
            batch.payout_status = "waiting"
            batch.save(update_fields=["payout_status"])


def backward(apps, schema_editor):
    Target = apps.get_model("warmth", "Target")
    Target.objects.filter(status="paying").update(status="delivered")


class Migration(migrations.Migration):
    dependencies = [("warmth", "0003_payout_results_and_group_changes")]
    operations = [migrations.RunPython(forward, backward)]
