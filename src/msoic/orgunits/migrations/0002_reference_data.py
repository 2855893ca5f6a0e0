from django.db import migrations


def load(apps, schema_editor):
    from msoic.orgunits.reference import load_reference_orgunits

    load_reference_orgunits(apps.get_model("orgunits", "OrgUnit"))


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
