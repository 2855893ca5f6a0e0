"""Commissioning money from Decimal pounds to integer pence (ADR 0007), step 1 of 3: the
``*_pence`` columns beside the pound ones.

Three migrations, because PostgreSQL cannot alter a table in the transaction that updated
its rows (deferred foreign-key checks are pending): 0002 adds the columns, 0003 copies the
amounts (pounds × 100, exactly), 0004 drops the pound columns. All three are reversible.
"""

from django.db import migrations, models

# (model, pound field, pence field)
FIELDS = [
    ("fundingenvelope", "amount", "amount_pence"),
    ("bid", "amount_requested", "amount_requested_pence"),
    ("bid", "amount_awarded", "amount_awarded_pence"),
    ("spendreturn", "amount", "amount_pence"),
    ("fundingallocation", "amount", "amount_pence"),
]
# (model, constraint) on the pound fields, put back on the pence ones by 0004
POSITIVE = [
    ("fundingenvelope", "envelope_amount_positive"),
    ("bid", "bid_amount_positive"),
    ("spendreturn", "spend_amount_positive"),
    ("fundingallocation", "allocation_amount_positive"),
]


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_initial")]

    operations = [
        *[migrations.RemoveConstraint(model_name=model, name=name) for model, name in POSITIVE],
        # The pound fields may be empty while the pence ones are filled (and, going back,
        # the other way round); their NOT NULL comes back once the data is in them.
        *[
            migrations.AlterField(
                model_name=model,
                name=pounds,
                field=models.DecimalField(decimal_places=2, max_digits=14, null=True, blank=True),
            )
            for model, pounds, _pence in FIELDS
        ],
        *[
            migrations.AddField(
                model_name=model, name=pence, field=models.BigIntegerField(null=True, blank=True)
            )
            for model, _pounds, pence in FIELDS
        ],
    ]
