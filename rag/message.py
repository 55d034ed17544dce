"""A message that asks several unrelated questions: "Two quick ones: how long does BootPIG take to train,
and how does GIST get fine-grained text descriptions?", "(1) what is the mixer in MambaMixer, (2) how many
shots does CoOp need, and (3) what dataset does GECOBench build?", a bulleted list of questions.

Why: searched whole, such a message is close to no one abstract. Three of eight such messages in a fresh
batch (eval/validation/dev-18) were refused outright and the rest answered `weak` from one or two of the
papers. Each question is searched and answered on its own (rag.answer), and the answers are joined.

Only the split is decided here, from the text: the pieces of an explicit list (numbered or bulleted) or
the message's questions (sentences ending in "?", "…, and how …", "Also, …"), each asking something of
its own (three content words at least) and none pointing back to another ("How does it work?" is part
of the question before it) unless it names something; outside a list, each naming a subject of its own.
Whether the pieces are about different papers, each named, is the caller's check (rag.answer). Pure
string work; nothing here names a paper.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.names import question_names
from rag.paste import content_words

MAX_QUESTIONS = 4  # more pieces than this is a list of notes, not a message of questions
MAX_MESSAGE_CHARS = 2000  # a longer text is a paste (rag.paste finds the question in it)
MIN_CONTENT_WORDS = 3  # ... or 2 for one that names something
DESCRIBED_WORDS = 5  # a list item that names nothing describes its paper in this many words at least
# "(1) … (2) …", "1) … 2) …", "1. … 2. …", and bulleted lines "- …", "* …", "• …".
_NUMBERED = re.compile(r"(?:(?<=\s)|^)(?:\((\d)\)|(\d)[.)])\s+")
_BULLET = re.compile(r"(?:^|(?<=[:?.!]))\s*[-*•]\s+(?=\S)", re.M)  # at a line's start, or inline once the question folded lines
# Where the questions of a message break: after a question mark, at "…, and how/what …", and at
# "Also," / "And separately," opening a sentence.
_BREAK = re.compile(
    r"(?<=\?)\s+|,?\s+and\s+(?=(?:how|what|which|why|where|when|who)\b)"
    r"|(?<=[.?!])\s+(?=(?:also|and separately|separately|plus|additionally)\b)",
    re.I,
)
# A piece that points back at another ("How does it work?", "what did they find?") is not a question of its own.
_POINTS_BACK = re.compile(r"\b(?:it|its|they|their|them|this one|that one|these|those|the same)\b", re.I)
# A capitalised word that is not the piece's first: a name ("GIST", "BootPIG", "Ferret").
_NAMED = re.compile(r"(?<=\S\s)[\"'“(*]*[A-Z][\w-]*[A-Z0-9\w]")
_LEAD_IN = re.compile(r"^[^:?]{0,80}:\s+(?=\S)")  # "Two quick ones: …", "A few questions from my reading list: …"
_ASKS = re.compile(r"(?:how|what|which|why|where|when|who|whose|does|do|did|is|are|was|were|can|could|should)\b", re.I)
_FILLER = re.compile(r"^\W*(?:(?:and|also|plus|separately|additionally|and separately)\b\W*)+", re.I)


def _pieces(message: str) -> tuple[list[str], bool]:
    """The candidate questions of a message, and whether they are the items of an explicit list. A list
    under a lead-in that names something ("**ProteinLMBench** - quick questions: - how many …? - which
    model beat GPT-4 on it?") asks about that one thing: no pieces."""
    marks = [m for m in _NUMBERED.finditer(message)]
    numbers = [int(m.group(1) or m.group(2)) for m in marks]
    items = marks if len(marks) >= 2 and numbers == list(range(1, len(marks) + 1)) else list(_BULLET.finditer(message))
    if len(items) >= 2:
        if _names_something(message[:items[0].start()]):
            return [], True
        bounds = [m.start() for m in items] + [len(message)]
        return [message[m.end():end] for m, end in zip(items, bounds[1:])], True
    body = _LEAD_IN.sub("", message.strip(), count=1)
    return _BREAK.split(body), False


def _tidy(piece: str) -> str:
    piece = _FILLER.sub("", " ".join(piece.split())).strip(" ,;")
    piece = re.sub(r",?\s+and$", "", piece)
    return piece[:1].upper() + piece[1:] if piece else piece


def _names_something(piece: str) -> bool:
    return bool(_NAMED.search(piece) or question_names(piece))


class Questions(NamedTuple):
    """The questions of a message (empty: it asks one), and whether they were the items of a list."""

    parts: list[str]
    listed: bool = False


def split_questions(message: str) -> Questions:
    """The message's questions when it asks 2 to MAX_QUESTIONS of its own, else none (one question)."""
    none = Questions([])
    if len(message) > MAX_MESSAGE_CHARS:
        return none
    pieces, listed = _pieces(message)
    pieces = [p for p in (_tidy(p) for p in pieces) if p]
    if not 2 <= len(pieces) <= MAX_QUESTIONS:
        return none
    names: list[set[str]] = []
    for piece in pieces:
        named = _names_something(piece)
        if content_words(piece) < MIN_CONTENT_WORDS - named:  # "What's CLIN-X based on?" asks something
            return none
        if listed and not named and content_words(piece) < DESCRIBED_WORDS:  # "How many questions are in the benchmark?"
            return none
        # "How does it work?" belongs to the question before it; outside a list, so does "… and how much
        # better than VL-Adapter is their approach?" ("their": the paper the first half names).
        if _POINTS_BACK.search(piece) and not (named and listed):
            return none
        names.append({key for _, key in question_names(piece)} | {m.group(0).strip("\"'“(*").casefold() for m in _NAMED.finditer(piece)})
    # Outside an explicit list, each question names its own subject: "How does eDKM cut memory, and how
    # much does it save?" and "How big is SEED-Bench-2 and how does it organise …?" are one question.
    if not listed and not all(mine and not mine & other for i, mine in enumerate(names) for other in names[:i]):
        return none
    return Questions([p if p[-1] in ".?!" or not _ASKS.match(p) else p + "?" for p in pieces], listed)


# A sentence that opens by setting something aside: "Apart from mixture-of-depths token skipping, which I know already,
# which works let every token use a different amount of computation …?" Searched whole, the set-aside thing is what
# retrieval finds (dev-80: the two mixture-of-depths papers came first, the three papers asked for outside the top 8).
# ("Beyond" is left out: it opens titles, "Beyond Memorization: …".)
_OPENS_SET_ASIDE = re.compile(
    r"(?:^|(?<=[.?!])\s+)(?P<clause>\W*(?:apart from|aside from|besides|other than|excluding)\s+(?P<what>[^,.;:?!]{2,80}?)\s*,"
    r"(?:\s*(?:which|that)\s+(?:i|we)\s+[^,.;:?!]{2,40},)?)\s*(?=\S)", re.I)


# ... and in a question that asks for papers, a clause or sentence that rules something out: "Which papers test … basic
# numerical work, like comparing decimals, as opposed to maths word problems, and what do they find?", "… (I don't mean
# low-rank adapters for fine-tuning)", "… Leave aside federated setups." Searched whole, the papers on what is ruled out
# were cited among those asked for (dev-93: the maths word-problem paper; the federated-tuning papers).
_ASKS_FOR_WORKS = re.compile(r"\b(?:which|what|any|are there|find|list)\s+(?:[\w-]+\s+){0,3}?(?:papers|works|studies|methods|approaches"
                             r"|techniques|readings)\b", re.I)
_RULES_OUT = re.compile(
    r",?\s*\bas opposed to\s+(?P<what>[^,;:?!()]{2,80}?)(?=\s*(?:[,;:?!)]|$))"
    r"|\s*\(\s*(?:i|we)\s+(?:don['’]t|do not)\s+mean\s+(?P<meant>[^()]{2,120})\)"
    r"|(?:(?<=[.?!])|^)\s*(?:(?:i|we)\s+(?:don['’]t|do not)\s+mean|(?:please\s+)?(?:leave|leaving|set|setting)\s+aside)\s+"
    r"(?P<aside>[^.?!]{2,120})[.!]", re.I)


class SetAside(NamedTuple):
    question: str  # the question without the clause
    what: str  # what it sets aside, as written
    ruled_out: bool = False  # a clause or sentence after the question's opening (_RULES_OUT), not its opening clause


def set_aside_names(what: str) -> tuple[str, ...]:
    """The names in what a question sets aside: its own names ("LoRA") and compounds of three words or more
    ("mixture-of-depths"; "fine-tuning" is the field's word). A paper whose title has one is about what the reader
    already knows."""
    names = [name for name, _ in question_names(what)]
    names += [w for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+){2,}", what) if w not in names]
    return tuple(names)


def set_aside(question: str) -> SetAside | None:
    """The question without an opening "Apart from / Besides / Other than X, …" clause, when what is left still asks
    something of its own (three content words at least) and not for something "other"; else None."""
    m = _OPENS_SET_ASIDE.search(question)
    if not m:
        return _ruled_out(question)
    after = question[m.end():]
    # (nor when the rest asks for what is "other" or "else": "Besides fine-tuning, what other steps does SWIFT support?"
    # measures the rest against what is set aside, which the answer's sentence names: "In addition to … fine-tuning")
    if content_words(after) < MIN_CONTENT_WORDS or re.search(r"\b(?:other|else)\b", after, re.I):
        return None
    return SetAside(f"{question[:m.start('clause')].strip()} {after[:1].upper()}{after[1:]}".strip(), m.group("what").strip())


def _ruled_out(question: str) -> SetAside | None:
    """A question asking for papers without what a clause or sentence of it rules out (_RULES_OUT), when what is left
    still asks something of its own; else None."""
    if not _ASKS_FOR_WORKS.search(question):
        return None
    found = list(_RULES_OUT.finditer(question))
    if not found:
        return None
    rest = _RULES_OUT.sub("", question)
    rest = re.sub(r"\s+([,.?!])", r"\1", re.sub(r"\s{2,}", " ", rest)).strip()
    if content_words(rest) < MIN_CONTENT_WORDS:
        return None
    first = found[0]
    return SetAside(rest, next(g for g in first.groups() if g).strip(), ruled_out=True)
