"""Probabilistic linkage of CPS cases to the register's suspects, with Splink.

Nothing here knows Django: records come in as plain dicts (:func:`cps_record`,
:func:`register_record`) and links go out as :class:`Pair` rows, so the same code serves the
worker's run (:mod:`msoic.cps.actions`), ``msoic cps synth`` and the benchmark.

The model (Fellegi-Sunter, as Splink fits it), record by record, CPS case against suspect:

- force: exact;
- crime reference: normalised (:func:`normalise_reference`) then exact, one edit apart,
  Jaro-Winkler similarity at 0.88, else; missing on either side is neutral;
- charge date: the same day, within 7, 30 and 180 days, else;
- the CPS charge date against the suspect's arrest date: within 30, 120 and 365 days, else;
- the exploitation types the charged offences are evidence of against the investigation's;
- gender: exact; year of birth: exact, a year apart, else (missing: neutral).

Blocking rules keep the candidate pairs near linear in the records (a million a side stays
tractable): the same normalised reference; or the same force and its last four characters;
or the same force and charge date; or the same force, year of birth and charge month.

Training: the chance that two random records match from the deterministic rule "same
force and reference" (recall taken as 0.6); u by random sampling; m by expectation
maximisation in two sessions, blocked on the reference and on force and charge date, so
each comparison is estimated in one of them.

Links are one to one: Splink's single-best-links clustering with both sides duplicate-free
(a defendant is one suspect; a suspect one defendant). Analysts' decisions are applied to the
scored pairs before clustering: a confirmed pair scores 1, a rejected pair is dropped, so
both win over the model. A link at or above the automatic threshold is ``automatic``; one in
the band below it goes to clerical review.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

AUTOMATIC = "automatic"
CLERICAL = "clerical"
CONFIRMED = "confirmed"
REJECTED = "rejected"

ENGINES = ("duckdb", "spark")

COLUMNS = (
    "unique_id",
    "force",
    "ref_norm",
    "ref_key",
    "ref_tail",
    "charged_on",
    "charge_month",
    "charge_or_arrest",
    "birth_year",
    "gender",
    "exploitation",
)


def normalise_reference(text: str | None) -> str | None:
    """A crime reference as the two sides can agree on it: letters and digits only, in
    upper case ("42/012345/23" and "42-012345 23" are both "4201234523"). None for blank."""
    if not text:
        return None
    joined = "".join(re.findall(r"[A-Za-z0-9]+", text)).upper()
    return joined or None


def reference_key(normalised: str | None) -> str | None:
    """The normalised reference without its zeros: what is left when one side drops the
    leading zeros of a group and the other its separators ("43/000795/22" and "4300079522"
    both give "4379522"). Used to block and as a comparison level below exact agreement."""
    if not normalised:
        return None
    return normalised.replace("0", "") or None


def _month(day: date | None) -> str | None:
    return f"{day:%Y-%m}" if day else None


def _record(
    uid: str,
    force: str,
    reference: str | None,
    charged_on: date | None,
    charge_or_arrest: date | None,
    birth_year: int | None,
    gender: str | None,
    exploitation: Iterable[str],
) -> dict[str, Any]:
    ref = normalise_reference(reference)
    key = reference_key(ref)
    return {
        "unique_id": uid,
        "force": force,
        "ref_norm": ref,
        "ref_key": key,
        "ref_tail": key[-4:] if key and len(key) >= 4 else None,
        "charged_on": charged_on,
        "charge_month": _month(charged_on),
        "charge_or_arrest": charge_or_arrest,
        "birth_year": birth_year,
        "gender": gender if gender in ("female", "male") else None,
        "exploitation": sorted(set(exploitation)),
    }


def cps_record(
    uid: str,
    *,
    force: str,
    police_reference: str | None,
    charged_on: date | None,
    birth_year: int | None,
    gender: str | None,
    exploitation: Iterable[str],
) -> dict[str, Any]:
    """A CPS case (one defendant) as the linkage reads it."""
    return _record(
        uid, force, police_reference, charged_on, charged_on, birth_year, gender, exploitation
    )


def register_record(
    uid: str,
    *,
    force: str,
    crime_reference: str,
    charged_on: date | None,
    arrested_on: date | None,
    birth_year: int | None,
    gender: str | None,
    exploitation: Iterable[str],
) -> dict[str, Any]:
    """A suspect on a register investigation as the linkage reads it."""
    return _record(
        uid, force, crime_reference, charged_on, arrested_on, birth_year, gender, exploitation
    )


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: at or above ``automatic`` a link is made without review; from
    ``clerical`` up to it a candidate goes to an analyst."""

    automatic: float = 0.95
    clerical: float = 0.5


@dataclass
class Pair:
    cps_id: str
    register_id: str
    probability: float
    status: str  # automatic | clerical | confirmed


