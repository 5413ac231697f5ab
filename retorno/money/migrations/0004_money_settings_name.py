from django.db import migrations


class Migration(migrations.Migration):
    """The store's money settings take the context's one name (ADR 10)."""

    dependencies = [("resolutions", "0003_money_settings_into_policy")]

    operations = [migrations.RenameModel(old_name="ResolutionSettings", new_name="MoneySettings")]
