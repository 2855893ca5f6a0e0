"""The five peer review themes become data (a Theme table the unit edits), seeded with the
codes and labels the fixed code list had; recommendations and good practice keep their
column, which now points at a theme by its code (issue 14)."""

import django.db.models.deletion
from django.db import migrations, models

THEMES = [
    ("leadership", "Leadership and governance"),
    ("intelligence", "Intelligence collection and development"),
    ("operational", "Operational response"),
    ("investigations", "Investigations"),
    ("training", "Training and awareness"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("peerreview", "Theme")
    for position, (code, label) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(code=code, defaults={"label": label, "position": position})
    # A record under a code the list never had (none should exist) keeps it as a theme of its
    # own rather than losing its findings.
    for model in ("Recommendation", "GoodPractice"):
        rows = apps.get_model("peerreview", model).objects.values_list("theme", flat=True)
        for code in set(rows) - {c for c, _ in THEMES}:
            Theme.objects.get_or_create(code=code, defaults={"label": code, "position": 99})


class Migration(migrations.Migration):
    dependencies = [("peerreview", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Theme",
            fields=[
                ("code", models.SlugField(max_length=16, primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=200, unique=True)),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Order on pages"),
                ),
                ("introduced_on", models.DateField(blank=True, null=True)),
                ("retired_on", models.DateField(blank=True, null=True)),
            ],
            options={"ordering": ["position", "code"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="recommendation",
            name="theme",
            field=models.ForeignKey(
                db_column="theme",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recommendations",
                to="peerreview.theme",
            ),
        ),
        migrations.AlterField(
            model_name="goodpractice",
            name="theme",
            field=models.ForeignKey(
                db_column="theme",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="good_practice",
                to="peerreview.theme",
            ),
        ),
        migrations.AlterModelOptions(
            name="goodpractice",
            options={"ordering": ["theme_id", "title", "pk"]},
        ),
    ]
