"""Commissioning money to integer pence, step 3 of 3: drop the pound columns; the pence
ones become required (but the award) and positive, as the pound ones were."""

from django.db import migrations, models

# (model, pound field, pence field)
FIELDS = [
    ("fundingenvelope", "amount", "amount_pence"),
    ("bid", "amount_requested", "amount_requested_pence"),
    ("bid", "amount_awarded", "amount_awarded_pence"),
    ("spendreturn", "amount", "amount_pence"),
    ("fundingallocation", "amount", "amount_pence"),
]
# (model, constraint, pence field)
POSITIVE = [
    ("fundingenvelope", "envelope_amount_positive", "amount_pence"),
    ("bid", "bid_amount_positive", "amount_requested_pence"),
    ("spendreturn", "spend_amount_positive", "amount_pence"),
    ("fundingallocation", "allocation_amount_positive", "amount_pence"),
]


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0003_money_in_pence_data")]

    operations = [
        *[migrations.RemoveField(model_name=model, name=pounds) for model, pounds, _ in FIELDS],
        *[
            migrations.AlterField(model_name=model, name=pence, field=models.BigIntegerField())
            for model, _pounds, pence in FIELDS
            if pence != "amount_awarded_pence"
        ],
        *[
            migrations.AddConstraint(
                model_name=model,
                constraint=models.CheckConstraint(
                    condition=models.Q((f"{pence}__gt", 0)), name=name
                ),
            )
            for model, name, pence in POSITIVE
        ],
    ]
