"""Predictions say when the comment was written (the return was asked for), so the panel's
periods are the shoppers' and not the classifier's: a comment classified late by the sweeper,
or the demo's history classified at once, lands in the period it was written in. Existing rows
take their classification time, the best known."""

from django.db import migrations, models
from django.db.models import F


def copy_classified_at(apps, schema_editor):
    CommentPrediction = apps.get_model("insight", "CommentPrediction")
    CommentPrediction.objects.update(commented_at=F("classified_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentprediction",
            name="commented_at",
            field=models.DateTimeField(
                null=True,
                help_text="When the shopper wrote the comment (the return was asked for).",
            ),
        ),
        migrations.RunPython(copy_classified_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="commentprediction",
            name="commented_at",
            field=models.DateTimeField(
                help_text="When the shopper wrote the comment (the return was asked for)."
            ),
        ),
        migrations.AddIndex(
            model_name="commentprediction",
            index=models.Index(
                fields=["store", "commented_at"], name="insight_com_store_i_1556dc_idx"
            ),
        ),
    ]
