"""Commissioning money from Decimal pounds to integer pence (ADR 0007), exactly.

Every amount becomes ``<name>_pence = pounds × 100``; an amount that is not a whole number
of pence (which the actions never allowed) stops the migration naming the row rather than
rounding it. Reversible: going back writes ``pence / 100`` into the Decimal fields.
"""

from decimal import Decimal

from django.db import migrations, models

# (model, old field, new field)
FIELDS = [
    ("fundingenvelope", "amount", "amount_pence"),
    ("bid", "amount_requested", "amount_requested_pence"),
    ("bid", "amount_awarded", "amount_awarded_pence"),
    ("spendreturn", "amount", "amount_pence"),
    ("fundingallocation", "amount", "amount_pence"),
]
# (model, constraint name, old field, new field)
POSITIVE = [
    ("fundingenvelope", "envelope_amount_positive", "amount", "amount_pence"),
    ("bid", "bid_amount_positive", "amount_requested", "amount_requested_pence"),
    ("spendreturn", "spend_amount_positive", "amount", "amount_pence"),
    ("fundingallocation", "allocation_amount_positive", "amount", "amount_pence"),
]
HUNDRED = Decimal(100)


def _to_pence(pounds: Decimal, where: str) -> int:
    pence = pounds * HUNDRED
    if pence != pence.to_integral_value():
        raise ValueError(f"{where}: {pounds} is not a whole number of pence")
    return int(pence)


def pounds_to_pence(apps, schema_editor):
    for model_name, old, new in FIELDS:
        model = apps.get_model("commissioning", model_name)
        for row in model.objects.exclude(**{f"{old}__isnull": True}).only("pk", old):
            pounds = getattr(row, old)
            pence = _to_pence(pounds, f"commissioning {model_name} {row.pk} {old}")
            model.objects.filter(pk=row.pk).update(**{new: pence})


def pence_to_pounds(apps, schema_editor):
    for model_name, old, new in FIELDS:
        model = apps.get_model("commissioning", model_name)
        for row in model.objects.exclude(**{f"{new}__isnull": True}).only("pk", new):
            pounds = (Decimal(getattr(row, new)) / HUNDRED).quantize(Decimal("0.01"))
            model.objects.filter(pk=row.pk).update(**{old: pounds})


def _decimal(null: bool) -> models.DecimalField:
    return models.DecimalField(decimal_places=2, max_digits=14, null=null, blank=null)


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_initial")]

    operations = [
        *[
            migrations.RemoveConstraint(model_name=model, name=name)
            for model, name, _old, _new in POSITIVE
        ],
        # The old fields may be empty while the new ones are filled (and, going back, the
        # other way round); their NOT NULL comes back once the data is in them.
        *[
            migrations.AlterField(model_name=model, name=old, field=_decimal(null=True))
            for model, old, _new in FIELDS
        ],
        *[
            migrations.AddField(
                model_name=model, name=new, field=models.BigIntegerField(null=True, blank=True)
            )
            for model, _old, new in FIELDS
        ],
        migrations.RunPython(pounds_to_pence, pence_to_pounds),
        *[migrations.RemoveField(model_name=model, name=old) for model, old, _new in FIELDS],
        *[
            migrations.AlterField(model_name=model, name=new, field=models.BigIntegerField())
            for model, _old, new in FIELDS
            if new != "amount_awarded_pence"
        ],
        *[
            migrations.AddConstraint(
                model_name=model,
                constraint=models.CheckConstraint(condition=models.Q((f"{new}__gt", 0)), name=name),
            )
            for model, name, _old, new in POSITIVE
        ],
    ]
