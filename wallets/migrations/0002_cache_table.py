# The embedded mode keeps its cache (rate-limit counters) in a database table; creating it in a migration
# means `migrate` is the only set-up step. With Redis configured, createcachetable has nothing to do.
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("wallets", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
