"""Reads the catalogue's YAML files, checks them, and exposes them as typed objects.

The files under ``definitions/`` are the source; :func:`load_catalogue` stores a new
:class:`CatalogueRevision` when they changed, and :func:`get_catalogue` answers from the
newest revision (cached per process, refreshed when a newer revision appears).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from msoic.metrics.money import MONEY_UNIT

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
AGGREGATIONS = {"flow", "stock"}
IMPORTANCES = {"error", "warning"}
# ``library``: a dataset that only defines metrics other datasets ``use`` (it takes no
# returns); ``operation``: a one-off return whose only period is ``first_period``.
LIBRARY = "library"
OPERATION = "operation"
# Who returns a dataset: every force (the default), or the unit itself (``national``: a
# dataset the unit loads, such as the Home Office's NRM statistics; no force returns it).
ORGUNITS = {"forces", "national"}
# A breakdown written ``options: records`` takes its options from the records (Breakdown).
RECORDS = "records"
# Apps that generate catalogue entries from their records (e.g. one dataset per
# operation) register a callable here returning {file name: YAML text}; see ADR 0006.
SOURCE_PROVIDERS: list[Callable[[], dict[str, str]]] = []
# The rule kinds that have a check: msoic.collection.validation registers each of its
# checks here (imported by its app's ``ready()``), and a rule naming any other kind is
# refused when the definitions are read.
RULE_KINDS: set[str] = set()
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    """A definition file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Breakdown:
    name: str
    label: str
    options: dict[str, str]
    # ``options: records``: the options are the records' own (an event's code, a survey's
    # question), given by the derived source of the metrics split by it
    # (msoic.metrics.sources.breakdown_options); only metrics no force returns may use it.
    from_records: bool = False


@dataclass(frozen=True)
class Metric:
    code: str
    dataset: str
    label: str
    short_label: str
    help: str
    aggregation: str
    unit: str
    breakdowns: tuple[str, ...]
    # ``ratio: {numerator: a, denominator: b}``: the metric is a / b as a whole per cent,
    # each part summed over the period as the engine sums it (msoic.metrics.engine).
    numerator: str = ""
    denominator: str = ""

    @property
    def is_stock(self) -> bool:
        return self.aggregation == "stock"

    @property
    def is_ratio(self) -> bool:
        return bool(self.numerator)

    @property
    def is_money(self) -> bool:
        """Pounds, held as whole pence (see msoic.metrics.money)."""
        return self.unit == MONEY_UNIT


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    importance: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dataset:
    code: str
    label: str
    description: str
    frequency: str
    orgunits: str
    due_day: int
    lock_on_approval: bool
    first_period: str
    metrics: tuple[str, ...]
    participants: tuple[str, ...] = ()  # force codes; empty means every force

    @property
    def takes_returns(self) -> bool:
        return self.frequency != LIBRARY

    @property
    def is_operation(self) -> bool:
        return self.frequency == OPERATION

    @property
    def returned_by_forces(self) -> bool:
        """Forces send it (the returns pages and the approval queue list it); a dataset of
        the unit's own (``orgunits: national``) takes returns from the unit only."""
        return self.takes_returns and self.orgunits == "forces"


@dataclass
class Catalogue:
    revision: int | None
    datasets: dict[str, Dataset]
    metrics: dict[str, Metric]
    breakdowns: dict[str, Breakdown]
    rules: list[Rule]

    def metric(self, code: str) -> Metric:
        return self.metrics[code]

    def dataset_metrics(self, dataset: str) -> list[Metric]:
        return [self.metrics[c] for c in self.datasets[dataset].metrics]

    def option_label(self, breakdown: str, option: str) -> str:
        return self.breakdowns[breakdown].options.get(option, option)

    def names_dataset(self, dataset: str) -> bool:
        """Rows of this dataset must say which dataset they are for: some of its metrics
        are shared with other datasets (defined in a library and ``use``d)."""
        return any(self.metrics[c].dataset != dataset for c in self.datasets[dataset].metrics)


