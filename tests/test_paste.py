"""Finding the question inside a long paste (rag.paste): training logs, stack traces, meeting
notes, emails with sign-offs; and the 20,000-character limit with its message.

The pastes are written like the ones users send: the question is not always last, the lines
after it are often log noise or a sign-off, and earlier paragraphs ask other questions.
"""

from __future__ import annotations

import pytest

from rag.errors import QueryError
from rag.paste import QUESTION_CHARS, find_question
from rag.retrieve import MAX_QUERY_CHARS, check_query

QLORA_QUESTION = (
    "Is there a method that backpropagates through a frozen 4-bit quantized base model into "
    "low-rank adapters so a 65B model can be finetuned on a single 48GB GPU?"
)


def training_log(steps: int = 40, question: str = QLORA_QUESTION, tail: list[str] | None = None, comment: bool = True) -> str:
    """A fine-tuning run's console output (about 125 characters a step) ending with a question."""
    lines = [
        "$ torchrun --nproc_per_node 1 train.py --model llama-65b --lora-r 64 --bf16 --batch-size 1",
        "2026-11-30 14:01:55,004 INFO  train.py:88 - loading checkpoint shards: 100%|##########| 14/14 [01:12<00:00,  5.2s/it]",
        "2026-11-30 14:02:01,117 WARNING  peft/tuners/lora.py:311 - fan_in_fan_out is set to False but the target module is Conv1D",
    ]
    for step in range(1, steps + 1):
        loss = 2.9 - step * 0.013
        lines.append(
            f"[rank0]: 2026-11-30 14:{2 + step // 30:02d}:{step % 60:02d} | epoch 1 step {step * 50}/20000 | "
            f"loss {loss:.4f} | lr {1e-4 * (1 - step / 400):.2e} | grad_norm {1.9 - step / 100:.2f} | mem 46.8/47.5 GiB"
        )
    lines += [
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 47.54 GiB of which 312.00 MiB is free.",
    ]
    if comment:
        lines += ["", "Sorry for dumping the whole log. The run always dies right after the first eval, even with LoRA and batch size 1."]
    lines += [question]
    return "\n".join(lines + (tail or []))


AGENDA = [
    "Compute budget: we are over budget on the shared cluster by roughly a fifth, mostly from the sweep that was "
    "left running over the long weekend. Everyone agreed to tag jobs with the project code and to cancel idle "
    "interactive sessions after two hours. Open question from Priya: should the sweep results count toward the paper?",
    "Data pipeline: the new intern has the deduplication step working on the first shard and will run it on the "
    "rest this week. The tokenizer change broke two evaluation scripts; Marco will fix them before Thursday and add "
    "a regression test so that this does not happen again.",
    "Reading group: last week's session on retrieval-augmented generation ran long and we did not get to the "
    "discussion of evaluation. Several people asked whether we could keep the same topic for one more week, which "
    "is fine, and whether the slides could be shared before the session rather than after it.",
    "Hiring: two candidates are coming in for onsite interviews next month. Please sign up for a slot on the "
    "shared calendar; we need at least three interviewers per candidate and one of them should be from the "
    "systems group. Feedback forms are due within a day of the interview.",
    "Other business: the coffee machine on the third floor is broken again, the printer needs a new toner "
    "cartridge, and somebody keeps leaving the window of the server room open at night, which sets off the "
    "temperature alarm. Action items are tracked in the usual spreadsheet; please update your rows before Friday.",
]


def meeting_notes(chars: int = 12_000) -> str:
    """Weeks of meeting notes (paragraphs with their own questions), then the real question and a sign-off."""
    paragraphs: list[str] = []
    week = 1
    while sum(len(p) + 2 for p in paragraphs) < chars - 600:
        paragraphs.append(f"Group meeting, week {week}. Attendance: most of the lab and two visitors.")
        paragraphs.extend(AGENDA)
        week += 1
    paragraphs.append(
        "Sorry for the long paste, I wanted you to have the context. For the reading group I still need one "
        "thing from you: which paper proposed finetuning a 65B model on a single GPU by backpropagating through "
        "a frozen 4-bit quantized model into low-rank adapters?"
    )
    paragraphs.append("Thanks!")
    paragraphs.append("Best,\nAna")
    return "\n\n".join(paragraphs)


