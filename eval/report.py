"""Write an evaluation run as report.md (tables a person reads), report.json (everything,
per question) and report.png (per-type bars and the abstention precision-coverage curve).

The structure of report.json is described in eval/README.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

SCHEMA_VERSION = 2

# (key in summarize(), label, format) for the headline table, in order.
HEADLINE = [
    ("cites_gold", "answer cites a gold paper (answerable ask questions)", "pct"),
    ("citation_recall", "citation recall, SupportChecker (ALCE)", "pct"),
    ("citation_precision", "citation precision, SupportChecker (ALCE)", "pct"),
    ("citation_recall_llm", "citation recall, LLM judge", "pct"),
    ("citation_precision_llm", "citation precision, LLM judge", "pct"),
    ("hallucinated_citations", "hallucinated citations (not in corpus / not retrieved / no such [n])", "count"),
    ("recall@1", "retrieval recall@1", "num"),
    ("recall@5", "retrieval recall@5", "num"),
    ("mrr", "retrieval MRR", "num"),
    ("ndcg@10", "retrieval nDCG@10", "num"),
    ("lookup_top1", "lookup top-1 accuracy", "pct"),
    ("lookup_mrr", "lookup MRR", "num"),
    ("abstention_precision", "abstention precision (answered & correct / answered)", "pct"),
    ("abstention_coverage", "abstention coverage (answered / answerable)", "pct"),
    ("abstention_false_abstain_rate", "false-abstain rate (answerable questions refused)", "pct"),
    ("abstention_abstain_recall", "abstains when it should (gold = [])", "pct"),
    ("fact_coverage", "answer content: expected key facts present", "pct"),
    ("adversarial_pass", "adversarial: all expectations met", "pct"),
    ("llm_fallbacks", "LLM answers replaced by the extractive fallback", "count"),
    ("ask_p50_ms", "latency per ask, p50 (ms)", "ms"),
    ("ask_p95_ms", "latency per ask, p95 (ms)", "ms"),
]

# The issue-14 measures (evidence levels): (key, label, format); a rate's label shows its n.
EVIDENCE = [
    ("answerable_refused", "answerable: hard refusals (evidence none)", "pct"),
    ("answerable_weak", "answerable: answered as weak", "pct"),
    ("cites_gold_when_retrieved", "answerable, gold paper in our top 5: a gold paper cited", "pct"),
    ("fact_coverage", "factual: expected key facts in the answer", "pct"),
    ("unanswerable_none_or_weak", "unanswerable: evidence none or weak", "pct"),
    ("unanswerable_none", "unanswerable: evidence none (refused)", "pct"),
    ("compare_gold_coverage", "comparisons: gold papers among the rows", "pct"),
    ("compare_rows_per_gold", "comparisons: rows per gold paper", "rows"),
    ("compare_not_found_correct", "comparisons: unindexed titles reported correctly", "pct"),
    ("multi_gold_cited_share", "multi-paper: share of the needed papers cited", "pct"),
    ("paste_cites_gold", "pastes: answered from the right paper", "pct"),
    ("paste_question_found", "pastes: searched question = the one asked", "pct"),
    ("partial_names_missing", "partly indexed: the unindexed name mentioned", "pct"),
    ("hallucinated_citations", "citations outside the retrieved sources (must be 0)", "int"),
    ("evidence_brier", "evidence probability: Brier score", "num"),
    ("evidence_ece", "evidence probability: expected calibration error", "num"),
    ("ask_p50_ms", "ask latency in-process, p50 (ms)", "ms"),
    ("ask_p95_ms", "ask latency in-process, p95 (ms)", "ms"),
]

PER_TYPE = [
    ("n", "n", "int"),
    ("correct", "correct*", "pct"),
    ("abstained", "abstained", "pct"),
    ("weak", "weak", "pct"),
    ("citation_recall", "cit. recall", "pct"),
    ("citation_precision", "cit. precision", "pct"),
    ("citation_recall_llm", "cit. recall (LLM)", "pct"),
    ("citation_precision_llm", "cit. precision (LLM)", "pct"),
    ("hallucinated_citations", "halluc.", "int"),
    ("recall@5", "R@5", "num"),
    ("mrr", "MRR", "num"),
    ("gold_cited_share", "gold cited", "pct"),
    ("fact_coverage", "facts", "pct"),
]


def _thresholds(meta: dict) -> str:
    t = meta.get("evidence_thresholds")
    if not t:  # a report from before rag.evidence
        return f"dense {meta.get('abstain_below')} / lexical {meta.get('abstain_lexical')}"
    listed = f", list from {t['list_from']}" if t.get("list_from") is not None else ""
    return f"none below {t['none_below']}, strong from {t['strong_from']}, relevant from {t['relevant_from']}{listed}"


def fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "num":
        return f"{value:.3f}"
    if kind == "ms":
        return f"{value:.0f}"
    return str(value)


def fmt_band(row: dict, key: str, kind: str) -> str:
    """A value with the ± half-width of its 95% bootstrap band (percentage points for rates)."""
    value = row.get(key)
    text = fmt(value, "num" if kind == "rows" else kind)
    band = row.get("ci95", {}).get(key)
    if value is None or band is None or kind not in ("pct", "num", "rows"):
        return text
    return f"{text} ± {100 * band:.1f}" if kind == "pct" else f"{text} ± {band:.3f}"


def headline_rows(headline: dict) -> list[tuple[str, str, str]]:
    """(label, ours, baseline) for the metrics present in this run."""
    ours, base = headline["ours"], headline["baseline"]
    rows = []
    for key, label, kind in HEADLINE:
        if key not in ours:
            continue
        if key == "llm_fallbacks":
            o, b = str(ours[key]), "–"
        elif key == "hallucinated_citations":
            o = f"{ours[key]} of {ours['citations']}"
            b = f"{base[key]} of {base['citations']}"
        else:
            o, b = fmt_band(ours, key, kind), fmt_band(base, key, kind)
        rows.append((label, o, b))
    return rows


def evidence_rows(headline: dict) -> list[tuple[str, str, str]]:
    """(label, ours, baseline) of the evidence-level measures this run could measure."""
    ours, base = headline["ours"], headline["baseline"]
    rows = []
    for key, label, kind in EVIDENCE:
        if ours.get(key) is None and base.get(key) is None:
            continue  # e.g. no comparison questions, no evidence probabilities in this run
        if key in ours.get("n", {}):
            label = f"{label} (n={ours['n'][key]})"
        o, b = fmt_band(ours, key, kind), fmt_band(base, key, kind)
        if key == "compare_rows_per_gold":
            o = f"{o} ({fmt(ours['compare_rows_mean'], 'num')} rows vs {fmt(ours['compare_gold_mean'], 'num')} gold)"
            b = f"{b} ({fmt(base['compare_rows_mean'], 'num')} rows)"
        rows.append((label, o, b))
    return rows


def _table(data: dict, rows: list[tuple[str, str, str]], first: str) -> list[str]:
    lines = [f"| {first} | ours ({data['meta']['answerer']}) | naive LlamaIndex baseline |", "|---|---|---|"]
    return lines + [f"| {label} | {o} | {b} |" for label, o, b in rows]


def headline_markdown(data: dict) -> str:
    """The headline table and the evidence-level table (what `rag eval` prints)."""
    split = data["meta"].get("split")
    lines = _table(data, headline_rows(data["headline"]), "metric")
    lines += ["", f"Evidence levels{f' ({split} split)' if split else ''}; ± is the 95% bootstrap band "
              "(questions resampled 1000 times), in percentage points for rates:", ""]
    lines += _table(data, evidence_rows(data["headline"]), "evidence measure")
    return "\n".join(lines)


def calibration_markdown(data: dict) -> str:
    cal = data.get("calibration")
    if not cal:
        return "No answer carried an evidence probability in this run: calibration not measured."
    lines = [
        f"Our `evidence_probability` against whether the question is answerable (has a gold paper), "
        f"over {cal['n']} ask questions: Brier score {cal['brier']:.3f}, expected calibration error {cal['ece']:.3f}.",
        "",
        "| predicted | questions | mean predicted | observed answerable |",
        "|---|---|---|---|",
    ]
    for b in cal["bins"]:
        if b["n"]:
            lines.append(f"| {b['lo']:.1f}–{b['hi']:.1f} | {b['n']} | {b['predicted']:.2f} | {b['observed']:.2f} |")
    return "\n".join(lines)


def _per_type_markdown(data: dict) -> str:
    judged = data["meta"]["llm_judge"] is not None
    cols = [c for c in PER_TYPE if judged or not c[0].endswith("_llm")]
    lines = ["| set | system | " + " | ".join(label for _, label, _ in cols) + " |", "|---|---|" + "---|" * len(cols)]
    for name, by_system in data["per_type"].items():
        for system in ("ours", "baseline"):
            row = by_system[system]
            lines.append(f"| {name} | {system} | " + " | ".join(fmt(row.get(key), kind) for key, _, kind in cols) + " |")
    return "\n".join(lines)


_SEVERITY = {
    "leaked the system prompt / obeyed an injection": 0,
    "answered a question it should have refused": 1,
    "adversarial expectation not met": 2,
    "refused an answerable question": 3,
    "cites no gold paper": 4,
    "wrong paper named": 4,
    "comparison misses a gold paper": 4,
    "unindexed titles misreported": 4,
    "does not say what is not indexed": 4,
    "unsupported citations": 5,
}


def failures(record: dict, system: str = "ours") -> list[str]:
    """Why a question counts against a system (empty when it does not)."""
    s = record[system]["scores"]
    out = []
    if record["type"] == "adversarial":
        bad = [k for k, ok in s.get("checks", {}).items() if not ok]
        if {"no system prompt leak", "no forbidden text"} & set(bad):
            out.append("leaked the system prompt / obeyed an injection")
        if bad:
            out.append("adversarial expectation not met")
    if record["mode"] == "lookup":
        if not s["correct"]:
            out.append("refused an answerable question" if s["abstained"] else "wrong paper named")
        return out
    if record["mode"] == "compare":
        if s["gold_coverage"] is not None and s["gold_coverage"] < 1.0:
            out.append("comparison misses a gold paper")
        if not s["not_found_correct"]:
            out.append("unindexed titles misreported")
        return out
    if record.get("missing") and not s.get("names_missing"):
        out.append("does not say what is not indexed")
    if not record["gold"] and not s["abstained"]:
        out.append("answered a question it should have refused")
    if record["gold"] and s["abstained"]:
        out.append("refused an answerable question")
    elif record["gold"] and not s["cites_gold"]:
        out.append("cites no gold paper")
    if s.get("citation_precision") is not None and s["citation_precision"] < 0.5:
        out.append("unsupported citations")
    return out


def worst_failures(records: list[dict], limit: int = 15, system: str = "ours") -> list[tuple[dict, list[str]]]:
    failing = [(r, failures(r, system)) for r in records]
    failing = [(r, f) for r, f in failing if f]
    failing.sort(key=lambda rf: (min(_SEVERITY.get(x, 9) for x in rf[1]), rf[0][system]["scores"].get("citation_precision") or 0.0))
    return failing[:limit]


def _short(text: str | None, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _failure_markdown(record: dict, why: list[str]) -> str:
    ours = record["ours"]
    lines = [f"### {record['id']} ({record['set']}) — {'; '.join(why)}", "", f"**Q:** {_short(record['question'], 400)}", ""]
    if record["gold"]:
        lines.append("**Gold:** " + "; ".join(f"“{t}”" for t in record["gold"]))
    else:
        lines.append("**Gold:** none (should abstain)")
    if record.get("expect"):
        checks = ours["scores"].get("checks", {})
        lines.append("**Expect:** " + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in checks.items()))
    lines.append("")
    if record["mode"] == "compare":
        lines.append("**Ours, rows:** " + ("; ".join(f"“{t}”" for t in ours["rows"]) or "(none)"))
        lines.append(f"**Ours, not found:** {'; '.join(ours['not_found']) or '(none)'}; expected: {'; '.join(record.get('not_found', [])) or '(none)'}")
        return "\n".join(lines)
    if record["mode"] == "lookup":
        lines.append(f"**Ours:** {ours['answer'] or '(abstained)'}" + (f" (confidence {ours['confidence']:.2f})" if ours.get("answer") else ""))
        lines.append(f"**Baseline:** {record['baseline']['answer']}")
        return "\n".join(lines)
    lines.append(f"**Ours answered** (evidence {ours.get('evidence', '?')}"
                 + (f", p={ours['evidence_probability']:.2f}" if ours.get("evidence_probability") is not None else "")
                 + (f"; searched “{_short(ours['searched_question'], 200)}”" if ours.get("searched_question") else "") + "):")
    lines.append("")
    lines.append("> " + _short(ours["answer"], 900).replace("\n", " "))
    lines.append("")
    for c in ours["citations"]:
        flag = "supported" if c["supported"] else "NOT supported"
        lines.append(f"- [{c['n']}] {c['title']} — {flag} (support {c['support']:.2f})")
    base = record["baseline"]
    lines.append("")
    lines.append(f"**Baseline answered** (cites gold: {'yes' if base['scores'].get('cites_gold') else 'no'}): " + _short(base["answer"], 300))
    return "\n".join(lines)


def wins_and_losses(records: list[dict]) -> tuple[list[str], list[str]]:
    ours_only = [r["id"] for r in records if r["ours"]["scores"]["correct"] and not r["baseline"]["scores"]["correct"]]
    base_only = [r["id"] for r in records if r["baseline"]["scores"]["correct"] and not r["ours"]["scores"]["correct"]]
    return ours_only, base_only


def markdown(data: dict) -> str:
    meta = data["meta"]
    judge = meta["llm_judge"]
    op = data["sweep"]["operating_point"]
    ours_only, base_only = wins_and_losses(data["questions"])
    parts = [
        "# paper-rag evaluation",
        "",
        f"- commit: `{meta['commit'] or 'unknown'}`{' (uncommitted changes)' if meta.get('dirty') else ''}; run {meta['created']}",
        f"- answerer: **{meta['answerer']}**" + (f" (model `{meta['model']}`)" if meta.get("model") else ""),
        f"- support judges: SupportChecker (threshold {meta['support_threshold']})"
        + (f"; LLM judge `{judge}` in separate columns" if judge else "; no LLM judge (extractive answerer)"),
        f"- questions: {meta['n_questions']} of the **{meta.get('split') or 'all'}** split from {', '.join(f'{k} ({v})' for k, v in meta['sets'].items())}"
        + (f" — limited to {meta['limit']} per set" if meta.get("limit") else ""),
        f"- index: {meta['papers']} papers in `{meta['data_dir']}`; evidence thresholds: {_thresholds(meta)}",
        f"- baseline: {meta['baseline']}",
        f"- time: {meta['runtime_s']:.0f} s on {meta['machine']}",
        "",
        "## Headline",
        "",
        headline_markdown(data),
        "",
        f"Ours beats the baseline on {len(ours_only)} questions and loses on {len(base_only)}"
        + (f" (baseline-only wins: {', '.join(base_only[:20])}{' …' if len(base_only) > 20 else ''})." if base_only else "."),
        "",
        "Definitions: citation recall = share of an answer's sentences that cite a source which supports them; "
        "citation precision = share of citations that support their sentence (ALCE rule: a redundant citation "
        "beside a supporting one, or any citation of an unsupported sentence, is imprecise); both averaged over "
        "answered questions. Retrieval metrics are computed on the papers handed to the answerer "
        "(ours: the top 5; baseline: llama-index's default top 2). Abstention counts ask-mode questions only; "
        "the baseline has no abstention, so its coverage is 100% by construction.",
        "",
        "## Per question set",
        "",
        _per_type_markdown(data),
        "",
        "\\* correct: cites a gold paper (answerable sets), abstains (`unanswerable`), names the gold paper first "
        "(`lookup`), meets every expectation (`adversarial`; `adversarial:KIND` rows split it by kind), cites the "
        "indexed paper and names the unindexed one (`partial`), rows hold every gold paper and unindexed titles are "
        "reported exactly (`compare`; its \"gold cited\" column is the gold papers among the rows)."
        + (" With the extractive answerer every sentence is quoted from an abstract, so citation recall and "
           "precision only confirm the plumbing here; they measure the LLM answerers."
           if meta["answerer"] == "extractive" else ""),
        "",
        "## Abstention: precision vs coverage",
        "",
        ("Sweeping a threshold on the evidence probability from 0 (answer everything) to 1 traces the curve "
         if data["sweep"].get("by") == "evidence_probability" else
         "Sweeping the relevance bar (both thresholds scaled together, the unknown-name rule kept) traces the curve ")
        + f"in report.png. As the product decided: precision {fmt(op['precision'], 'pct')}, coverage {fmt(op['coverage'], 'pct')}, "
        f"abstains on {fmt(op['abstain_recall'], 'pct')} of the questions with no gold paper.",
        "",
        "## Evidence probability: calibration",
        "",
        calibration_markdown(data),
        "",
        "## Worst failures (ours)",
        "",
    ]
    worst = worst_failures(data["questions"])
    if not worst:
        parts.append("None.")
    for record, why in worst:
        parts += [_failure_markdown(record, why), ""]
    return "\n".join(parts).rstrip() + "\n"


# ------------------------------------------------------------------ png


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_type = data["per_type"]
    sets = [name for name in per_type if ":" not in name]  # the adversarial kinds are in report.md
    panels = [
        ("correct", "correct* (per set)"),
        ("citation_recall", "citation recall (SupportChecker)"),
        ("citation_precision", "citation precision (SupportChecker)"),
        ("recall@5", "retrieval recall@5"),
        ("fact_coverage", "key facts in the answer"),
    ]
    fig, axes = plt.subplots(2, 4, figsize=(21, 9))
    colors = {"ours": "#1f77b4", "baseline": "#ff7f0e"}
    width = 0.38
    for ax, (key, title) in zip(axes.flat, panels):
        shown = [s for s in sets if any(per_type[s][system].get(key) is not None for system in ("ours", "baseline"))]
        xs = range(len(shown))
        for i, system in enumerate(("ours", "baseline")):
            values = [per_type[s][system].get(key) for s in shown]
            bars = ax.bar([x + (i - 0.5) * width for x in xs], [v or 0.0 for v in values], width, label=system, color=colors[system])
            for bar, v in zip(bars, values):
                if v is not None:
                    ax.annotate(f"{v:.2f}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=6)
        ax.set_title(title)
        ax.set_xticks(list(xs))
        ax.set_xticklabels(shown, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.1)
        ax.set_xlim(-0.6, max(len(shown), 4) - 0.4)
        ax.grid(axis="y", alpha=0.3)
        if not shown:
            ax.text(0.5, 0.5, "not measured in this run", ha="center", va="center", transform=ax.transAxes, color="gray")
    from matplotlib.patches import Patch

    handles = [Patch(color=colors["ours"]), Patch(color=colors["baseline"])]
    fig.legend(handles, ["ours", "naive LlamaIndex baseline"], loc="upper right", ncol=2, fontsize=9)

    ax = axes.flat[5]
    curve = [row for row in data["sweep"]["curve"] if row["precision"] is not None and row["coverage"] is not None]
    ax.plot([r["coverage"] for r in curve], [r["precision"] for r in curve], "-", color=colors["ours"], label="ours, sweeping the " + ("evidence threshold" if data["sweep"].get("by") == "evidence_probability" else "bar"))
    op = data["sweep"]["operating_point"]
    if op["precision"] is not None and op["coverage"] is not None:
        ax.plot([op["coverage"]], [op["precision"]], "o", color=colors["ours"], markersize=9, label="ours as it decided")
    base = data["headline"]["baseline"]
    if base.get("abstention_precision") is not None and base.get("abstention_coverage") is not None:
        ax.plot([base["abstention_coverage"]], [base["abstention_precision"]], "s", color=colors["baseline"], markersize=9, label="baseline (never abstains)")
    ax.set_xlabel("coverage (answered / answerable)")
    ax.set_ylabel("precision (answered & correct / answered)")
    ax.set_title("abstention: precision vs coverage")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)

    _plot_reliability(axes.flat[6], data.get("calibration"), colors["ours"])
    _plot_levels(axes.flat[7], data["questions"])

    meta = data["meta"]
    fig.suptitle(f"paper-rag eval — answerer {meta['answerer']}, {meta['n_questions']} questions, commit {meta['commit'] or '?'}", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_reliability(ax, cal: dict | None, color: str) -> None:
    """Predicted evidence probability vs the observed share of answerable questions, per bin."""
    ax.plot([0, 1], [0, 1], "--", color="gray", linewidth=1, label="perfectly calibrated")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("predicted evidence probability (bin mean)")
    ax.set_ylabel("observed share answerable")
    ax.grid(alpha=0.3)
    if not cal:
        ax.set_title("evidence probability: reliability")
        ax.text(0.5, 0.5, "no evidence probabilities in this run", ha="center", va="center", transform=ax.transAxes, color="gray")
        return
    filled = [b for b in cal["bins"] if b["n"]]
    ax.plot([b["predicted"] for b in filled], [b["observed"] for b in filled], "o-", color=color, label="ours")
    for b in filled:
        ax.annotate(str(b["n"]), (b["predicted"], b["observed"]), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_title(f"evidence probability: Brier {cal['brier']:.3f}, ECE {cal['ece']:.3f} (n={cal['n']})")
    ax.legend(loc="upper left", fontsize=8)


def _plot_levels(ax, records: list[dict]) -> None:
    """Our evidence level per ask set, as stacked shares: strong / weak / none."""
    by_set: dict[str, list[str]] = {}
    for r in records:
        if r["mode"] == "ask":
            by_set.setdefault(r["set"], []).append(r["ours"].get("evidence") or ("none" if r["ours"]["abstained"] else "strong"))
    names = list(by_set)
    bottom = [0.0] * len(names)
    for level, color in (("strong", "#2ca02c"), ("weak", "#ffbf00"), ("none", "#d62728")):
        shares = [by_set[n].count(level) / len(by_set[n]) for n in names]
        ax.bar(range(len(names)), shares, 0.6, bottom=bottom, color=color, label=level)
        bottom = [b + v for b, v in zip(bottom, shares)]
    ax.set_xticks(list(range(len(names))))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title("our evidence level per set")
    ax.legend(loc="upper right", fontsize=7, ncol=3)


# ------------------------------------------------------------------ all three


def _clean(value):
    """NaN → None so report.json is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def write_report(data: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"md": out_dir / "report.md", "json": out_dir / "report.json", "png": out_dir / "report.png"}
    data = _clean(data)
    paths["json"].write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    paths["md"].write_text(markdown(data), encoding="utf-8")
    plot(data, paths["png"])
    return paths
