# The queue of a daily team: who works on a return, and since when it is in its status (the
# timers). Existing returns get the time of the trail's last event that brought them to it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def status_since_from_the_trail(apps, schema_editor):
    Return = apps.get_model("returns", "Return")
    ReturnEvent = apps.get_model("returns", "ReturnEvent")
    reached = (
        ReturnEvent.objects.filter(return_request=models.OuterRef("pk"), to_status=models.OuterRef("status"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    Return.objects.filter(status_since__isnull=True).update(status_since=models.Subquery(reached))


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0005_lists_served_by_indexes'),
        ('policies', '0001_initial'),
        ('returns', '0007_search_trigram_indexes'),
        ('stores', '0003_shopper_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='return',
            name='assignee',
            field=models.ForeignKey(blank=True, help_text='The staff member working on the return.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='return',
            name='status_since',
            field=models.DateTimeField(blank=True, help_text="When the return reached its status (the queue's timers); empty on rows written in bulk, which then read their last change.", null=True),
        ),
        migrations.AddIndex(
            model_name='return',
            index=models.Index(fields=['store', 'assignee', 'queue_rank', 'created_at', 'id'], name='return_assignee_queue'),
        ),
        migrations.RunPython(status_since_from_the_trail, migrations.RunPython.noop),
    ]
