"""Commissioning money to integer pence, step 2 of 3: copy every amount, exactly.

``pence = pounds × 100``; an amount that is not a whole number of pence (which the actions
never allowed) stops the migration naming the row rather than being rounded. Going back
writes ``pence / 100`` into the pound fields.
"""

from decimal import Decimal

from django.db import migrations

# (model, pound field, pence field)
FIELDS = [
    ("fundingenvelope", "amount", "amount_pence"),
    ("bid", "amount_requested", "amount_requested_pence"),
    ("bid", "amount_awarded", "amount_awarded_pence"),
    ("spendreturn", "amount", "amount_pence"),
    ("fundingallocation", "amount", "amount_pence"),
]
HUNDRED = Decimal(100)


def _to_pence(pounds: Decimal, where: str) -> int:
    pence = pounds * HUNDRED
    if pence != pence.to_integral_value():
        raise ValueError(f"{where}: {pounds} is not a whole number of pence")
    return int(pence)


def pounds_to_pence(apps, schema_editor):
    for model_name, pounds, pence in FIELDS:
        model = apps.get_model("commissioning", model_name)
        for pk, amount in model.objects.exclude(**{f"{pounds}__isnull": True}).values_list(
            "pk", pounds
        ):
            value = _to_pence(amount, f"commissioning {model_name} {pk} {pounds}")
            model.objects.filter(pk=pk).update(**{pence: value})


def pence_to_pounds(apps, schema_editor):
    for model_name, pounds, pence in FIELDS:
        model = apps.get_model("commissioning", model_name)
        for pk, amount in model.objects.exclude(**{f"{pence}__isnull": True}).values_list(
            "pk", pence
        ):
            value = (Decimal(amount) / HUNDRED).quantize(Decimal("0.01"))
            model.objects.filter(pk=pk).update(**{pounds: value})


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0002_money_in_pence_fields")]

    operations = [migrations.RunPython(pounds_to_pence, pence_to_pounds)]
