"""The load test's locustfile (loadtest/, run by `make load`) without running a load: it
imports, defines the month-end users, and the return a force user fills in from the real
template passes the collection pipeline. Locust is in the optional 'load' extra and patches
the standard library when imported, so the locustfile is loaded in a child process."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from msoic.catalogue.loader import get_catalogue
from msoic.collection.actions import do_submit_return
from msoic.collection.template_xlsx import build_template

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"

CHILD = """
import importlib.util, json, random, sys
from locust import User
spec = importlib.util.spec_from_file_location("locustfile", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
users = {
    name: {"abstract": cls.abstract, "fixed_count": cls.fixed_count, "weight": cls.weight}
    for name, cls in vars(module).items()
    if isinstance(cls, type) and issubclass(cls, User) and cls.__module__ == "locustfile"
}
with open(sys.argv[2], "rb") as fh:
    filled = module.fill_template(fh.read(), random.Random(7))
with open(sys.argv[3], "wb") as fh:
    fh.write(filled)
print(json.dumps({"users": users, "p95_of_1_to_100": module.percentile(list(range(1, 101)), 0.95)}))
"""


def run_child(template: Path, filled: Path) -> dict:
    # Not imported here: importing locust would patch this process's threads and sockets.
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is in the 'load' extra (make load installs it)")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(LOCUSTFILE), str(template), str(filled)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_locustfile_defines_the_month_end_users_and_fills_a_template_the_pipeline_accepts(
    tmp_path: Path, kent_user: object
) -> None:
    template = tmp_path / "template.xlsx"
    filled = tmp_path / "filled.xlsx"
    template.write_bytes(
        build_template(get_catalogue(), "oic-monthly", "kent", "Kent Police", date(2024, 10, 1))
    )

    answer = run_child(template, filled)

    users = answer["users"]
    concrete = {name for name, u in users.items() if not u["abstract"]}
    assert concrete == {"ForceUser", "Analyst", "ApiClient", "Approver"}
    assert users["ForceUser"]["fixed_count"] == 10
    assert users["Approver"]["fixed_count"] == 1
    assert answer["p95_of_1_to_100"] == 95
    outcome = do_submit_return(
        "oic-monthly_kent_2024-10_load-test.xlsx",
        filled.read_bytes(),
        actor=kent_user,
        dry_run=True,
    )
    assert outcome.status == "accepted", [p.message for p in outcome.problems]
    assert outcome.rows > 0
