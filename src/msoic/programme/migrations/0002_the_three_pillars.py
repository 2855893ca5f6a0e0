"""The programme's three pillars and their objectives as the business plan sets them out
(issue 14): understand, engage, deliver. The unit edits them on the web from then on."""

from django.db import migrations

PILLARS = [
    (
        "understand",
        1,
        "Understand",
        "Know the threat: intelligence, data and the picture of the threat",
        [
            "Improve the intelligence picture of modern slavery and organised immigration crime",
            "Bring forces' data together so that trends and gaps show early",
            "Assess the threat and how it is changing, including new routes",
        ],
    ),
    (
        "engage",
        2,
        "Engage",
        "Work with partners, hear victims and survivors, shape national strategy",
        [
            "Build and support partnerships with agencies, charities and businesses",
            "Bring the voice of victims and survivors into the response",
            "Contribute to national strategy and policy",
        ],
    ),
    (
        "deliver",
        3,
        "Deliver",
        "Raise standards, meet the CCA tasking and secure positive outcomes",
        [
            "Help forces meet the national policing standards",
            "Support forces and ROCUs to meet the Crime and Courts Act tasking",
            "Secure positive outcomes for victims and against offenders",
        ],
    ),
]


def seed(apps, schema_editor):
    Pillar = apps.get_model("programme", "Pillar")
    Objective = apps.get_model("programme", "Objective")
    for code, number, name, summary, objectives in PILLARS:
        pillar, _ = Pillar.objects.update_or_create(
            code=code, defaults={"number": number, "name": name, "summary": summary}
        )
        for position, text in enumerate(objectives, start=1):
            Objective.objects.update_or_create(
                pillar=pillar, position=position, defaults={"text": text}
            )


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