def stack_trace() -> str:
    """A Python traceback, the question typed under it, then the log lines that followed it."""
    frames = []
    for depth in range(24):
        frames.append(f'  File "/opt/env/lib/python3.11/site-packages/trainer/core_{depth}.py", line {100 + depth * 7}, in _run_stage')
        frames.append(f"    return self._run_stage_{depth + 1}(model, batch, optimizer=optimizer, scaler=scaler)")
    return "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "train.py", line 212, in <module>',
            "    main()",
            *frames,
            "RuntimeError: CUDA error: device-side assert triggered",
            "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
            "",
            "Why do mixture-of-experts layers with a learned router run into load imbalance, and how do survey papers classify the fixes?",
            "wandb: Waiting for W&B process to finish... (failed 1). Press Control-C to abort syncing.",
            "wandb: 🚀 View run fluent-sweep-12 at: https://wandb.example/lab/moe/runs/3k2j1x9",
            "wandb: Find logs at: ./wandb/run-20261130_140155-3k2j1x9/logs",
        ]
    )


# ---------------------------------------------------------------- the question is found


def test_a_training_log_ending_with_a_question_searches_the_question():
    paste = training_log(steps=40)
    assert 4_800 <= len(paste) <= 6_000
    found = find_question(paste)
    assert found.differs
    assert found.question == QLORA_QUESTION


def test_meeting_notes_with_the_question_in_the_last_paragraph_then_a_sign_off():
    paste = meeting_notes()
    assert 11_000 <= len(paste) <= 13_000 and paste.count("?") >= 5  # earlier paragraphs ask other things
    found = find_question(paste)
    assert found.question == (  # without "For the reading group I still need one thing from you:"
        "which paper proposed finetuning a 65B model on a "
        "single GPU by backpropagating through a frozen 4-bit quantized model into low-rank adapters?"
    )
    assert "Thanks" not in found.question and "Ana" not in found.question


def test_a_stack_trace_then_a_question_then_log_noise():
    paste = stack_trace()
    assert len(paste) > QUESTION_CHARS
    found = find_question(paste)
    assert found.question == (
        "Why do mixture-of-experts layers with a learned router run into load imbalance, "
        "and how do survey papers classify the fixes?"
    )


def test_the_question_typed_on_the_same_line_as_the_log_output():
    paste = training_log(steps=40, question="")
    paste = paste.rstrip() + " grad_norm 1.80 tokens_per_second 9876 " + QLORA_QUESTION
    assert find_question(paste).question == QLORA_QUESTION


def test_a_question_that_names_nothing_brings_the_sentences_before_it():
    abstract = (
        "We present an efficient finetuning approach that reduces memory usage enough to finetune a 65B parameter "
        "model on a single 48GB GPU. It backpropagates gradients through a frozen, 4-bit quantized pretrained "
        "language model into Low Rank Adapters."
    )
    paste = training_log(steps=40, question=f"{abstract} Which paper is this?", tail=["Any ideas?", "", "Thanks!"])
    found = find_question(paste)
    assert found.question.endswith("Which paper is this?")
    assert "4-bit quantized pretrained language model into Low Rank Adapters" in found.question
    assert "Any ideas" not in found.question and "Thanks" not in found.question


def test_a_paste_without_a_question_searches_its_last_paragraph_of_prose_not_the_log():
    request = (
        "Looking for related work on mixture of experts for our draft: ideally the survey with a taxonomy of "
        "gating functions and a list of open-source implementations."
    )
    notes = "\n\n".join(AGENDA * 2).replace("?", ".")
    paste = f"{notes}\n\n{request}\n\n{training_log(steps=20, question='', comment=False)}"
    assert "?" not in paste and len(paste) > QUESTION_CHARS
    found = find_question(paste)
    assert found == (request, True)


