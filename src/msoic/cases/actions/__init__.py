"""Every change the investigation register makes, in one place to import from.

Each capability keeps its ``do_<verb>_<noun>`` functions in its own ``actions`` module
(atomic, checked, writing their own audit row); this package re-exports all of them so a
caller outside the register has one home: ``from msoic.cases.actions import do_…``.

- :mod:`msoic.cases.register.actions`: investigations and people;
- :mod:`msoic.cases.register.importer`: the bulk import;
- :mod:`msoic.cases.register.dde`: direct data entry adoption;
- :mod:`msoic.cases.cleanse.actions`: the data cleanse;
- :mod:`msoic.cases.marker.actions`: the PNC vulnerability marker;
- :mod:`msoic.cases.exchange.actions`: the HTCDS exchange;
- :mod:`msoic.cases.consultation`: consultation and disclosure logging (S.62).
"""

from msoic.cases.cleanse.actions import (
    do_close_cleanse_item,
    do_confirm_cleanse_item,
    do_open_cleanse,
    do_update_cleanse_item,
)
from msoic.cases.consultation import do_record_consultation, do_record_disclosure
from msoic.cases.exchange.actions import do_export_htcds, do_import_htcds
from msoic.cases.marker.actions import do_apply_marker, do_disclose_marker_list, do_request_marker
from msoic.cases.register.actions import (
    DECISION_STAGES,
    REFERENCE_DIGITS,
    allocate_person_references,
    do_add_person,
    do_close_investigation,
    do_create_investigation,
    do_record_arrest,
    do_record_charge,
    do_record_decision,
    do_record_dtn,
    do_record_nrm_referral,
    do_review_investigation,
    do_update_investigation,
    do_update_person,
    reference_prefix,
)
from msoic.cases.register.dde import do_end_dde_adoption, do_set_dde_adoption
from msoic.cases.register.importer import do_import_register

__all__ = [
    "DECISION_STAGES",
    "REFERENCE_DIGITS",
    "allocate_person_references",
    "do_add_person",
    "do_apply_marker",
    "do_close_cleanse_item",
    "do_close_investigation",
    "do_confirm_cleanse_item",
    "do_create_investigation",
    "do_disclose_marker_list",
    "do_end_dde_adoption",
    "do_export_htcds",
    "do_import_htcds",
    "do_import_register",
    "do_open_cleanse",
    "do_record_arrest",
    "do_record_charge",
    "do_record_consultation",
    "do_record_decision",
    "do_record_disclosure",
    "do_record_dtn",
    "do_record_nrm_referral",
    "do_request_marker",
    "do_review_investigation",
    "do_set_dde_adoption",
    "do_update_cleanse_item",
    "do_update_investigation",
    "do_update_person",
    "reference_prefix",
]
