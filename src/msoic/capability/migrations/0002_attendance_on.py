"""Attendance keeps its session's date (``on``), indexed with the key for the derived source."""

from typing import Any

from django.db import migrations, models


def copy_session_dates(apps: Any, schema_editor: Any) -> None:
    Attendance = apps.get_model("capability", "Attendance")
    for attendance in Attendance.objects.select_related("session").iterator():
        attendance.on = attendance.session.date
        attendance.save(update_fields=["on"])


class Migration(migrations.Migration):
    dependencies = [("capability", "0001_initial")]

    operations = [
        migrations.AddField(model_name="attendance", name="on", field=models.DateField(null=True)),
        migrations.RunPython(copy_session_dates, migrations.RunPython.noop),
        migrations.AlterField(model_name="attendance", name="on", field=models.DateField()),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(
                fields=["attendee_key", "on", "session", "orgunit"],
                name="capability_att_first_idx",
            ),
        ),
    ]
