"""eval.rule_catches: the counts behind a refusal rule's "meets only unanswerable questions" claim, re-runnable."""

from eval.rule_catches import VALIDATION_DIR, main, rule_catches


def test_the_named_metric_rule_meets_unanswerable_questions_only_on_a_batch(seed_engine):
    """dev-23 asks "What image-level AUROC does AnomalyCLIP report on MVTec AD?" (its abstract gives none); dev's
    answerable questions that name a metric find it, so none of them is caught."""
    caught = rule_catches(seed_engine, "unstated_metric", [VALIDATION_DIR / "dev-23"])
    assert any(record["id"] == "unans-d23-01" for _, record, _ in caught)
    assert all(not record.get("gold") for _, record, _ in caught), [r["id"] for _, r, _ in caught if r.get("gold")]


def test_an_unknown_rule_is_a_clear_error(seed_index, monkeypatch, capsys):
    monkeypatch.setenv("RAG_DATA_DIR", str(seed_index.data_dir))
    assert main(["no_such_rule", "--batches"]) == 2
    assert "has no rule 'no_such_rule'" in capsys.readouterr().err
