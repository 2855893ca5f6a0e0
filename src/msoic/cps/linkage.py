"""Probabilistic linkage of CPS cases to the register's suspects, with Splink.

Nothing here knows Django: records come in as plain dicts (:func:`cps_record`,
:func:`register_record`) and links go out as :class:`Pair` rows, so the same code serves the
worker's run (:mod:`msoic.cps.actions`), ``msoic cps synth`` and the benchmark.

The model (Fellegi-Sunter, as Splink fits it), record by record, CPS case against suspect:

- force: exact;
- crime reference: normalised (:func:`normalise_reference`), then the same key (zeros
  dropped, :func:`reference_key`), one edit apart, Jaro-Winkler similarity at 0.88, else;
  missing on either side is neutral;
- charge date: the same day, within 7, 30 and 180 days, else;
- the CPS charge date against the suspect's arrest date: within 30, 120 and 365 days, else;
- the exploitation types the charged offences are evidence of against the investigation's;
- gender: exact; year of birth: exact, a year apart, else (missing: neutral).

Blocking rules (:func:`_blocking_rules`) keep each block about the same size whatever the
volume, so the candidate pairs grow about linearly (a million a side: about 16 million
pairs): the same reference key; the same force and a fragment of the reference (its tail,
its head, or its first characters with the charge date); the same force, charge date and
year of birth; the same force, year of birth, gender and charge month (two month grids half
a month apart, so dates a fortnight apart share one). No rule is "same force and day" or
"same force and reference tail" alone: those blocks grow with the volume, and a million a
side made 56 million pairs of them.

Training: the chance that two random records match from the deterministic rule "same
force and reference" (recall taken as 0.6); u by random sampling (``u_max_pairs``); m by
expectation maximisation in three sessions, each on at most ``em_max_pairs`` pairs, blocked
where most pairs are true pairs whatever the volume: same reference and year of birth
(charge date and the rest), same reference and charge date (year of birth), same force,
charge date and year of birth (the reference). A session blocked on the reference alone
would learn "same investigation" (co-suspects share the reference), and one on force and
charge date alone holds fewer true pairs as the volume grows, until EM settles on the wrong
class.

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
from datetime import date, timedelta
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
    "ref_head",
    "ref_lead",
    "ref_tail",
    "charged_on",
    "charge_month",
    "charge_month_late",
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


# Fragments of a reference to block on, so that one typo (a digit changed, two swapped)
# still leaves the pair a block in common: the key's last six characters (a typo further
# left), the normalised reference without its last three when ten or more (a typo near the
# end; zeros kept, so "CR2024" and a few digits are not shared by half a force), and the
# key's first two characters, taken with the force and charge date.
TAIL = 6
HEAD_MIN = 10
HEAD_CUT = 3
LEAD = 2


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
        "ref_head": ref[:-HEAD_CUT] if ref and len(ref) >= HEAD_MIN else None,
        "ref_lead": key[:LEAD] if key and len(key) > LEAD else None,
        "ref_tail": key[-TAIL:] if key and len(key) >= TAIL else None,
        "charged_on": charged_on,
        "charge_month": _month(charged_on),
        # the month half a month later: two dates up to a fortnight apart share one of
        # the two months, whatever the day of the month
        "charge_month_late": _month(charged_on + timedelta(days=15)) if charged_on else None,
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


def _blocking_rules() -> list[Any]:
    """The candidate pairs: each rule's blocks stay about the same size as the data grow
    (a reference, or a force with a day or a year of birth and a month), so the pairs grow
    about linearly with the records. Measured at a million a side: about 16 million pairs,
    96 % of the true pairs among them (``benchmarks/cps_linkage.py``)."""
    from splink import block_on

    return [
        block_on("ref_key"),
        block_on("force", "ref_tail"),
        block_on("force", "ref_head"),
        block_on("force", "charged_on", "birth_year"),
        block_on("force", "charged_on", "ref_lead"),
        block_on("force", "charged_on", "gender"),
        block_on("force", "birth_year", "gender", "charge_month"),
        block_on("force", "birth_year", "gender", "charge_month_late"),
    ]


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    reference = cl.CustomComparison(
        output_column_name="ref_norm",
        comparison_description="normalised crime reference",
        comparison_levels=[
            cll.NullLevel("ref_norm"),
            cll.ExactMatchLevel("ref_key"),
            cll.DamerauLevenshteinLevel("ref_key", 1),
            cll.JaroWinklerLevel("ref_key", 0.88),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=[0.7, 0.1, 0.05, 0.15])
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
        blocking_rules_to_generate_predictions=_blocking_rules(),
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
    em_max_pairs: float = 2e6,
    seed: int = 15,
) -> Outcome:
    """Train the model on these records, score candidate pairs and make one-to-one links.

    ``decisions`` maps (CPS id, register id) to True (confirmed) or False (rejected)."""
    import logging

    from splink import Linker, block_on
    from splink.internals.exceptions import EMTrainingException

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
        ("same reference and year of birth", block_on("ref_key", "birth_year")),
        ("same reference and charge date", block_on("ref_key", "charged_on")),
        (
            "same force, charge date and year of birth",
            block_on("force", "charged_on", "birth_year"),
        ),
    )
    for label, rule in sessions:
        # Splink's session changes the model in place before it trains (it drops the
        # blocking rule's comparisons and sets its own match rate) and, when it fails,
        # leaves it so: the model is put back as it was before the session.
        before = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=em_max_pairs
            )
        except (ValueError, EMTrainingException) as exc:
            # Too few pairs for a level to be estimated, or none at all (a register that
            # records no year of birth): the session's m values stay at their starting
            # values (:func:`_settings`) and the run says so.
            linker._settings_obj.core_model_settings = before
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
    parameters["lambda"] = linker._settings_obj._probability_two_random_records_match
    if skipped:
        parameters["em_sessions_skipped"] = skipped
    return Outcome(pairs=pairs, timings=timings, scored=edges.num_rows, parameters=parameters)


EDGE_COLUMNS = (
    "unique_id_l",
    "unique_id_r",
    "source_dataset_l",
    "source_dataset_r",
    "match_probability",
)


def _apply_decisions(table: Any, decisions: Mapping[tuple[str, str], bool]) -> Any:
    """The scored pairs as an Arrow table of edges (CPS id on the left): every pair the
    analysts have not rejected, and every confirmed pair at probability 1. Column work in
    Arrow: a million scored pairs never become Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    on_left = pc.equal(table.column("source_dataset_l"), "cps")
    cps_ids = pc.if_else(on_left, table.column("unique_id_l"), table.column("unique_id_r"))
    register_ids = pc.if_else(on_left, table.column("unique_id_r"), table.column("unique_id_l"))
    probability = pc.cast(table.column("match_probability"), pa.float64())
    if decisions:
        # a decided pair's model score goes; a confirmed pair comes back at probability 1
        keys = pc.binary_join_element_wise(cps_ids, register_ids, "\x1f")
        decided = pa.array([f"{c}\x1f{r}" for c, r in decisions], pa.string())
        keep = pc.invert(pc.is_in(keys, value_set=decided))
        cps_ids, register_ids = cps_ids.filter(keep), register_ids.filter(keep)
        probability = probability.filter(keep)
        confirmed = [key for key, yes in decisions.items() if yes]
        cps_ids = pa.concat_arrays(
            [_flat(cps_ids), pa.array([c for c, _ in confirmed], pa.string())]
        )
        register_ids = pa.concat_arrays(
            [_flat(register_ids), pa.array([r for _, r in confirmed], pa.string())]
        )
        probability = pa.concat_arrays(
            [_flat(probability), pa.array([1.0] * len(confirmed), pa.float64())]
        )
    rows = len(cps_ids)
    return pa.table(
        {
            "unique_id_l": cps_ids,
            "unique_id_r": register_ids,
            "source_dataset_l": pa.repeat("cps", rows),
            "source_dataset_r": pa.repeat("register", rows),
            "match_probability": probability,
        }
    )