@dataclass
class Outcome:
    pairs: list[Pair]
    timings: dict[str, float] = field(default_factory=dict)
    scored: int = 0  # candidate pairs scored above the clerical threshold
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def clerical(self) -> int:
        return sum(1 for p in self.pairs if p.status == CLERICAL)

    @property
    def automatic(self) -> int:
        return sum(1 for p in self.pairs if p.status == AUTOMATIC)


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    reference = cl.CustomComparison(
        output_column_name="ref_norm",
        comparison_description="normalised crime reference",
        comparison_levels=[
            cll.NullLevel("ref_norm"),
            cll.ExactMatchLevel("ref_norm"),
            cll.ExactMatchLevel("ref_key"),
            cll.DamerauLevenshteinLevel("ref_key", 1),
            cll.JaroWinklerLevel("ref_key", 0.88),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=[0.55, 0.15, 0.1, 0.05, 0.15])
    birth_year = cl.CustomComparison(
        output_column_name="birth_year",
        comparison_description="year of birth",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=[0.9, 0.07, 0.03])
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("force").configure(m_probabilities=[0.98, 0.02]),
            reference,
            cl.AbsoluteDateDifferenceAtThresholds(
                "charged_on",
                input_is_string=False,
                metrics=["day", "day", "day"],
                thresholds=[7, 30, 180],
            ).configure(m_probabilities=[0.7, 0.15, 0.06, 0.04, 0.05]),
            cl.AbsoluteDateDifferenceAtThresholds(
                "charge_or_arrest",
                input_is_string=False,
                metrics=["day", "day", "day"],
                thresholds=[30, 120, 365],
            ).configure(m_probabilities=[0.05, 0.3, 0.35, 0.25, 0.05]),
            cl.ArrayIntersectAtSizes("exploitation", [1]).configure(m_probabilities=[0.95, 0.05]),
            cl.ExactMatch("gender").configure(m_probabilities=[0.97, 0.03]),
            birth_year,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("ref_key"),
            block_on("force", "ref_tail"),
            block_on("force", "charged_on"),
            block_on("force", "birth_year", "charge_month"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


_SPARK: Any = None


def spark_session() -> Any:
    """One local Spark session per process (``local[*]``: every core of this host)."""
    global _SPARK
    if _SPARK is None:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        _SPARK = (
            SparkSession.builder.master("local[*]")
            # Splink's string similarity functions (Damerau-Levenshtein, Jaro-Winkler), a
            # jar shipped inside the splink package: nothing is downloaded.
            .config("spark.jars", similarity_jar_location())
            .appName("msoic-cps-linkage")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        _SPARK.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="msoic-spark-"))
    return _SPARK


def _db_api(engine: str) -> Any:
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if engine == "spark":
        try:
            from splink import SparkAPI
        except ImportError as exc:  # the 'spark' extra is not installed
            raise RuntimeError(
                "the spark engine needs pyspark: pip install 'msoic-insight[spark]'"
            ) from exc
        return SparkAPI(spark_session=spark_session())
    raise ValueError(f"unknown engine {engine!r}: {' or '.join(ENGINES)}")


def _spark_frame(columns: dict[str, list[Any]]) -> Any:
    """A Spark DataFrame of ``columns`` (no pandas: rows and an explicit schema)."""
    from pyspark.sql import types as st

    kinds = {
        "charged_on": st.DateType(),
        "charge_or_arrest": st.DateType(),
        "birth_year": st.IntegerType(),
        "exploitation": st.ArrayType(st.StringType()),
        "match_probability": st.DoubleType(),
    }
    schema = st.StructType(
        [st.StructField(name, kinds.get(name, st.StringType()), True) for name in columns]
    )
    rows = list(zip(*columns.values(), strict=True))
    return spark_session().createDataFrame(rows, schema=schema)


def _register(db_api: Any, engine: str, rows: list[dict[str, Any]], name: str) -> Any:
    columns = {c: [r[c] for r in rows] for c in COLUMNS}
    if engine == "spark":
        return db_api.register(_spark_frame(columns), dataset_display_name=name)
    return db_api.register(columns, dataset_display_name=name)


def link(
    cps_rows: list[dict[str, Any]],
    register_rows: list[dict[str, Any]],
    *,
    engine: str = "duckdb",
    decisions: Mapping[tuple[str, str], bool] | None = None,
    thresholds: Thresholds | None = None,
    u_max_pairs: float = 1e6,
    seed: int = 15,
) -> Outcome:
    """Train the model on these records, score candidate pairs and make one-to-one links.

    ``decisions`` maps (CPS id, register id) to True (confirmed) or False (rejected)."""
    import logging

    from splink import Linker, block_on

    thresholds = thresholds or Thresholds()
    decisions = decisions or {}
    timings: dict[str, float] = {}
    if not cps_rows or not register_rows:
        return Outcome(pairs=[], timings=timings)
    started = time.perf_counter()
    db_api = _db_api(engine)
    cps = _register(db_api, engine, cps_rows, "cps")
    register = _register(db_api, engine, register_rows, "register")
    linker = Linker([cps, register], _settings(), log_level=logging.WARNING)
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("force", "ref_key")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    skipped = []
    sessions = (
        ("same reference", block_on("ref_key")),
        ("same force and charge date", block_on("force", "charged_on")),
    )
    for label, rule in sessions:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=1.0
            )
        except ValueError as exc:
            # Too few pairs for a level to be estimated (a small register): the session's
            # m values stay at their starting values (:func:`_settings`) and the run says so.
            skipped.append(f"{label}: {exc}")
    timings["training"] = time.perf_counter() - started

    started = time.perf_counter()
    floor = min(thresholds.clerical, 0.5)
    predicted = linker.inference.predict(threshold_match_probability=floor)
    table = predicted.as_pyarrow_table()
    timings["prediction"] = time.perf_counter() - started

    started = time.perf_counter()
    edges = _apply_decisions(table, decisions)
    confirmed = {key for key, yes in decisions.items() if yes}
    pairs = _one_to_one(linker, db_api, engine, edges, thresholds, confirmed)
    timings["clustering"] = time.perf_counter() - started
    parameters = _parameters(linker)
    if skipped:
        parameters["em_sessions_skipped"] = skipped
    return Outcome(pairs=pairs, timings=timings, scored=len(edges), parameters=parameters)


