"""The words of the audit log's ``detail``: one key for one concept, across every app.

A row's ``action`` is a member of :class:`msoic.audit.models.AuditAction`; its ``detail``
uses only the keys below, each with one meaning, so a search of the log ("every row that
changed a file with this SHA-256", "every step of this kind") works across apps. Two
conventions keep the list short: what happened is always ``step``; a key naming things
holds the things themselves (references, codes) and ``<noun>_count`` holds their number.

:func:`msoic.audit.log.record` refuses a key not listed here in development and tests
(see :func:`unknown_detail_keys`); ``tests/audit/test_vocabulary.py`` also reads the
source for it. A new key is a line here, with what it means.
"""

from __future__ import annotations

from collections.abc import Iterable

DETAIL_KEYS: dict[str, str] = {
    # What happened, and why
    "step": "what the app did: '<app>.<verb>' for actions, or a short phrase",
    "reason": "why it was done or refused, in words",
    "note": "a remark about how the row itself is written (e.g. rate limits)",
    # What changed
    "fields": "names of the fields written (never their values: personal records)",
    "changed": "{field: new value} for a record holding no personal data",
    "from": "a status before the change",
    "to": "a status after the change",
    "before": "the previous value of what the row sets",
    "on": "the date the change takes effect or was made",
    "created": "whether the row made a new record (true) or changed one",
    # Files and digests
    "file": "the name of the file received, stored or removed",
    "file_sha256": "SHA-256 of that file's bytes",
    "files": "names of the files read (a catalogue revision's definitions)",
    "sha256": "SHA-256 of the object the row is about (a catalogue revision's sources)",
    "version": "the version number the row made or approved",
    "source": "how the data arrived (upload, form, API)",
    "new": "number of new records a load created",
    # Collections of records, and their numbers
    "people": "references of the people shown or disclosed",
    "people_count": "number of people",
    "people_sha256": "SHA-256 of the sorted people references (see cases.consultation)",
    "investigations": "references of the investigations shown or disclosed",
    "investigations_count": "number of investigations",
    "investigations_sha256": "SHA-256 of the sorted investigation references",
    "investigation": "the investigation (primary key) the row is about",
    "review": "the review (primary key) the row is about",
    "owners": "codes of the forces owning the records shown or disclosed",
    "forces": "codes of the forces concerned",
    "values": "number of values stored",
    "rows": "number of rows written to an export",
    "items": "number of items in a cleanse",
    "members": "number of members of a group",
    "errors": "number of problems found in a refused input",
    "first": "the first of those problems (where and what)",
    "filters": "{filter: value} applied to an export",
    "format": "the format of an export (csv, xlsx)",
    "criteria": "the criteria a cleanse selects its items by",
    "cleanse": "the cleanse (primary key) an item belongs to",
    "received_from": "who sent a file to import",
    # Returns, metrics and periods
    "metric": "a metric's code",
    "from_month": "the first month (YYYY-MM) from which a setting applies",
    "effective_from": "the date from which a measure's setting applies",
    "financial_year": "a financial year, as FY2024-25",
    "dates": "[start, end] of a period of activity (ISO dates)",
    "activity_metrics": "codes of the activity metrics an operation returns",
    # Accounts and sign-in
    "user": "username of the account the row is about",
    "username": "the username typed at a refused log in (may name no account)",
    "address": "the client's IP address",
    "second_factor": "how the second factor was passed",
    "role": "the role given to an account",
    "orgunit": "the code of the org unit given to an account",
    "token": "whether an API token was issued with the account",
    "prefix": "the public prefix of an API token",
    "scopes": "an API token's scopes",
    "expires": "when an API token expires (ISO date and time)",
    "path": "the URL path requested",
    "recovery_codes": "number of recovery codes issued",
    "recovery_codes_left": "number of recovery codes left",
    "devices_removed": "number of second-factor devices removed",
    "sessions_ended": "number of sessions ended",
    # Assurance
    "framework": "a standards framework's code",
    "deadline": "the date a campaign's assessments are due",
    "acknowledged": "the warnings acknowledged on submitting",
    "standard": "a standard's reference",
    "standards": "references of the standards whose grades changed",
    "self_grade": "the grade a force gave itself",
    "agreed_grade": "the grade agreed after challenge",
    "offers": "codes of the offers of support proposed",
    "offer": "an offer of support's code",
    "delivery": "how an offer of support was delivered",
    # Commissioning and support
    "amount": "an amount of money, in pounds as written",
    "envelope": "a funding envelope (primary key)",
    "opens": "the date bids open",
    "closes": "the date bids close",
    "recorded_by_unit": "whether the unit recorded it on a force's behalf",
    "outcome": "the outcome of a bid",
    "awarded": "the amount awarded",
    "bid": "a bid (primary key)",
    "programme": "a programme's code",
    "operation": "an operation's name",
    "theme": "a theme",
    "support_types": "the kinds of support given",
    "kind": "the kind of outcome recorded",
    "outcome_id": "a recorded outcome (primary key)",
    # Peer review and tasking
    "stage": "a peer review's stage",
    "published_on": "the date a report was published",
    "number": "a recommendation's number",
    "priority": "a recommendation's priority",
    "show_source": "whether good practice names the force it came from",
    "owner": "who owns a recommendation",
    "due_date": "when a recommendation is due",
    "measure": "a measure's code",
    # Training and events
    "training_event": "a training course or event (primary key)",
    "corrected_count": "number of records an import corrected (e.g. an attendee's role)",
    # CPS cases and linkage
    "cps_cases": "URNs of the CPS cases shown, changed or disclosed",
    "cps_cases_count": "number of CPS cases",
    # Intelligence logs
    "intel_logs": "references (force:log reference) of the intelligence logs shown or disclosed",
    "intel_logs_count": "number of intelligence logs",
    "handling_authority": "who authorised sharing a handling code C intelligence log",
    # The audit log's own rows
    "suppressed": "refusals counted but not logged one by one",
    "logged": "refusals logged one by one in the window",
    "by_object_type": "{object type: number} of the refusals counted",
    "window_start": "start of the rate-limit window (ISO date and time)",
    "window_end": "end of the rate-limit window (ISO date and time)",
    "legacy_rows": "number of unsealed rows closed by the sealing row",
}


def unknown_detail_keys(keys: Iterable[str]) -> list[str]:
    """The keys not in :data:`DETAIL_KEYS`, sorted."""
    return sorted(k for k in keys if k not in DETAIL_KEYS)
