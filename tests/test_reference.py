"""A pasted reference entry or BibTeX record: the question is asked about the paper it cites."""

import pytest

from rag.reference import find_reference

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"


@pytest.mark.parametrize("text, title, question", [
    # BibTeX, LaTeX braces in the title, the question after it
    ("@inproceedings{dettmers2023qlora,\n  title = {{QLoRA}: Efficient Finetuning of Quantized {LLMs}},\n"
     "  author = {Dettmers, Tim and Pagnoni, Artidoro},\n  booktitle = {NeurIPS},\n  year = {2023}\n}\n\nWhat data type does it introduce?",
     "QLoRA: Efficient Finetuning of Quantized LLMs", "What data type does it introduce?"),
    # APA
    ("Dettmers, T., Pagnoni, A., Holtzman, A., & Zettlemoyer, L. (2023). QLoRA: Efficient finetuning of quantized LLMs. "
     "Advances in Neural Information Processing Systems, 36.\n\nhow much memory does it need for a 65B model?",
     "QLoRA: Efficient finetuning of quantized LLMs", "how much memory does it need for a 65B model?"),
    # ACL / natbib
    ("Tim Dettmers, Artidoro Pagnoni, Ari Holtzman, and Luke Zettlemoyer. 2023. QLoRA: Efficient Finetuning of Quantized LLMs. "
     "In Advances in Neural Information Processing Systems.\nWhat does this one propose?",
     "QLoRA: Efficient Finetuning of Quantized LLMs", "What does this one propose?"),
    # IEEE, numbered, the question on the same line
    ('[12] T. Dettmers, A. Pagnoni, A. Holtzman and L. Zettlemoyer, "QLoRA: Efficient finetuning of quantized LLMs," in Proc. '
     'NeurIPS, 2023, pp. 1-12. What is double quantization in [12]?',
     "QLoRA: Efficient finetuning of quantized LLMs", "What is double quantization in [12]?"),
    # a title that starts like a venue word ("In-Context …") is still the title
    ("Dong, Q., & Li, L. (2023). In-Context Learning: A Survey. arXiv preprint. What is it?",
     "In-Context Learning: A Survey", "What is it?"),
    # MLA-style quotes with "et al.", nothing but the entry
    ('Dettmers, Tim, et al. "QLoRA: Efficient Finetuning of Quantized LLMs." arXiv preprint arXiv:2305.14314 (2023).',
     "QLoRA: Efficient Finetuning of Quantized LLMs", ""),
])
def test_the_cited_title_and_the_question_are_found(text, title, question):
    found = find_reference(text)
    assert found is not None and found.title == title and found.question == question


@pytest.mark.parametrize("text", [
    "What does “Learning to Prompt for Vision-Language Models” propose?",  # a title in quotes: no entry
    "What did Ling et al. (2024) show about zeroth-order optimization for federated fine-tuning?",  # an author, not an entry
    "How does QLoRA (2023) save memory? It uses 4-bit NormalFloat.",
    'The abstract says "we release all of our models and code". Where is the code?',
    "Li, B. (2024). . In Proc. What is this?",  # an entry without its title: no title to ask about
])
def test_questions_that_are_not_reference_entries(text):
    assert find_reference(text) is None


def test_a_pasted_reference_is_answered_about_its_paper_not_its_venue(assistant):
    """Searched whole, the entry's venue ("IEEE", "CVF") read as names no abstract holds and the
    question was refused with the cited paper ranked first."""
    title = "Driving Everywhere with Large Language Model Policy Adaptation"
    entry = (f"Li, B., Wang, Y., Mao, J., & Pavone, M. (2024). {title}. In Proceedings of the IEEE/CVF Conference on "
             "Computer Vision and Pattern Recognition (pp. 14948-14957).\n\nWhat does this paper do?")
    answer = assistant.ask(entry)
    assert answer.evidence == "strong" and [c.title for c in answer.citations] == [title]
    assert "LLaDA" in answer.text and "IEEE" not in answer.searched_question
    assert any("Read the pasted reference" in note for note in answer.notes)


def test_a_bare_entry_gets_the_papers_summary(assistant):
    answer = assistant.ask(f"@article{{d, title={{{QLORA}}}, author={{Dettmers, Tim}}, year={{2023}}}}")
    assert not answer.abstained and [c.title for c in answer.citations] == [QLORA]
    assert answer.text.startswith("We present QLoRA") and answer.searched_question == f"Summarise “{QLORA}”."


def test_a_reference_to_a_paper_not_indexed_is_refused_by_its_title(assistant):
    answer = assistant.ask("@inproceedings{kingma2015adam,\n  title = {Adam: A Method for Stochastic Optimization},\n"
                           "  author = {Kingma, Diederik P. and Ba, Jimmy},\n  year = {2015}\n}\n\nWhat default betas does it use?")
    assert answer.abstained and answer.evidence == "none"
    assert "“Adam: A Method for Stochastic Optimization” is not an indexed paper" in answer.text