def chat_export() -> str:
    """A team chat copied with its timestamps and names: the question is one message among many."""
    lines = []
    for i in range(60):
        who = ("dana", "kofi", "marco")[i % 3]
        lines.append(f"[14:{i:02d}] {who}: " + ("restarted the sweep on the spot nodes, eval numbers by tonight",
                                                "the reserved rate is $1.85 per A100-hour, on-demand $2.10",
                                                "ok, I'll put the table in the slide deck")[i % 3])
    lines += [
        "[15:44] kofi: finance wants one line on what fine-tuning a 65B model would cost us",
        "[15:45] dana: I'll ask the assistant first",
        "[15:46] dana: Which paper finetunes a 65B model on a single 48GB GPU by backpropagating through a frozen 4-bit model into low-rank adapters?",
        "[15:47] kofi: thanks!",
        "[15:47] marco: 👍",
    ]
    return "\n".join(lines)


def test_a_chat_export_searches_the_last_message_that_asks_without_its_time_and_name():
    paste = chat_export()
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == (
        "Which paper finetunes a 65B model on a single 48GB GPU by backpropagating through a frozen 4-bit model into low-rank adapters?"
    )


def test_a_lead_in_before_the_question_is_dropped_and_questions_for_colleagues_are_skipped():
    notes = "\n\n".join(AGENDA * 3).replace("?", ".")
    paste = (
        f"{notes}\n\nHere is exactly what I typed into the assistant: Which paper surveys mixture of experts "
        "models with a taxonomy of gating functions?\n\n"
        "Marco, can you rerun the two broken evaluation scripts before Thursday?\n"
        "Priya, the sweep results are already in the spreadsheet, right?\n\nThanks!"
    )
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == "Which paper surveys mixture of experts models with a taxonomy of gating functions?"


@pytest.mark.parametrize(
    "question",
    [
        "How does QLoRA fine-tune a 65B model on a single GPU?",
        "Which paper introduced the NF4 data type? I saw it cited in a talk.",
        "compare  mixture of experts\n surveys",  # whitespace folds as before
        "I am fine-tuning LLaMA-65B with LoRA (r=64, lr=2e-4, bf16) and it still does not fit in 48GB. "
        "What can I do? Is there a paper about quantizing the frozen base model?",
    ],
)
def test_a_normal_question_is_searched_exactly_as_today(question):
    found = find_question(question)
    assert not found.differs
    assert found.question == check_query(question) == " ".join(question.split())


def test_a_long_typed_question_passes_unchanged_and_a_longer_text_is_a_paste():
    question = ("We fine-tune a 65B model with adapters on one GPU and measure memory at every step. " * 23
                + "Which paper does this?")
    assert 1_900 < len(question) <= QUESTION_CHARS == 2_000
    assert find_question(question) == (question, False)
    longer = question + " The run dies right after the first evaluation." * 3
    found = find_question(longer)
    assert found.differs and found.question.endswith("at every step. Which paper does this?")
    assert len(found.question.split()) <= 100  # about what the embedder reads


# ---------------------------------------------------------------- limits


def test_a_paste_of_20000_characters_is_accepted_and_one_more_is_an_error_with_a_hint():
    notes = meeting_notes(chars=19_000)
    at_limit = "x" * (MAX_QUERY_CHARS - len(check_query(notes)) - 1) + "\n" + notes
    assert MAX_QUERY_CHARS == 20_000 and len(check_query(at_limit)) == 20_000
    assert find_question(at_limit).question.endswith("into low-rank adapters?")
    with pytest.raises(QueryError) as error:
        check_query("x" + at_limit)
    assert "20,001 characters" in error.value.message and "20,000" in error.value.message
    assert error.value.hint and "question" in error.value.hint


def test_the_found_question_is_itself_question_sized():
    """Searching the found question again finds the same text: ask() relies on it."""
    for paste in (training_log(steps=150), meeting_notes(19_000), stack_trace(), "word " * 3_900):
        found = find_question(paste)
        assert len(found.question) <= 1_000
        assert find_question(found.question) == (found.question, False)


