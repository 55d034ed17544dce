"""The question inside a long paste (a training log, a stack trace, meeting notes, an email).

A user pastes up to 20,000 characters with the question somewhere in it, most often near the end.
Searching the whole paste finds papers about its noise (log lines, agenda items), so we search the
question found in it: the last sentence that asks for the literature ("Is there a paper …?"), else
the last sentence that reads like a question (with the sentences before it when it names almost
nothing: "Which paper is this?"); failing that, the last paragraph of prose. Lines quoted from an
earlier message ("> …") are read only when there is nothing else. Text
of question size (at most 2,000 characters and 1,000 tokens: any question a person types)
passes through unchanged. Pure string work, no model: a 20k paste takes a few milliseconds.
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from rag.text import split_sentences

# A question: at most this many characters and tokens; longer text is a paste. (On the dev
# pastes of eval/data/adversarial.jsonl, 2.1-2.3k characters, searching the question found
# instead of the whole text found the right paper or abstained rightly in 3 of 3, vs 1 of 3.)
QUESTION_CHARS = 2000
QUESTION_TOKENS = 1000
# What is searched from a paste: about what the embedder reads (256 tokens).
FOUND_WORDS = 100
FOUND_CHARS = 1000
CONTEXT_WORDS = 60  # sentences before a question that names almost nothing

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Found(NamedTuple):
    """What to search for a pasted text, and whether that differs from the text itself."""

    question: str
    differs: bool


def fold(text: str) -> str:
    """Control characters dropped, all whitespace (line breaks included) folded to one space."""
    return " ".join(CONTROL.sub(" ", text).split())


def is_question_sized(folded: str) -> bool:
    """Whether folded text is searched as it is: short enough in characters and in tokens."""
    if len(folded) > QUESTION_CHARS:
        return False
    if len(folded) <= QUESTION_TOKENS:
        return True  # no need to count
    from rag.chunk import count_tokens

    return count_tokens(folded) <= QUESTION_TOKENS


# ---------------------------------------------------------------- what a line or sentence is

# Lines a program wrote: timestamps, log levels, [rank0]:, tracebacks, Java/JS frames, an
# exception line, prompts, indented code.
_LOG_LINE = re.compile(
    r"""^(?:\s*(?:\[[^\]]{0,80}\]|\d{4}-\d\d-\d\d|\d\d:\d\d(?::\d\d)?|\d+[/|]\d+\b
        |(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|TRACE|NOTE)\b
        |Traceback\ \(most\ recent\ call\ last\)|File\ "|at\ [\w$<>]+(?:\.[\w$<>]+)+\ ?\(|Caused\ by:
        |[\w.]*(?:Error|Exception|Warning|Interrupt)\b|\$\ |>>>\ |\.\.\.\ |\#\d+\ |[-=*+~#]{4,}
        |(?:/|\./|~/)[\w.-]|[\w.-]+(?:/[\w.-]+){2,}|[a-z][\w.-]{0,19}:\s)|\s{4,}\S|\t)""",
    re.X,
)
# A token a program wrote rather than a person: code punctuation, a number, or a number with
# one letter (3e-4, 0.5s); "a", "I", "bf16" and "GPT-4" are words.
_MACHINE = re.compile(
    r"(?<!\S)(?:\S*[_=\\/\[\]{}<>|@#^~`]\S*|(?:[^\w\s]|\d)+|(?=\S*\d)(?:[^\w\s]|\d)*[^\W\d_](?:[^\w\s]|\d)*)(?!\S)"
)
# A chat line's time and speaker: "[15:46] dana: ", "10:02 AM Priya: ", "2026-11-30 14:02 - Ana: ".
_CHAT_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]|\(?\d{1,2}:\d\d(?::\d\d)?(?:\s?[AaPp][Mm])?\)?|\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d\S*)?)"
    r"\s*[-–|]?\s*(?!(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|TRACE|NOTE)\b)@?[\w.'-]{1,20}(?: [A-Z][\w'-]{0,20})?:\s+"
)
_QUESTION_END = re.compile(r"[?？][\"'”’)\]]*$")
# A question typed without its "?": a wh-word, "is there", a request. (Not a bare auxiliary: "will
# do once Mei finds the paper", "would be great to cite" are statements; with a "?" they ask.)
_ASKING_START = re.compile(
    r"^(?:how|what|which|why|where|when|who|whom|whose|is there|are there|any (?:paper|papers|work|method)s?"
    r"|(?:please |can you |could you )?(?:explain|compare|contrast|describe|summari[sz]e|list|recommend|suggest"
    r"|find me|point me|tell me|show me|give me|help me)"
    r"|i(?:'m| am) (?:looking|searching) for|i (?:want|need|would like|'d like) to (?:know|find|understand|learn))(?=\s)",
    re.I,
)
# Words of a lead-in that introduces the question: "Question for the assistant: which ...?"
_LEAD_IN = re.compile(r"\b(?:question|questions|ask|asks|asking|asked|assistant|typed|typing|sending|send|search|query|paste|wondering|wonder|todo)\b", re.I)
# A question for a colleague, not for the papers: "Rafael, your script ... right?", "Mei Ling, can you ...?"
_TO_SOMEONE = re.compile(
    r"^(?:@[\w.-]+|(?!(?i:however|also|so|ok|okay|well|yes|no|then|now|anyway|first|second|finally|btw|hi|hey|hello|thanks|sorry|question)\b)"
    r"[A-Z][a-z]+(?: [A-Z][a-z]+)?)[,:]\s+(?:\w+\s+){0,2}?(?:you|your)\b"
    r"|,\s*(?:right|no|correct|yes|ok|okay|yeah|isn't it|aren't they|doesn't it|don't they)\s*[?？]$"
)
_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|thx|ty|cheers|best|regards|kind regards|best regards|warm regards|sincerely|many thanks"
    r"|all the best|greetings|sent from|--|—|(?:any |all )?(?:help|pointers|advice|input|ideas|suggestions)\b.{0,30}\bappreciated)\b",
    re.I,
)
# A line of an earlier message quoted in a reply ("> From: …", "> Does anyone know …?"): what was asked
# before, not the question the paste is sent with.
_QUOTED = re.compile(r"^(?:>\s?)+")
# A question that asks for the literature ("Is there a paper …?", "any prior work on …", "which study
# …", "Has anyone already published …?", "Do we have it in the index?"): what a paste is sent to a paper
# assistant with. Later questions of the pasted material ("Can the confidence predict it?", a reviewer's, a colleague's) are not.
_ASKS_LITERATURE = re.compile(
    r"\b(?:papers?|publications?|preprints?|articles?|literature|published)\b"
    r"|\b(?:any|some|a|the|published|prior|related|existing|recent|previous) (?:stud(?:y|ies)|research)\b"
    r"|\b(?:any|some|published|prior|related|existing|recent|previous) works?\b"
    # ... or for what this assistant holds: "Do we have this one in the index, and …?", "is it indexed?"
    r"|\b(?:in|into|from) (?:the|our|my|your|this) (?:index|library|collection|corpus|reading list)\b|\bindexed\b",
    re.I,
)
# A question that asks whether research exists without saying "paper" ("Has anyone shown that …?",
# "Does anyone know a way to …?", "Is there evidence that …?"): second choice after one that does.
_ASKS_RESEARCH = re.compile(
    r"\b(?:has|have|did) (?:anyone|anybody|someone|somebody|people) (?:ever |already )?"
    r"(?:shown|show|demonstrated|found|proposed|propose|tried|built|build|published|studied|measured|reported|compared)\b"
    r"|\b(?:does|do) (?:anyone|anybody|someone|somebody) know (?:of )?(?:a|an|any|some) (?:way|method|approach|technique|trick|benchmark|dataset|model|result|study|work)\b"
    r"|\bis there (?:any |some )?(?:evidence|work|a (?:method|way|technique|benchmark|dataset|model|approach)|an (?:approach|method))\b"
    r"|\bdidn'?t (?:someone|somebody|anyone) (?:build|propose|show|publish|find|release)\b",
    re.I,
)
# How a question that stands on its own opens: a wh-word or an auxiliary ("Has anyone …", "Is there …").
_ASKING_OPENER = re.compile(
    r"(?:how|what|which|why|where|when|who|whose|is|are|was|were|has|have|had|does|do|did|didn'?t|can|could)\b", re.I
)
_WORD = re.compile(r"[^\W\d_][\w-]+")
_STOP = frozenset(
    "the a an of in on for to and or with by from about into at as is are was were be been do does did can could "
    "would should will may might what which who why how when where there this that these those it its they them "
    "their you your i me my we our us any some paper papers one not no so if but than then just also "
    # what a question without a subject of its own says
    "make sense idea ideas thought thoughts think help pointer pointers suggestion suggestions advice tip tips "
    "missing something anything anyone someone else please thanks know wondering right correct wrong possible "
    "recommend recommendation recommendations happening going explain work works method methods approach "
    "approaches technique techniques way ways use using best good better tell more everything latter former".split()
)


def _machine_share(tokens: list[str], text: str) -> float:
    """Share of `tokens` (the words of `text`) that a program wrote."""
    return len(_MACHINE.findall(text)) / max(len(tokens), 1)


def _is_log_line(line: str) -> bool:
    tokens = line.split()
    return bool(_LOG_LINE.match(line)) or len(tokens) >= 3 and _machine_share(tokens, line) >= 0.35


def _human_tail(sentence: str) -> str:
    """The sentence from after its last run of machine tokens, when four words or more follow it
    and the run reads as log output: four tokens or more, or three that open the sentence (a
    question typed right after log output on the same line; not "... (e.g. whether 9.11 > 9.9)
    across number formats?", three tokens inside a person's sentence)."""
    tokens = sentence.split()
    end = len(tokens)
    while end > 0:
        while end > 0 and not _MACHINE.fullmatch(tokens[end - 1]):
            end -= 1
        start = end
        while start > 0 and _MACHINE.fullmatch(tokens[start - 1]):
            start -= 1
        if end - start >= 3:
            if len(tokens) - end >= 4 and (end - start >= 4 or start == 0):
                return " ".join(tokens[end:])
            return sentence
        end = start
    return sentence


def _chat_message(line: str) -> str | None:
    """What a person wrote on a chat line (time and speaker first), if it is prose."""
    prefix = _CHAT_PREFIX.match(line)
    said = line[prefix.end() :].strip() if prefix and prefix.end() else None
    return said if said and _is_prose(said) and not _is_log_line(said) else None


def _without_lead_in(sentence: str) -> str:
    """The question after a lead-in that only says a question follows ("My question for the
    assistant: which paper ...?"), when the question names three things or more; and a question
    for the literature that stands on its own after a colon ("Unrelated to the diff, but since …:
    Has anyone shown that …?", "… so I pass it on: Is there published work that …?")."""
    head, colon, rest = sentence.rpartition(": ")
    if not colon or content_words(rest) < 3:
        return sentence
    asks_research = _QUESTION_END.search(rest) and (_ASKS_LITERATURE.search(rest) or _ASKS_RESEARCH.search(rest))
    if _LEAD_IN.search(head) and (_ASKING_START.match(rest) or asks_research):
        return rest
    if asks_research and _ASKING_OPENER.match(rest):
        return rest
    return sentence


def content_words(sentence: str) -> int:
    """Words that say what the question is about ("Any ideas?" and "Which paper is this?" have none)."""
    return sum(1 for w in _WORD.findall(sentence.casefold()) if w not in _STOP)


def _is_prose(sentence: str) -> bool:
    tokens = sentence.split()
    return len(tokens) >= 3 and _machine_share(tokens, sentence) < 0.35 and not _LOG_LINE.match(sentence)


# ---------------------------------------------------------------- paste → blocks → sentences


# A line that starts a list item or a comment ("- ", "* ", "1. ", "% ", "# ", "// ", "> ") starts a
# sentence: "% - drop X if we need space" and "% TODO: which paper ...?" are not one sentence.
_ITEM_START = re.compile(r"^(?:[-*•·]\s|\d{1,2}[.)]\s|%|#|//|>)")


# A shell or REPL prompt before a comment: what follows the prompt is what a person typed as a note.
_PROMPT_COMMENT = re.compile(r"^\s*(?:\$|>>>|\.\.\.|In \[\d*\]:)\s+(?=#\s)")


# A "?" ends a typed sentence even when the next one starts in lower case, as in chat ("… like
# GPT-4V? budget for labelling is zero"), which the abstracts' sentence splitter would not break.
_AFTER_QUESTION_MARK = re.compile(r"(?<=[?？])\s+(?=[^\W\d_])")


# What holds a person's words in a machine's file: a JSON string field ("description": "Which paper …?"),
# a diff's added-line mark ("+    # Which paper …?"), an indent (an HTML comment, a docstring, a YAML block).
_JSON_FIELD = re.compile(r'^\s*"[\w .:-]{1,40}"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)"\s*,?\s*$')
_DIFF_ADDED = re.compile(r"^\+(?=\s|#|$)")
_INDENT = re.compile(r"^(?:\s{4,}|\t)\S")
_CODE_START = re.compile(
    r"^(?:def|class|return|import|from|for|if|elif|else|while|with|try|except|raise|assert|yield|print|var|let|const"
    r"|function|public|private|static|async|await|lambda|switch|case)\b|^[\w.\[\]]+\s*[(=]"
)


def _unwrapped(line: str) -> str:
    """A line with what a machine put around a person's words taken off: a shell prompt before a comment
    ("$ # note to self: …"), a diff's "+", a JSON field's key and quotes, and the indent of a line that
    reads as prose (six words or more, hardly any code tokens); other lines as they are."""
    if field := _JSON_FIELD.match(line):
        value = field.group("value").replace("\\n", " ").replace('\\"', '"').replace("\\\\", "\\")
        return value if len(value.split()) >= 6 and _machine_share(value.split(), value) < 0.2 else line
    line = _PROMPT_COMMENT.sub("", _DIFF_ADDED.sub("", line))
    if _INDENT.match(line):
        stripped = _COMMENT_MARK.sub("", line.strip())
        tokens = stripped.split()
        if len(tokens) >= 6 and _machine_share(tokens, stripped) < 0.2 and not _CODE_START.match(stripped):
            return line.strip()
    return line


def _sentences(lines: list[str]) -> list[str]:
    """The sentences of a run of prose lines; a line that ends with "?" ends its sentence, and one
    that starts a list item or a comment starts one."""
    out: list[str] = []
    start = 0
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and _ITEM_START.match(lines[i + 1]) or _QUESTION_END.search(line) or i == len(lines) - 1:
            for sentence in split_sentences(" ".join(lines[start : i + 1])):
                out.extend(_AFTER_QUESTION_MARK.split(sentence))
            start = i + 1
    return out


def _blocks_from_end(text: str, skip_quoted: bool = True) -> Iterator[list[str]]:
    """The paste's runs of prose lines (a wrapped paragraph is one run) as sentences, last run
    first, so a question near the end is found without reading the rest. Blank lines, log lines
    and fenced code end a run; a very long line (a paste folded onto one line) is kept whole,
    its sentences judged one by one later."""
    run: list[str] = []  # lines of the current run, last first
    fenced = False
    for line in reversed(CONTROL.sub(" ", text).splitlines()):
        line = _unwrapped(line)
        stripped = line.strip()
        if not skip_quoted:
            stripped = _QUOTED.sub("", stripped)
        fence = stripped.startswith("```")
        fenced ^= fence
        if fence or fenced or not stripped or skip_quoted and _QUOTED.match(stripped) or (len(stripped) < 400 and _is_log_line(line)):
            if run:
                yield _sentences(run[::-1])
                run = []
            said = None if fence or fenced or not stripped else _chat_message(stripped)
            if said:
                yield split_sentences(said)  # a chat message is a paragraph of its own
            continue
        run.append(stripped)
    if run:
        yield _sentences(run[::-1])


def _clip(text: str) -> str:
    """At most FOUND_WORDS words and FOUND_CHARS characters of text: its end, cut at a word."""
    out = " ".join(text.split()[-FOUND_WORDS:])
    return out if len(out) <= FOUND_CHARS else out[-FOUND_CHARS:].split(" ", 1)[-1]


class _FromEnd:
    """The paste's prose runs, numbered from the end (0 = last), read only as far as asked."""

    def __init__(self, text: str, skip_quoted: bool = True):
        self._more = _blocks_from_end(text, skip_quoted)
        self._read: list[list[str]] = []

    def __call__(self, k: int) -> list[str] | None:
        while len(self._read) <= k:
            block = next(self._more, None)
            if block is None:
                return None
            self._read.append(block)
        return self._read[k]


def _question(blocks: _FromEnd) -> str | None:
    """The last sentence that asks for the literature, else the last that asks whether research
    exists, else the last that asks something. One that names less than two things ("Any ideas?",
    "Which paper is this?", "How does it work?") comes with the sentences before it (its
    paragraph's, or the previous paragraph's when it stands alone)."""
    research = last = None
    for found in _questions(blocks):
        if _ASKS_LITERATURE.search(found):
            return found
        if _ASKS_RESEARCH.search(found):
            research = research or found
        last = last or found
    return research or last


# The mark that opens a comment line in code, config or LaTeX: not part of the question typed after it.
_COMMENT_MARK = re.compile(r"^(?:#+|%+|//+|;+)\s+")


def _questions(blocks: _FromEnd) -> Iterator[str]:
    """The sentences that ask something, last first (see _question)."""
    k = 0
    while (block := blocks(k)) is not None:
        for i in range(len(block) - 1, -1, -1):
            sentence = block[i]
            tail = _human_tail(sentence if len(sentence) <= 2 * FOUND_CHARS else sentence[-2 * FOUND_CHARS :])
            asks = _QUESTION_END.search(tail) or _ASKING_START.match(_COMMENT_MARK.sub("", sentence).lstrip("\"'“‘(*-• "))
            if not asks or not _is_prose(tail) or _SIGN_OFF.match(sentence):
                continue
            tail = _without_lead_in(_COMMENT_MARK.sub("", tail))
            if _TO_SOMEONE.search(tail):
                continue
            if content_words(tail) >= 2:
                yield _clip(tail)
                continue
            context: list[str] = []
            budget = CONTEXT_WORDS
            for previous in reversed(block[:i] or blocks(k + 1) or []):
                if not _is_prose(previous) or _SIGN_OFF.match(previous) or len(previous.split()) > budget:
                    break
                context.insert(0, previous)
                budget -= len(previous.split())
            if content_words(found := " ".join([*context, tail])) >= 1:
                yield _clip(found)
        k += 1


def _last_paragraph(blocks: _FromEnd) -> str | None:
    """The end of the last paragraph of prose with some substance (sign-offs left out)."""
    k = 0
    while (block := blocks(k)) is not None:
        kept = [s for s in block if _is_prose(s) and not _SIGN_OFF.match(s)]
        if sum(len(s.split()) for s in kept) >= 8:
            return _clip(" ".join(kept))
        k += 1
    return None


def find_question(text: str) -> Found:
    """What to search for `text`: the text itself (folded) when it is question-sized;
    otherwise the question found in it, else its last paragraph of prose, else its last words."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    folded = fold(text or "")
    if is_question_sized(folded):
        return Found(folded, False)
    blocks = _FromEnd(text)
    found = _question(blocks) or _last_paragraph(blocks)
    if found is None:  # nothing but quoted lines (a forwarded thread): read them after all
        blocks = _FromEnd(text, skip_quoted=False)
        found = _question(blocks) or _last_paragraph(blocks) or _clip(folded)
    return Found(found, found != folded)


# A question found in a paste that points at the pasted text: "Which paper is this from, and …?", "Do we have this
# one indexed?", "Where is this passage from?". With a paste that quotes one indexed abstract, "this" is that paper.
POINTS_AT_PASTE = re.compile(r"\bthis\b", re.I)
QUOTED_SENTENCES = 2  # whole sentences of one abstract, word for word, that make a paste a quote of it


def folded_sentence(sentence: str) -> str:
    return " ".join(sentence.casefold().split())


def quoted_counts(pasted: str, sentences_by_paper) -> dict[str, int]:
    """Paper id -> how many of its abstract's sentences (folded, from `sentences_by_paper`) the paste holds word for
    word; papers with none left out."""
    folded = folded_sentence(pasted if isinstance(pasted, str) else pasted.decode("utf-8", "replace"))
    counts: dict[str, int] = {}
    for pid, sentences in sentences_by_paper:
        n = sum(1 for s in sentences if s in folded)
        if n:
            counts[pid] = n
    return counts
