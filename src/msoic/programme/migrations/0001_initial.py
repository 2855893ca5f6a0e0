import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("orgunits", "0002_reference_data")]

    operations = [
        migrations.CreateModel(
            name="Pillar",
            fields=[
                ("code", models.SlugField(max_length=32, primary_key=True, serialize=False)),
                (
                    "number",
                    models.PositiveSmallIntegerField(help_text="Pillar 1, 2, 3...", unique=True),
                ),
                (
                    "name",
                    models.CharField(help_text="e.g. Understand", max_length=100, unique=True),
                ),
                ("summary", models.CharField(blank=True, max_length=300)),
                ("introduced_on", models.DateField(blank=True, null=True)),
                ("retired_on", models.DateField(blank=True, null=True)),
            ],
            options={"ordering": ["number"]},
        ),
        migrations.CreateModel(
            name="Objective",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("text", models.CharField(max_length=300)),
                (
                    "pillar",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="objectives",
                        to="programme.pillar",
                    ),
                ),
            ],
            options={
                "ordering": ["pillar__number", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pillar", "position"), name="programme_objective_pos"
                    )
                ],
            },
        ),
    ]
