"""eval/session_probes.py: the counts a session reads off `rag eval` reports of batches it may only count."""

from eval.session_probes import multi_ranks, refusal_reasons, strong_wrong, top_cited


def _q(kind, evidence, answer="", gold=("A",), cited=(), mode="ask", hits=()):
    return {"type": kind, "mode": mode, "gold": list(gold),
            "ours": {"evidence": evidence, "answer": answer, "citations": [{"title": t} for t in cited],
                     "hits": [{"title": t} for t in hits], "abstained": evidence == "none"}}


def test_refused_answerable_questions_are_counted_by_the_kind_of_reason_they_give():
    questions = [
        _q("paraphrase", "none", "The indexed abstracts don't answer this. (No indexed abstract clearly answers this.) Closest …"),
        _q("plain", "none", "The indexed abstracts don't answer this. (The abstract of “X” states no number of the kind asked.)"),
        _q("plain", "none", "The indexed abstracts don't answer this. (No indexed abstract mentions AI-drafted.)"),
        _q("unanswerable", "none", "The indexed abstracts don't answer this. (No indexed abstract mentions Foo.)", gold=()),
        _q("plain", "strong", "An answer [1]."),
    ]
    assert refusal_reasons(questions) == {"paraphrase: the model: no abstract close enough": 1,
                                          "plain: a name or term no abstract holds": 1, "plain: the number rule": 1}


def test_strong_answers_are_told_apart_by_whether_they_cite_the_gold_paper():
    questions = [_q("paraphrase", "strong", cited=("A",)), _q("paraphrase", "strong", cited=("B",)),
                 _q("paraphrase", "weak", cited=("B",)), _q("multi", "strong", cited=("B",)),
                 _q("plain", "strong", cited=("A",), mode="lookup")]
    assert strong_wrong(questions) == {"paraphrase": {"strong, gold cited": 1, "strong, other paper": 1, "weak, other paper": 1}}


def test_the_papers_a_multi_paper_question_needs_are_counted_as_cited_retrieved_or_not_found():
    questions = [_q("multi", "strong", gold=("A", "B", "C"), cited=("A", "X"), hits=("A", "X", "Y", "B")),
                 _q("plain", "strong", gold=("D",), hits=("E",))]
    assert multi_ranks(questions) == {"cited": 1, "not retrieved": 1, "retrieved, not cited": 1,
                                      "retrieved, not cited, by rank": {4: 1}}


def test_single_paper_answers_are_counted_by_whether_they_quote_the_first_paper_retrieved():
    questions = [_q("paraphrase", "strong", cited=("B",), hits=("A", "B")),  # the gold paper first, another quoted
                 _q("paraphrase", "strong", cited=("A",), hits=("B", "A")),  # another first, the gold one quoted
                 _q("plain", "strong", cited=("A",), hits=("A",)),
                 _q("plain", "none", hits=("A",))]
    assert top_cited(questions) == {
        "paraphrase": {"top paper not cited, gold cited": 1, "top paper not cited, gold is the top paper": 1},
        "plain": {"top paper cited, gold is the top paper": 1}}
