"""The Human Tissue Authority as a partner org unit, and the local authority districts with
their forces (ONS lookup, data/lad_to_force.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from msoic.referrals.reference import ensure_hta, load_local_authorities

    OrgUnit = apps.get_model("orgunits", "OrgUnit")
    ensure_hta(OrgUnit)
    load_local_authorities(apps.get_model("referrals", "LocalAuthority"), OrgUnit)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("orgunits", "0003_west_midlands_region")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