def test_a_chat_question_is_not_lost_to_later_statements_that_open_like_questions():
    """After the question, the chat goes on: "will do once …", "would be great to cite …" open
    with an auxiliary but ask nothing (no "?"), so the question stays the one found."""
    chat = [f"[09:{m:02d}] Ana Sousa: run {m} finished, loss curve attached, nothing unusual in the logs so far" for m in range(40)]
    chat += [
        f"[10:52] Rohan Iyer: Mei you read everything. {QLORA_QUESTION}",
        "[10:53] Rohan Iyer: would be great to cite in the pilot report so it does not look like we are making excuses",
        "[10:58] Mei Chen: there are a bunch of candidates, I have to check which one. will look after lunch",
        "[14:05] Ana Sousa: is going down tonight for a driver update, queue your runs before that",
        "[09:20] Rohan Iyer: will do once Mei finds the paper",
    ]
    found = find_question("\n".join(chat))
    assert found.differs and found.question == QLORA_QUESTION


def test_a_question_on_the_last_comment_line_of_a_todo_list_is_its_own_sentence():
    """LaTeX comments and list items are lines of their own: the question on the last one is not
    glued to the items before it (which would make it read as machine text)."""
    notes = ["% " + "Section 4 needs a tighter story about why the adapters help; " * 6 for _ in range(12)]
    notes += [
        "% [ms, Tue 11:30] Other open items for this file:",
        "%   - bib entries for lindner2023tracr and friedman2023learning are missing",
        "%   - drop zaremba2014learning if we need space (page limit 9 + refs)",
        "% [kb, Tue 11:41] Posting the key TODO to the group channel, maybe someone knows:",
        f"% TODO(kb): {QLORA_QUESTION}",
    ]
    found = find_question("\n".join(notes))
    assert found.differs and found.question == QLORA_QUESTION


def test_numbers_inside_a_persons_question_do_not_cut_it():
    """Three machine-like tokens inside a typed sentence ("9.11 > 9.9)") are not log output: the
    question found was only "across different number representations?", and searched as that."""
    question = ("Is there a benchmark that tests LLMs' basic numerical understanding (e.g. deciding whether "
                "9.11 > 9.9) across different number representations?")
    paste = training_log(steps=40, question=question)
    assert find_question(paste).question == question


PAPER_QUESTION = (
    "Is there a paper showing that fine-tuning on examples where the popular condition of a query suppresses the "
    "rarer one makes the model merge two true facts into a false one?"
)