def _apply_decisions(
    table: Any, decisions: Mapping[tuple[str, str], bool]
) -> list[tuple[str, str, float]]:
    """(CPS id, register id, probability) for every scored pair the analysts have not
    rejected, and every confirmed pair at probability 1."""
    lefts = table.column("unique_id_l").to_pylist()
    rights = table.column("unique_id_r").to_pylist()
    sources = table.column("source_dataset_l").to_pylist()
    probs = table.column("match_probability").to_pylist()
    edges: dict[tuple[str, str], float] = {}
    for left, right, source, p in zip(lefts, rights, sources, probs, strict=True):
        key = (left, right) if source == "cps" else (right, left)
        if decisions.get(key) is False:
            continue
        edges[key] = float(p)
    for key, confirmed in decisions.items():
        if confirmed:
            edges[key] = 1.0
    return [(c, r, p) for (c, r), p in edges.items()]


def _one_to_one(
    linker: Any,
    db_api: Any,
    engine: str,
    edges: list[tuple[str, str, float]],
    thresholds: Thresholds,
    confirmed: set[tuple[str, str]],
) -> list[Pair]:
    if not edges:
        return []
    columns: dict[str, list[Any]] = {
        "unique_id_l": [c for c, _, _ in edges],
        "unique_id_r": [r for _, r, _ in edges],
        "source_dataset_l": ["cps"] * len(edges),
        "source_dataset_r": ["register"] * len(edges),
        "match_probability": [p for _, _, p in edges],
    }
    if engine == "spark":
        scored = db_api.register(_spark_frame(columns), dataset_display_name="decided_edges")
    else:
        scored = db_api.register(columns, dataset_display_name="decided_edges")
    clustered = linker.clustering.cluster_using_single_best_links(
        scored,
        duplicate_free_datasets=["cps", "register"],
        threshold_match_probability=thresholds.clerical,
        ties_method="lowest_id",
    ).as_pyarrow_table()
    members: dict[str, dict[str, str]] = {}
    for cluster, uid, source in zip(
        clustered.column("cluster_id").to_pylist(),
        clustered.column("unique_id").to_pylist(),
        clustered.column("source_dataset").to_pylist(),
        strict=True,
    ):
        members.setdefault(str(cluster), {})[source] = uid
    probability = {(c, r): p for c, r, p in edges}
    out = []
    for group in members.values():
        c, r = group.get("cps"), group.get("register")
        if c is None or r is None:
            continue
        p = probability[(c, r)]
        if (c, r) in confirmed:
            status = CONFIRMED
        elif p >= thresholds.automatic:
            status = AUTOMATIC
        else:
            status = CLERICAL
        out.append(Pair(c, r, p, status))
    out.sort(key=lambda pair: pair.cps_id)
    return out


def _parameters(linker: Any) -> dict[str, Any]:
    """The trained model in brief: each comparison level's m, u and match weight."""
    out: dict[str, Any] = {}
    for comparison in linker._settings_obj.comparisons:
        levels = []
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            levels.append(
                {
                    "level": level.label_for_charts,
                    "m": _rounded(level.m_probability),
                    "u": _rounded(level.u_probability),
                }
            )
        out[comparison.output_column_name] = levels
    return out


def _rounded(value: Any) -> float | None:
    return round(float(value), 6) if isinstance(value, int | float) else None


def scores(
    pairs: Iterable[Pair], truth: set[tuple[str, str]], *, automatic_only: bool = True
) -> dict[str, float]:
    """Precision, recall and F1 of the links (the automatic ones, or all) against the true
    pairs."""
    made = {
        (p.cps_id, p.register_id)
        for p in pairs
        if not automatic_only or p.status in (AUTOMATIC, CONFIRMED)
    }
    hits = len(made & truth)
    precision = hits / len(made) if made else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "links": len(made)}
