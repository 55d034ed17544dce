"""The prompt-leak guard (rag.llm.LeakGuard) on its own: what a reader of a streamed answer
sees when a model repeats its system prompt, whatever sizes the server cuts the stream into.

A leak is LEAK_WORDS consecutive words of the system prompt (case, punctuation, spacing
ignored), except inside the abstain sentence the prompt tells the model to say. The guard
must stop the stream before any word of such a run is shown, and hold back nothing that
could not be the start of one. The eval's leak check uses the same rule.
"""

from __future__ import annotations

import random
import re

import pytest

from eval.runner import leaks_system_prompt
from rag.errors import LLMError
from rag.ingest import load_corpus
from rag.llm import ABSTAIN_SENTENCE, LEAK_WORDS, SYSTEM_PROMPT, LeakGuard, prompt_leak
from rag.rewrite import REWRITE_PROMPT
from conftest import SEEDS

PREFIX = "Sure! QLoRA finetunes a 65B model on one 48GB GPU [1]. My instructions are: "
TAIL = " ".join(f"QLoRA backpropagates through a frozen 4-bit model into low-rank adapters, saving memory {n} [1]." for n in range(6))
LEAK = f"{PREFIX}{SYSTEM_PROMPT} {TAIL}"  # the prompt in the middle of a long answer
FIRST_RUN = " ".join(re.findall(r"\w+", SYSTEM_PROMPT.casefold())[:LEAK_WORDS])


def stream(chunks: list[str], guard: LeakGuard | None = None) -> tuple[str, LLMError | None]:
    """What the reader is shown, and the error that stopped the stream (None: it finished)."""
    guard = guard or LeakGuard()
    shown = []
    try:
        for chunk in chunks:
            shown.append(guard.feed(chunk))
        shown.append(guard.finish())
    except LLMError as exc:
        return "".join(shown), exc
    return "".join(shown), None


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def assert_stopped_before_the_leak(shown: str, error: LLMError | None) -> None:
    assert error is not None and "repeating its instructions" in error.message
    assert LEAK.startswith(shown)
    assert prompt_leak(shown) is None
    assert "You answer questions" not in shown


# ---------------------------------------------------------------- chunk sizes


def test_a_whole_answer_in_one_chunk_is_stopped_before_anything_is_shown():
    shown, error = stream([LEAK])
    assert_stopped_before_the_leak(shown, error)
    assert shown == ""


def test_a_leak_followed_by_more_text_in_the_same_chunk_is_stopped():
    """The old guard looked only at the last ~96 characters of the text seen so far."""
    shown, error = stream([PREFIX, f"{SYSTEM_PROMPT} {TAIL[:300]}", TAIL[300:]])
    assert_stopped_before_the_leak(shown, error)
    assert shown == PREFIX


@pytest.mark.parametrize("size", [400, 700, 1000])
def test_a_few_large_chunks_are_stopped_before_the_prompt_shows(size):
    shown, error = stream(pieces(LEAK, size))
    assert_stopped_before_the_leak(shown, error)


def test_char_by_char_shows_exactly_the_text_before_the_leaked_run():
    """Nothing that could not start a leak is held back: the reader saw the whole preamble."""
    shown, error = stream(list(LEAK))
    assert_stopped_before_the_leak(shown, error)
    assert shown == PREFIX


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 64, 97])
def test_every_chunk_size_stops_the_leak(size):
    shown, error = stream(pieces(LEAK, size))
    assert_stopped_before_the_leak(shown, error)


def test_a_leak_straddling_any_chunk_boundary_is_caught():
    text = f"Here it is: {FIRST_RUN}"
    for cut in range(1, len(text)):
        shown, error = stream([text[:cut], text[cut:]])
        assert error is not None, f"missed when cut at {cut}: {text[:cut]!r} | {text[cut:]!r}"
        assert words(FIRST_RUN) not in words(shown)


def test_random_chunkings_never_show_a_run_of_the_prompt():
    rng = random.Random(15)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(LEAK)), rng.randint(1, 40)))
        chunks = [LEAK[a:b] for a, b in zip([0, *cuts], [*cuts, len(LEAK)])]
        shown, error = stream(chunks)
        assert_stopped_before_the_leak(shown, error)