def _review(sentences: int = 60) -> list[str]:
    """A reviewer's report: paragraphs of prose that end in questions to the authors."""
    return [
        f"Point {i}: the ablation in Table {i % 7 + 2} varies the frequency ratio of the two conditions, but the "
        f"text never says how the held-out queries were built. Can the confidence of the model predict the dropped "
        f"condition before the answer is produced? Would a calibration plot per ratio bucket show it?"
        for i in range(1, sentences // 3 + 1)
    ]


def test_a_question_asked_first_is_found_before_the_pasted_material_asks_its_own():
    """"Before I send this review back: which paper …? <the review>" searched the review's last question
    ("Would a calibration plot … show it?"): the question that asks for the literature is the one sent."""
    paste = "\n\n".join([f"Before I send this review back: {PAPER_QUESTION}", *_review()])
    assert len(paste) > QUESTION_CHARS and paste.count("?") > 20
    assert find_question(paste).question == PAPER_QUESTION


def test_questions_quoted_from_an_earlier_message_are_not_the_one_asked():
    """An e-mail reply: the question, a sign-off, then the quoted thread with a question of its own."""
    reply = [f"Before we run another sweep: {PAPER_QUESTION}", "", "Best,", "Priya", ""]
    quoted = ["> From: Elena", "> Subject: Re: sweep", ">",
              *[f"> run {i}: lr 3e-4, batch 1M tokens, final loss {2.9 - i / 100:.3f}; looks flat around the optimum." for i in range(60)],
              "> Does anyone know whether the optimal learning rate depends on total or active parameters?"]
    paste = "\n".join(reply + quoted)
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question.endswith(PAPER_QUESTION)


def test_a_forwarded_thread_that_is_all_quotes_still_has_its_question_found():
    lines = [f"> step {i}: loss {2.9 - i / 100:.3f}, the run keeps diverging after the warmup ends." for i in range(60)]
    paste = "\n".join([*lines, f"> {PAPER_QUESTION}"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == PAPER_QUESTION


def test_without_a_question_for_the_literature_the_last_question_is_still_the_one():
    """Meeting notes whose only questions are the pasted material's and the user's own, none asking for a
    paper: the last one is searched, as before."""
    notes = [f"Item {i}: Tomasz re-ran the adapter baseline with rank {8 * i}; does the loss curve look noisier now?" for i in range(40)]
    paste = "\n\n".join([*notes, "How does QLoRA fit a 65B model on a single 48GB GPU?", "Thanks!"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == "How does QLoRA fit a 65B model on a single 48GB GPU?"


def test_a_question_asking_whether_anyone_published_it_is_the_one_sent():
    """A notebook export: "Has anyone already published a convergence analysis …?" in a markdown cell,
    then cells whose comments ask their own questions ("Is 1 point of accuracy worth 2.7x less memory?")."""
    asked = ("Has anyone already published a convergence analysis for zeroth-order fine-tuning of LLMs across "
             "federated clients, and did it beat first-order SGD on memory?")
    cells = [f"In [{i}]:\nloss = run(client={i % 4}, steps=200)  # step {i}: loss {2.9 - i / 100:.3f}, mem 14.2 GiB" for i in range(60)]
    paste = "\n\n".join([*cells[:30], asked, *cells[30:], "# Is 1 point of accuracy worth 2.7x less memory?"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked


def test_a_question_typed_as_a_shell_comment_in_a_terminal_session_is_found():
    """A terminal session where the user noted the question as `$ # …` between commands: the prompt
    made the line look like program output, so the paste's last prose was searched instead."""
    asked = ("How well does GPT-4V do at hate speech detection and fake news identification on social "
             "media posts, and where does it struggle?")
    commands = [f"$ cargo test db::tests::case_{i}\ntest db::tests::case_{i} ... ok\ntest result: ok. 1 passed; 0 failed; finished in 0.3{i % 10}s" for i in range(40)]
    paste = "\n".join([*commands[:20], "$ # note to self, for the reading group on Friday:", f"$ # {asked}",
                       "$ # the answer is in one of the case-study papers", *commands[20:],
                       "Creating pull request for feat/batch-upsert into main"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked


def test_a_question_whether_anyone_has_shown_something_beats_later_chatter():
    """A pull-request thread: "Has anyone shown that …?" in one comment, then reviewers' own questions
    ("-- intentional?"). Asking whether research exists is the question sent, even without "paper"."""
    asked = ("Has anyone shown that letting two copies of a strong model debate helps a weak model produce "
             "better supervision labels, and on which benchmark?")
    review = [f"**@reviewer{i}** commented on `trainer.py` line {40 + i}: the shard merge reads stale files "
              f"from an earlier run; please clear `preds/` on rank 0 first." for i in range(20)]
    paste = "\n\n".join([*review[:10], f"Unrelated to the diff: {asked} I vaguely remember one.", *review[10:],
                         "Just flagging that the 3B config ends up at 192 -- intentional?"])
    assert len(paste) > QUESTION_CHARS
    found = find_question(paste).question
    assert found.endswith(asked) and len(found) < len(asked) + 40  # with at most its sentence's lead-in


def test_a_chat_question_followed_by_a_lowercase_sentence_is_cut_at_its_question_mark():
    """Chat writing starts sentences in lower case: "… like GPT-4V? budget is zero this quarter". The
    question still ends at its "?", and "does anyone know a way …" outranks a later "bring me an onigiri?"."""
    asked = ("does anyone know a way to build multimodal preference data for DPO that needs neither extra "
             "human annotation nor an external model like GPT-4V?")
    chatter = [f"[10:{i:02d}] Leo Marchetti\nqueue is moving again, job {4100 + i} started on node {i % 8}" for i in range(40)]
    paste = "\n\n".join([*chatter[:20], f"[10:48] Tomás Ferreira\nquick q for the vision people: {asked} "
                         "budget for labelling is zero this quarter", *chatter[20:],
                         "[11:40] Aisha Rahman\ncan't, I have the budget call at 12. bring me back an onigiri?"])
    assert len(paste) > QUESTION_CHARS
    found = find_question(paste).question
    assert found.endswith(asked) and len(found) < len(asked) + 40  # with at most its sentence's lead-in


def test_a_question_in_an_indented_html_comment_is_found():
    """A web page's source with an editor's note in an indented `<!-- … -->`: the indent made every line
    of the note look like code, so the page's last paragraph of text was searched."""
    asked = ("Which paper trains hundreds of nested sub-networks that share weights in a single training run, "
             "so that a sub-model can be picked at inference time without any search?")
    rows = [f'        <tr>\n          <td class="date">Mar {i}</td>\n          <td class="talk"><a href="/s/{i}">Karst flow {i}</a></td>\n        </tr>'
            for i in range(1, 40)]
    note = ["        <!--", "          EDITOR NOTE: the reading group asked for one reference before I write the blurb.",
            f"          {asked}", "          Do not publish this comment.", "        -->"]
    paste = "\n".join(["<table>", *rows[:20], *note, *rows[20:], "</table>",
                       "<p>High-frequency nitrate sensors show that the first autumn storm mobilises most of the load.</p>"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked


def test_a_question_in_a_json_string_field_is_found():
    """A helpdesk API response: the question is the `description` of one ticket among many."""
    asked = ("Which paper trained a small Transformer reasoning module on synthetic logistic-regression problems "
             "and plugged it into pretrained LLMs with no further training?")
    tickets = [f'    {{\n      "id": {48000 + i},\n      "subject": "Lift {i} out of order",\n      "description": "People had to use the stairs, no one stuck.",\n      "status": "open"\n    }},'
               for i in range(40)]
    ticket = f'    {{\n      "id": 48229,\n      "description": "Sorry for using the helpdesk, the library form is down. {asked} I only remember it beat a bigger model.",\n      "status": "open"\n    }},'
    paste = "\n".join(['{\n  "tickets": [', *tickets[:20], ticket, *tickets[20:], "  ]\n}"])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked


def test_a_question_in_a_comment_a_diff_adds_is_found_without_the_diff_mark():
    asked = ("Which paper transferred English RoBERTa and GPT-2 to new languages by replacing the tokenizer and "
             "initialising the new subword embeddings from multilingual static word embeddings?")
    context = [f" async def step_{i}(session, url):\n     status, body = await fetch(session, url)\n     return body[{i}:]" for i in range(30)]
    added = ["+def keep_language(text: str) -> bool:", "+    # TODO(ines): find the reference Tomas mentioned:",
             f"+    # {asked}", "+    return True"]
    paste = "\n".join(["diff --git a/crawl/pipeline.py b/crawl/pipeline.py", "@@ -10,6 +10,14 @@", *context[:15], *added, *context[15:]])
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked


def test_a_question_about_what_is_indexed_is_found_before_a_later_request_to_a_colleague():
    """A chat where the question for the assistant ("Do we have this one in the index, and …?") comes
    mid-thread and a colleague's request ("can you rerun …?") comes later: the later one was searched
    (validation batch dev-52, paste-d52-05), and "this one" lost the passage it points at."""
    asked = "Do we have this one in the index, and does the method need hyperparameter tuning for every new task?"
    chat = [f"**Aisha** 10:{m:02d}\nrun {m} of the merge sweep finished, the averaged model degrades past four tasks again"
            for m in range(10, 40)]
    chat += [f"**Aisha** 10:52\nmy worry is the practical side, new tasks get added every couple of weeks. {asked}",
             "**Ben** 10:57\nfair. in the meantime can you rerun the 8-task merge with the per-task scaling from the validation split?",
             "**Aisha** 10:58\non it, numbers by EOD"]
    paste = "\n\n".join(chat)
    assert len(paste) > QUESTION_CHARS
    assert find_question(paste).question == asked
