"""The West Midlands region had the same code as West Midlands Police, so loading the
reference data turned the region into the force (its own parent) and left 9 regions, with
Staffordshire, Warwickshire and West Mercia under a force. Reload the reference data: the
region now has its own code and the four forces are put under it."""

from django.db import migrations


def load(apps, schema_editor):
    from msoic.orgunits.reference import load_reference_orgunits

    load_reference_orgunits(apps.get_model("orgunits", "OrgUnit"))


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