def _flat(column: Any) -> Any:
    """One Arrow array from an array or a chunked array."""
    return column.combine_chunks() if hasattr(column, "combine_chunks") else column


def _one_to_one(
    linker: Any,
    db_api: Any,
    engine: str,
    edges: Any,
    thresholds: Thresholds,
    confirmed: set[tuple[str, str]],
) -> list[Pair]:
    """Splink's single-best-links clustering over ``edges``, read back as CPS-register
    pairs with their probability and status."""
    import duckdb

    if edges.num_rows == 0:
        return []
    if engine == "spark":
        scored = db_api.register(
            _spark_frame(edges.to_pydict()), dataset_display_name="decided_edges"
        )
    else:
        scored = db_api.register(edges, dataset_display_name="decided_edges")
    clustered = linker.clustering.cluster_using_single_best_links(
        scored,
        duplicate_free_datasets=["cps", "register"],
        threshold_match_probability=thresholds.clerical,
        ties_method="lowest_id",
    ).as_pyarrow_table()
    # Each cluster holds at most one record of each side: pair them up and take the pair's
    # probability from the edges (a local DuckDB connection reading the Arrow tables).
    query = duckdb.connect()
    query.register("clustered", clustered.select(["cluster_id", "unique_id", "source_dataset"]))
    query.register("edges", edges.select(["unique_id_l", "unique_id_r", "match_probability"]))
    linked = query.execute(
        """
        select c.unique_id as cps_id, r.unique_id as register_id, e.match_probability
        from clustered c
        join clustered r on r.cluster_id = c.cluster_id and r.source_dataset = 'register'
        join edges e on e.unique_id_l = c.unique_id and e.unique_id_r = r.unique_id
        where c.source_dataset = 'cps'
        order by c.unique_id
        """
    ).fetchall()
    query.close()
    out = []
    for c, r, p in linked:
        if (c, r) in confirmed:
            status = CONFIRMED
        elif p >= thresholds.automatic:
            status = AUTOMATIC
        else:
            status = CLERICAL
        out.append(Pair(c, r, float(p), status))
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
