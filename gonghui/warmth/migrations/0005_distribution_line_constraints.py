"""Line numbers are required and unique within a batch; a person has one hand-out that is not a
failed bank payment."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("warmth", "0004_number_lines_and_wait_for_the_bank")]
    operations = [
        migrations.AlterField(
            model_name="distribution",
            name="line_no",
            field=models.PositiveIntegerField(verbose_name="批次内序号"),
        ),
        migrations.AddConstraint(
            model_name="distribution",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "failed"), _negated=True),
                fields=("target",),
                name="warmth_distribution_live_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="distribution",
            constraint=models.UniqueConstraint(
                fields=("batch", "line_no"), name="warmth_distribution_line"
            ),
        ),
    ]