def read_sources(directory: Path = DEFINITIONS_DIR, *, generated: bool = False) -> dict[str, str]:
    """The definition files; with ``generated``, also the files apps generate from their
    records (which reads the database), for the shipped definitions only."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))}
    if generated and directory == DEFINITIONS_DIR:
        for provider in SOURCE_PROVIDERS:
            for name, text in provider().items():
                if name in sources:
                    raise CatalogueError(f"{name}: generated file clashes with a definition file")
                sources[name] = text
    return sources


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise CatalogueError(f"{where}: missing '{key}'")
    return mapping[key]


def parse_sources(sources: dict[str, str]) -> dict[str, Any]:
    """Check the YAML texts and return the catalogue as plain JSON-able data."""
    breakdowns: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    datasets: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    for name, text in sources.items():
        try:
            doc = yaml.load(text, Loader=_YamlLoader) or {}  # noqa: S506 (a safe loader)
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{name}: not valid YAML ({exc})") from exc
        for bname, bdef in (doc.get("breakdowns") or {}).items():
            where = f"{name}: breakdown {bname}"
            options = _need(bdef, "options", where)
            from_records = options == RECORDS
            if not from_records and (not isinstance(options, dict) or not options):
                raise CatalogueError(
                    f"{where}: options must be a non-empty mapping, or {RECORDS!r}"
                )
            breakdowns[bname] = {
                "name": bname,
                "label": str(_need(bdef, "label", where)),
                "options": {} if from_records else {str(k): str(v) for k, v in options.items()},
                "from_records": from_records,
            }
        for i, rdef in enumerate(doc.get("rules") or [], start=1):
            where = f"{name}: rule {i}"
            importance = _need(rdef, "importance", where)
            if importance not in IMPORTANCES:
                raise CatalogueError(f"{where}: importance must be error or warning")
            code = str(_need(rdef, "code", where))
            kind = str(_need(rdef, "kind", where))
            if kind not in RULE_KINDS:
                known = ", ".join(sorted(RULE_KINDS)) or "none (msoic.collection is not loaded)"
                raise CatalogueError(
                    f"{where} ({code}): no check for rule kind {kind!r}; the kinds with a "
                    f"check are {known}"
                )
            rules.append(
                {
                    "code": code,
                    "kind": kind,
                    "importance": importance,
                    "message": str(_need(rdef, "message", where)),
                    "params": dict(rdef.get("params") or {}),
                }
            )
        if "dataset" in doc:
            ddef = doc["dataset"]
            code = str(_need(ddef, "code", f"{name}: dataset"))
            where = f"{name}: dataset {code}"
            metric_codes = []
            own = (doc.get("metrics") or []) if ddef.get("uses") else _need(doc, "metrics", where)
            for mdef in own:
                mcode = str(_need(mdef, "code", where))
                mwhere = f"{name}: metric {mcode}"
                aggregation = _need(mdef, "aggregation", mwhere)
                if aggregation not in AGGREGATIONS:
                    raise CatalogueError(f"{mwhere}: aggregation must be flow or stock")
                if mcode in metrics:
                    raise CatalogueError(f"{mwhere}: metric defined twice")
                ratio = mdef.get("ratio") or {}
                if ratio and aggregation != "flow":
                    raise CatalogueError(f"{mwhere}: a ratio is of two flows (aggregation flow)")
                metrics[mcode] = {
                    "code": mcode,
                    "dataset": code,
                    "label": str(_need(mdef, "label", mwhere)),
                    "short_label": str(mdef.get("short_label") or mdef["label"]),
                    "help": str(mdef.get("help", "")).strip(),
                    "aggregation": aggregation,
                    "unit": str(mdef.get("unit", "")),
                    "breakdowns": [str(b) for b in mdef.get("breakdowns") or []],
                    "numerator": str(_need(ratio, "numerator", mwhere)) if ratio else "",
                    "denominator": str(_need(ratio, "denominator", mwhere)) if ratio else "",
                }
                metric_codes.append(mcode)
            orgunits = str(ddef.get("orgunits", "forces"))
            if orgunits not in ORGUNITS:
                raise CatalogueError(f"{where}: orgunits must be forces or national")
            datasets[code] = {
                "code": code,
                "label": str(_need(ddef, "label", where)),
                "description": str(ddef.get("description", "")).strip(),
                "frequency": str(_need(ddef, "frequency", where)),
                "orgunits": orgunits,
                "due_day": int(_need(ddef, "due_day", where)),
                "lock_on_approval": bool(ddef.get("lock_on_approval", True)),
                "first_period": str(_need(ddef, "first_period", where)),
                "metrics": metric_codes,
                "uses": [str(m) for m in ddef.get("uses") or []],
                "participants": [str(f).lower() for f in ddef.get("participants") or []],
                "where": where,
            }
    for ddef in datasets.values():
        where = ddef.pop("where")
        for mcode in ddef.pop("uses"):
            if mcode not in metrics:
                raise CatalogueError(f"{where}: uses unknown metric {mcode!r}")
            if mcode not in ddef["metrics"]:
                ddef["metrics"].append(mcode)
    returned = {m for d in datasets.values() if d["frequency"] != LIBRARY for m in d["metrics"]}
    for mcode, mdef in metrics.items():
        for b in mdef["breakdowns"]:
            if b not in breakdowns:
                raise CatalogueError(f"metric {mcode}: unknown breakdown {b!r}")
            if breakdowns[b]["from_records"] and mcode in returned:
                raise CatalogueError(
                    f"metric {mcode}: breakdown {b!r} takes its options from records, so a "
                    "dataset that takes returns may not collect the metric"
                )
        _check_ratio(mcode, mdef, metrics)
    return {"datasets": datasets, "metrics": metrics, "breakdowns": breakdowns, "rules": rules}


def _check_ratio(code: str, mdef: dict[str, Any], metrics: dict[str, Any]) -> None:
    """A ratio's parts are metrics of the catalogue, flows that are no ratios themselves,
    and each split of the ratio is a split of both."""
    for part in ("numerator", "denominator"):
        name = mdef[part]
        if not name:
            continue
        other = metrics.get(name)
        if other is None:
            raise CatalogueError(f"metric {code}: {part} {name!r} is not a metric")
        if other["aggregation"] != "flow" or other["numerator"]:
            raise CatalogueError(f"metric {code}: {part} {name!r} must be a flow, not a ratio")
        missing = sorted(set(mdef["breakdowns"]) - set(other["breakdowns"]))
        if missing:
            raise CatalogueError(
                f"metric {code}: {part} {name!r} cannot be split by {', '.join(missing)}"
            )


def sources_hash(sources: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sources, sort_keys=True).encode("utf-8")).hexdigest()


def build(definition: dict[str, Any], revision: int | None) -> Catalogue:
    return Catalogue(
        revision=revision,
        datasets={
            k: Dataset(
                **{
                    **v,
                    "metrics": tuple(v["metrics"]),
                    "participants": tuple(v.get("participants") or ()),
                }
            )
            for k, v in definition["datasets"].items()
        },
        metrics={
            k: Metric(**{**v, "breakdowns": tuple(v["breakdowns"])})
            for k, v in definition["metrics"].items()
        },
        breakdowns={k: Breakdown(**v) for k, v in definition["breakdowns"].items()},
        rules=[Rule(**r) for r in definition["rules"]],
    )


def load_catalogue(actor: Any = None, directory: Path = DEFINITIONS_DIR) -> tuple[Any, bool]:
    """Store a new revision if the files changed. Returns (revision, created)."""
    from django.db import transaction

    from msoic.audit.log import record
    from msoic.audit.models import AuditAction
    from msoic.catalogue.models import CatalogueRevision

    sources = read_sources(directory, generated=True)
    digest = sources_hash(sources)
    definition = parse_sources(sources)
    latest = CatalogueRevision.objects.order_by("-pk").first()
    if latest is not None and latest.sha256 == digest:
        return latest, False
    with transaction.atomic():
        revision = CatalogueRevision.objects.create(
            sha256=digest,
            sources=sources,
            definition=definition,
            loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=revision,
            detail={"sha256": digest, "files": sorted(sources)},
        )
    _cache.clear()
    return revision, True


_cache: dict[str, Catalogue] = {}


def get_catalogue() -> Catalogue:
    """The newest loaded catalogue; falls back to the files if nothing is loaded yet."""
    from msoic.catalogue.models import CatalogueRevision

    latest = CatalogueRevision.objects.order_by("-pk").values("pk").first()
    if latest is None:
        return build(parse_sources(read_sources()), None)
    key = str(latest["pk"])
    cat = _cache.get(key)
    if cat is None:
        revision = CatalogueRevision.objects.get(pk=latest["pk"])
        # Rebuilt from the stored YAML text, not from ``definition``: PostgreSQL's jsonb does
        # not keep key order, and the order of options and metrics is meaningful.
        cat = build(parse_sources(revision.sources), revision.pk)
        _cache.clear()
        _cache[key] = cat
    return cat
