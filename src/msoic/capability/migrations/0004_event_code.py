"""Each event's stable code (the ``training_event`` breakdown): existing events get one made
from their title, numbered when two titles give the same."""

from django.db import migrations, models
from django.utils.text import slugify


def give_codes(apps, schema_editor):  # type: ignore[no-untyped-def]
    Event = apps.get_model("capability", "Event")
    taken: set[str] = set()
    for event in Event.objects.order_by("pk"):
        base = slugify(event.title)[:50].strip("-") or "event"
        code, n = base, 2
        while code in taken:
            code, n = f"{base}-{n}", n + 1
        taken.add(code)
        event.code = code
        event.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("capability", "0003_surveys")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="code",
            # No index yet: the AlterField below makes the unique one (on PostgreSQL an
            # index here and the unique one would both be named ..._like).
            field=models.SlugField(default="", max_length=60, db_index=False),
            preserve_default=False,
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="code",
            field=models.SlugField(max_length=60, unique=True),
        ),
    ]