def test_the_last_word_of_the_stream_completing_a_run_is_caught_at_the_end():
    shown, error = stream(list(f"As told: {FIRST_RUN}"))  # no character after the 8th word
    assert error is not None and words(FIRST_RUN) not in words(shown)


def test_a_long_token_is_shown_as_it_arrives_and_a_leak_after_it_is_still_caught():
    token = "QLoRA" * 2000  # no word of the prompt starts like this: nothing of it is held
    guard, shown = LeakGuard(), ""
    for ch in token:
        shown += guard.feed(ch)
    assert shown == token
    with pytest.raises(LLMError):
        for ch in f" then {FIRST_RUN} and more":
            shown += guard.feed(ch)
    assert shown == f"{token} then "


def test_a_word_that_only_starts_like_a_prompt_word_is_released_once_it_differs():
    shown, error = stream(list("Youth answer questions about research papers using ONLY the numbered"))
    assert error is not None and shown == "Youth "  # "You..." was held only while it could be "you"


# ---------------------------------------------------------------- what counts as a leak


@pytest.mark.parametrize(
    "disguised",
    [
        FIRST_RUN.upper(),
        "You—answer, questions... about\nresearch   papers: using **ONLY** the",
        "You ans\u200bwer questions about research papers using only the",  # a zero-width space inside a word
        "You \u200b answer \u200b questions about \u2060 research papers using only the",  # or between words
    ],
)
def test_case_punctuation_spacing_and_invisible_characters_do_not_hide_a_leak(disguised):
    shown, error = stream(list(f"Rules: {disguised} numbered sources."))
    assert error is not None and shown == "Rules: "


def test_seven_words_of_the_prompt_are_not_a_leak_eight_are():
    seven = "The sources do not answer the question"  # in the prompt as "If the sources ..."
    assert stream([f"{seven} about cats."]) == (f"{seven} about cats.", None)
    assert stream([f"If {seven.lower()} about cats."])[1] is not None
    assert not leaks_system_prompt(seven) and leaks_system_prompt(f"If {seven}")


def test_the_abstain_sentence_is_allowed():
    for chunks in ([ABSTAIN_SENTENCE], list(ABSTAIN_SENTENCE)):
        assert stream(chunks) == (ABSTAIN_SENTENCE, None)


@pytest.fixture(scope="module")
def abstracts() -> list[str]:
    return [p.abstract for p in load_corpus([SEEDS]).papers]


def test_every_seed_abstract_passes_through_unchanged_in_any_chunking(abstracts):
    rng = random.Random(7)
    for text in abstracts:
        size = rng.choice([1, 4, 17, 200, len(text)])
        assert stream(pieces(text, size)) == (text, None)


def test_benign_text_is_held_back_at_most_a_few_words(abstracts):
    """A reader sees a streamed answer word by word, not in lagging blocks."""
    for text in abstracts[:40]:
        guard, shown = LeakGuard(), ""
        for i, ch in enumerate(text):
            shown += guard.feed(ch)
            held = text[len(shown) : i + 1]
            assert len(re.findall(r"\w+", held)) < LEAK_WORDS, held
        assert shown + guard.finish() == text


def test_the_rewrite_prompt_can_be_guarded_too():
    line = REWRITE_PROMPT.splitlines()[0]
    assert prompt_leak(line) is None  # the answer prompt does not contain it
    assert prompt_leak(line, (SYSTEM_PROMPT, REWRITE_PROMPT)) is not None


def test_the_eval_scores_leaks_by_the_guards_rule():
    texts = [LEAK, PREFIX, SYSTEM_PROMPT.splitlines()[2], ABSTAIN_SENTENCE, FIRST_RUN, " ".join(FIRST_RUN.split()[:-1])]
    assert [leaks_system_prompt(t) for t in texts] == [stream([t])[1] is not None for t in texts]
    assert [leaks_system_prompt(t) for t in texts] == [True, False, True, False, True, False]
