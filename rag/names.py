"""Technical names in a question (QLoRA, RLAIF-V, H2O, SWE-bench) and whether the corpus has them.

A question that names something no abstract contains is a strong signal that the corpus
lacks the answer; a name that appears in the top paper's title is a strong signal that it
has it (and works in any language). Shared by the evidence policy and lookup.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Callable

from rag.text import space_unspaced_scripts

# Technical names: two+ capitals or a letter-digit mix (H2O, GRPO, MI300X, SWE-bench) or CamelCase.
# A version's decimal point is part of the name: "LLaVA-1.5", "Llama-3.1", "Qwen2.5-VL" (was cut at "LLaVA-1").
_C = r"(?:[\w-]|\.(?=\d))"  # a name's character: a word character, a hyphen, a decimal point
# (and lower case ending in one capital: "chrF", the translation metric, was no name, so "Do any papers score translation
# with chrF …?" was `strong` from papers that use BLEU, dev-117)
NAME = re.compile(rf"\b(?={_C}*[A-Z]{_C}*[A-Z0-9])(?={_C}*[A-Za-z])\w{_C}*\w\b|\b[A-Z][a-z]+[A-Z]\w*\b|\b[a-z]{{2,}}[A-Z]\b")
# A name joined to an ordinary word that says what was done with it ("CLIP-style", "GPT-4-written instructions",
# "GPT-4V-generated data", "GPT-4-class models": dev-98, refused as "no indexed abstract mentions GPT-4-class"): the
# name is the part before. "GPT-4-written" read as a name no abstract holds, and
# "Which paper introduced … GPT-4-written instructions …?" was `weak` ("No indexed abstract mentions GPT-4-written").
NAME_SUFFIX = re.compile(r"-(?:style|like|based|type|class|sized|level|scale|written|generated|annotated|labell?ed|produced|made"
                         r"|created|synthesi[sz]ed|authored|derived|distilled|powered|driven|guided|assisted|augmented"
                         r"|tuned|tunes|tuning|trained|trains"  # "a paper that LoRA-tunes open LLMs" (dev-65: refused)
                         # (any done-with word: "An AI-drafted brief once merged two officials …" was refused as "no
                         # indexed abstract mentions AI-drafted", dev-111)
                         r"|[a-z]{2,}ed"
                         # ... or says how much of it a thing has or needs: "OCR-heavy training data" was refused as "no
                         # indexed abstract mentions OCR-heavy" (dev-113), its abstracts writing "OCR-free"
                         r"|heavy|free|only|rich|intensive|friendly|aware|centric|specific|native|agnostic|oriented|ready)$")
# Chat shorthand in capitals is no technical name: "TL;DR of …" was refused as "no indexed abstract
# mentions TL, DR".
CHAT_SHORTHAND = re.compile(r"\b(?:TL;?\s?DR|ELI5|FYI|IMO|IMHO|AFAIK|IIRC|FWIW|BTW|PTAL|TIA|ASAP|AKA|LGTM|NB|PS"
                            # ... and the writer's or a colleague's role or degree: "Robotics PhD: which papers …?", "our
                            # CTO is into neuro-inspired stuff" were refused as "no indexed abstract mentions PhD / CTO"
                            r"|PhDs?|MSc|BSc|MBA|CTO|CEO|CFO|COO|CIO|VPs?|PMs?|SWEs?|SREs?|TAs?|PIs?)\b")
# Who made something, not what a question asks about: "a Mandarin model trained on Huawei chips", "the Tsinghua chatbot
# lineup". Abstracts seldom name their makers, and such a name, read as one the
# corpus lacks, refused answerable questions ("No indexed abstract mentions Huawei", three times in the validation
# batches). Set aside only where no abstract holds it (rag.evidence); not platforms that name datasets (Amazon, Twitter).
MAKERS = frozenset(w.casefold() for w in (
    "Huawei Tsinghua Google Meta OpenAI Microsoft NVIDIA Alibaba Baidu Tencent ByteDance DeepMind Anthropic Apple IBM Intel "
    "AMD Qualcomm Samsung Xiaomi Salesforce Facebook Zhipu Cohere Stanford MIT Berkeley CMU Peking Oxford Cambridge Harvard "
    "Princeton ETH EPFL KAIST").split())
# Question-sized text: a pasted log or abstract is full of names that prove nothing.
MAX_NAME_WORDS = 60

# Tables read off a whole corpus (its names' casing, its terms), kept per process by the texts' digest:
# each Engine opened on the same index (every in-process `rag ask`, the library API, MCP) reuses them
# instead of re-reading every abstract (~0.7 s for the seeds on 2 cores). With a `store` (the index's
# tables/ folder) they are also kept on disk, so a new process (each `rag ask`) reads them instead of
# building them: ~0.2 s for the seeds, ~2.3 s for 10,000 texts.
_CORPUS_TABLES: OrderedDict[tuple, object] = OrderedDict()
_CORPUS_LOCK = threading.Lock()
_CORPUS_TABLES_KEPT = 8


def per_corpus(kind: str, texts, build: Callable, variant: str = "", store: Path | None = None,
               encode: Callable = lambda table: table, decode: Callable = lambda data: data):
    """`build(texts)`, made once per process for the same `kind`, texts and `variant`, and read from
    `store` when a process before made it for the same texts (`encode`/`decode`: the table to and from
    JSON); the caller must not change what it returns."""
    texts = list(texts)
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    key = (kind, variant, digest.hexdigest())
    with _CORPUS_LOCK:
        if key in _CORPUS_TABLES:
            _CORPUS_TABLES.move_to_end(key)
            return _CORPUS_TABLES[key]
    path = None if store is None else Path(store) / f"{kind}-{hashlib.blake2b(variant.encode(), digest_size=4).hexdigest()}.json"
    table = _read_table(path, key[2], decode) if path is not None else None
    if table is None:
        table = build(texts)
        if path is not None:
            _write_table(path, key[2], encode(table))
    with _CORPUS_LOCK:
        _CORPUS_TABLES[key] = table
        while len(_CORPUS_TABLES) > _CORPUS_TABLES_KEPT:
            _CORPUS_TABLES.popitem(last=False)
    return table


def _read_table(path: Path, digest: str, decode: Callable):
    """The table stored for this corpus digest, or None (none yet, another corpus's, unreadable: rebuilt)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return decode(data["table"]) if data.get("digest") == digest else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_table(path: Path, digest: str, table) -> None:
    """Atomically (a reader sees the old file or the new one); a read-only index just is not written."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"digest": digest, "table": table}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


_NOT_WORD = re.compile(r"[\W_]+")


def norm(token: str) -> str:
    return _NOT_WORD.sub("", token.casefold())


def normalized(tokens) -> set[str]:
    """Whitespace tokens (lower-cased) → normalized words, hyphen/slash parts included, and the parts of a title
    whose colon has no space after it ("SWIFT:A Scalable …": "SWIFT" was no word of its title)."""
    terms: set[str] = set()
    for token in tokens:
        terms.add(norm(token))
        if "-" in token or "/" in token or ":" in token:
            terms.update(norm(part) for part in re.split(r"[-/:]", token))
    return terms


# An acronym and the word after it ("KV cache", "LLaVA 1.5"): a question may write them as one
# name ("KV-Cache"), which must not read as a name no abstract contains.
_ACRONYM_PAIR = re.compile(r"(?<![\w-])([A-Z][\w.]*[A-Z][\w.]*)\s+([\w.]+)")


def corpus_terms(texts) -> set[str]:
    """Every whitespace token of the given texts (titles, abstracts), normalized (case, punctuation),
    and every acronym joined to the word after it."""
    raw: set[str] = set()
    for text in texts:  # collect distinct tokens first (C speed), normalize each distinct one once
        raw.update(text.casefold().split())
        raw.update(f"{a}{b}".casefold() for a, b in _ACRONYM_PAIR.findall(text))
        # a title's name written against its colon ("Only-IF:Revealing the …": "No indexed abstract mentions Only-IF", dev-94)
        raw.update(_JOINED_AT_COLON.findall(text.casefold()))
    return normalized(raw)


_JOINED_AT_COLON = re.compile(r"(?<!\S)([^\s:/]+):(?=[a-z])")
# (the table's name in an index's tables folder: a table stored by an earlier reading of the texts is not read)
CORPUS_TERMS_VARIANT = "colon"


# A word as typed in a chat: letters, digits, hyphens and inner decimal points ("llava-1.5", "qlora").
_TYPED_WORD = re.compile(r"[A-Za-z0-9](?:[\w-]|\.(?=\w))*")
_LINK = re.compile(r"\S*(?:://|/|www\.)\S*")
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def name_casing(texts, is_word=None) -> dict[str, str]:
    """Normalized key → the corpus' spelling, for each technical name (3+ characters) the corpus
    writes only as a name, never as a lower-case word, and that is no everyday word (`is_word`, a
    vocabulary): "qlora" → "QLoRA", "fedloge" → "FedLoGe", but not "green" (GREEN), "clip" (CLIP)
    or "sage" (SAGE)."""
    spellings: dict[str, dict[str, int]] = {}
    lower: set[str] = set()
    for text in texts:
        for name in NAME.findall(text):
            key = norm(NAME_SUFFIX.sub("", name))
            if len(key) >= 3:
                counts = spellings.setdefault(key, {})
                counts[name] = counts.get(name, 0) + 1
        lower.update(_LOWER_WORD.findall(_LINK.sub(" ", text)))  # not "github.com/…/llava-…": a link is no word
    lower_keys = normalized(lower)
    return {key: max(counts, key=counts.get) for key, counts in spellings.items()
            if key not in lower_keys and not (is_word and is_word(key))}


# Capitals a question typed in lower case still has: a sentence's first letter, the pronoun "I".
_TYPED_CAPITAL = re.compile(r"(?:^|(?<=[.?!]\s))\s*[A-Z]|\bI\b")


def typed_in_lower_case(question: str) -> bool:
    return not any(c.isupper() for c in _TYPED_CAPITAL.sub("", question))


def recase(question: str, casing: dict[str, str] | None) -> str:
    """The question with the corpus' names written as the corpus writes them where a chat user
    typed them plainly: every all-lower-case one in a question typed in lower case ("which paper
    introduced qlora?" names QLoRA as "Which paper introduced QLoRA?" does: it named nothing, and a
    lookup by name was refused), and one typed with just a leading capital anywhere ("Qlora",
    "Llava": no technical name either). Lower-case words of a question with capitals of its own are
    left as typed: its writer cased the names."""
    if not casing:
        return question
    lower_typed = typed_in_lower_case(question)

    def spelled(m: re.Match) -> str:
        word = m.group(0)
        plain = word == word.casefold() if lower_typed else (word[:1].isupper() and word[1:] == word[1:].casefold())
        return casing.get(norm(word), word) if plain else word

    return _TYPED_WORD.sub(spelled, question)


# A range of model sizes ("3B-7B", "7B-13B"), and a count or a lower-case prefix before the name ("a 288-GPU
# cluster", "non-LLM backbones"): all read as names no abstract holds ("No indexed abstract mentions 3B-7B").
_SIZE_RANGE = re.compile(r"\d+(?:\.\d+)?[KMBT]?(?:-\d+(?:\.\d+)?[KMBT])+", re.I)
_NOT_PREFIX = re.compile(r"^(?:(?:non|pre|post|anti|multi|cross|sub|semi|\d+(?:[.,]\d+)*)-|\d+x)(?=[A-Z])")
# An amount of memory ("two A10s (24GB each)", "a 12GB RTX 3060", "1.5TB") names nothing, and a count of cards is
# the card ("8xA100", "A10s"): a machine's description read as names no abstract holds ("No indexed abstract
# mentions A10s, 24GB", dev-55).
_MEMORY = re.compile(r"(?:\d+(?:\.\d+)?)?[KMGTP]i?B")
_COUNTED = re.compile(r"(?<=\d)s$")


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """English function words: bm25s' stop words, the lexical index's (imported when first needed, as rag.lexical
    does: bm25s takes a quarter of a second to import). In capitals, for emphasis or as an everyday acronym ("Our IT
    department wants to know …", "does it NOT need labels?"), one is no technical name: "IT" was read as one no top
    paper holds, and an answerable question about FSMoE was `weak` (dev-89)."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


# A word typed as code ("`gliner`"), read as a name whatever its case (question_names).
_CODE_SPAN = re.compile(r"`([^\W\d_][\w.+-]{1,40})`")


def question_names(question: str, casing: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, normalized key) for each distinct technical name in a question-sized text; with the
    corpus' `casing` (name_casing), also its names typed in lower case."""
    if len(question.split()) > MAX_NAME_WORDS:
        return []
    question = recase(question, casing)
    out: list[tuple[str, str]] = []
    for name in NAME.findall(space_unspaced_scripts(CHAT_SHORTHAND.sub(" ", re.sub(r"\S+://\S+", " ", question)))):
        if _SIZE_RANGE.fullmatch(name) or _MEMORY.fullmatch(name) or name.lower() in function_words():
            continue  # "3B-7B models" name no model, "24GB" no memory, "IT" no method
        name = _COUNTED.sub("", _NOT_PREFIX.sub("", NAME_SUFFIX.sub("", name)))
        key = norm(name)
        if key and all(key != k for _, k in out):
            out.append((name, key))
    # A word typed as code is a name, whatever its case: "someone suggested `gliner`" names GLiNER (dev-63: a name
    # no abstract holds, answered `weak` from another NER paper).
    for name in _CODE_SPAN.findall(question):
        key = norm(name)
        if key and all(key != k for _, k in out):
            out.append((name, key))
    return out


# A name written with one leading capital ("Toolformer", "Chinchilla", "Reflexion"): NAME takes none, since a
# capital also opens sentences and marks everyday words in titles. Not at a sentence's or line's start, and
# neither an everyday word nor a corpus word (`ordinary`), it is a name the corpus lacks: in the dev split
# and the validation batches every English question with such a word was one no abstract answers
# (Chinchilla, Toolformer, Reflexion, Omicron, Rayleigh), while "Vicuna" or "Compacter" are corpus words.
# (a name before "-style" or "-like" is still one: "Bonawitz-style secure aggregation", dev-85)
_CAPITALISED_WORD = re.compile(r"(?<![\w.'’/@-])([A-Z][a-z]{2,})(?:['’]s|-(?:style|like|type))?(?![\w'’/@-])")
_OPENS_SENTENCE = re.compile(r"(?:^|[.?!:;*#>•–—-])\s*$")  # (a quoted or bracketed word is still a name)


def capitalised_words(question: str) -> list[str]:
    """The words of a question-sized text written with one leading capital mid-sentence ("Compacter",
    "Toolformer"), in order, each once."""
    if len(question.split()) > MAX_NAME_WORDS:
        return []
    out: list[str] = []
    for m in _CAPITALISED_WORD.finditer(question):
        if not _OPENS_SENTENCE.search(question[: m.start()].rsplit("\n", 1)[-1]) and m.group(1) not in out:
            out.append(m.group(1))
    return out


# ... and a two-letter word so written mid-sentence ("the Yi model family from 01.AI"), not an everyday one: a title's
# own name of that size, which neither NAME nor _CAPITALISED_WORD takes (HybridRetriever.title_names looks it up).
_TWO_LETTER_WORD = re.compile(r"(?<=[\w,;)] )([A-Z][a-z])(?![\w'’/@-])")
_TWO_LETTER_EVERYDAY = frozenset("Am An As At Be By Do Go He If In Is It Me My No Of Oh Ok On Or So To Up Us We".split())


def two_letter_words(question: str) -> list[str]:
    """The two-letter words of a question written with a leading capital mid-sentence ("Yi"), everyday ones aside."""
    return [w for w in _TWO_LETTER_WORD.findall(question) if w not in _TWO_LETTER_EVERYDAY]


def capitalised_names(question: str, ordinary: Callable[[str], bool]) -> list[tuple[str, str]]:
    """(name, key) for each word of a question-sized text written with one leading capital mid-sentence
    that `ordinary` (a vocabulary or corpus word, lower case) does not know."""
    out: list[tuple[str, str]] = []
    for word in capitalised_words(question):
        key = word.casefold()
        if not (ordinary(key) or key.endswith("s") and ordinary(key[:-1])) and all(key != k for _, k in out):
            out.append((word, key))
    return out


# A name of several words in title case ("Tree of Thoughts", "Direct Preference Optimization", "Switch
# Transformers"): NAME sees none of it, and a question may compare an indexed method with one. Its words
# are capitalised words (not acronyms: "Transformer LLM", "NVIDIA H100" are a name and a word), linked by
# "of" or "the" at most ("Compacter on GLUE" is two things).
_PHRASE_LINK = frozenset("of the".split())
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:['’]s)?(?:-[A-Z]?[a-z]+)*")
_OPENS_QUESTION = frozenset(
    "what how which why when where who whom whose does do did is are was were can could would should will has "
    "have had compare contrast explain describe tell give show list summarize summarise please in on for the "
    "a an and or between with than any there so ok okay also if "
    # (words that open a sentence and no name: "Besides the Oogiri game, …" read as the name "Besides the Oogiri")
    "besides beyond apart aside after before since given unlike like according regarding about from during using as at by "
    "to into without while although though because but yet then now i we my our this that these those its their other "
    "except within across among via per hi hello hey thanks".split())
_PHRASE_TOKEN = re.compile(r"\w(?:[\w'’-]*\w)?|[^\w\s]")  # a quote around a word is not part of it
MAX_PHRASE_WORDS = 5


def title_case_phrases(question: str) -> list[str]:
    """Runs of two or more capitalised words in a question-sized text that is not itself in title case
    ("What Is The Best Method For Sentiment"); the words that open a question ("Does", "Compare",
    "What's") left out."""
    words = question.split()
    plain = [w for w in words[1:] if w.casefold() not in _PHRASE_LINK and not NAME.search(w)]
    if len(words) > MAX_NAME_WORDS or len(plain) >= 4 and sum(w[:1].isupper() for w in plain) >= 0.8 * len(plain):
        return []
    out: list[str] = []
    run: list[str] = []

    def close() -> None:
        while run and run[-1] in _PHRASE_LINK:
            run.pop()
        if sum(1 for w in run if w not in _PHRASE_LINK) >= 2 and len(run) <= MAX_PHRASE_WORDS:
            out.append(" ".join(run))
        run.clear()

    for token in _PHRASE_TOKEN.findall(question):
        opener = re.split(r"['’]", token.casefold())[0] in _OPENS_QUESTION
        if _CAPITALISED.fullmatch(token) and not (not run and opener):
            run.append(token)
        elif run and token in _PHRASE_LINK:
            run.append(token)
        else:
            close()
    close()
    return out


def phrase_key(text: str) -> str:
    """How a phrase is compared with the corpus: case, hyphens and a plural's "s" set aside."""
    return " ".join(re.sub(r"[-‐–/]", " ", text.casefold()).split()).removesuffix("s")


def name_keys(text: str) -> set[str]:
    """Normalized keys of every technical name in `text`, whatever its length."""
    return {norm(NAME_SUFFIX.sub("", m)) for m in NAME.findall(text)}


# A model's size variants written onto its name: "SOBertBase, with 109M parameters, and SOBertLarge" hold
# "SOBert" ("cf. the Stack Overflow paper (SOBert)" was refused as "No indexed abstract mentions SOBert").
_SIZE_VARIANTS = ("base", "large", "small", "tiny", "mini", "medium", "xl", "xxl", "huge", "lite")


def is_known(key: str, terms: set[str]) -> bool:
    return key in terms or key.rstrip("s") in terms or (
        len(key) >= 3 and any(key + size in terms for size in _SIZE_VARIANTS))


def mention_starts(text: str, name: str) -> list[int]:
    """Where the text has the name as written, as a whole word."""
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


def mentions(text: str, name: str) -> bool:
    """Whether the text has the name as written, as a whole word ("LQ-LoRA" does not mention "LoRA")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def unknown_names(question: str, terms: set[str]) -> list[str]:
    """Technical names in the question that no indexed abstract contains."""
    return [name for name, key in question_names(question) if len(key) >= 2 and not is_known(key, terms)]


def own_name(title: str) -> str | None:
    """The name a paper goes by: its title's lead before the colon, up to three words
    ("GENOME: Generative Neuro-symbolic ..." -> "GENOME"); None for a title without one."""
    lead, colon, _ = title.partition(":")
    return lead.strip() if colon and lead.strip() and len(lead.split()) <= 3 else None


def named_by_own_word(question: str, title: str, title_counts: dict[str, int] | None = None, max_titles: int = 2) -> bool:
    """Whether the question names the paper by its own name of one plain word, written as the title writes it,
    mid-sentence ("someone suggested Yi", "the Liquid models"): NAME takes no such word, so names_in_title missed it and
    a three-part question about Yi's pretraining was `weak` at P 0.73 with Yi's paper first (dev-112)."""
    own = own_name(title)
    if not own or not re.fullmatch(r"[A-Z][a-z]+", own):
        return False
    if title_counts is not None and title_counts.get(norm(own), 0) > max_titles:
        return False
    return own in capitalised_words(question) + two_letter_words(question)


def title_words(title: str) -> set[str]:
    return normalized(title.casefold().split()) - {""}


# A phrase a question puts in quotes: 'The "Scattered or Connected?" paper says …'.
_QUOTED = re.compile(r"[\"“‘'«]([^\"”’'»\n]{6,200})[\"”’'»]")


def words_key(text: str) -> str:
    """A title or quoted phrase as its case-folded words, punctuation and underscores set aside."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def quotes_title(question: str, title: str) -> bool:
    """Whether the question quotes the title, or its first two or more words ("The 'Scattered or Connected?'
    paper …" for "Scattered or Connected? An Optimized Parameter-efficient Tuning Approach …"): it names
    that paper as surely as by its own name."""
    key = words_key(title)
    for m in _QUOTED.finditer(question):
        quoted = words_key(m.group(1))
        if len(quoted.split()) >= 2 and (key == quoted or key.startswith(quoted + " ")):
            return True
    return False


def joins_a_term(name: str, written: str) -> bool:
    """Whether a name typed as a hyphenated term that opens on a lower-case word ("a multilingual vision-LLM") is only
    the one-word name `written` ("VisionLLM") with its parts joined: a kind of model, not that paper (dev-100: the
    VisionLLM paper answered a question about mBLIP's "Multilingual Vision-LLMs")."""
    return "-" in name and name[:1].islower() and "-" not in written


def names_in_title(question: str, title: str, title_counts: dict[str, int] | None = None, max_titles: int = 2,
                   casing: dict[str, str] | None = None) -> list[str]:
    """Technical names of the question that the title contains as words and that at most
    `max_titles` indexed titles contain (so "LLM" or "CLIP" never count)."""
    words = title_words(title)
    written = {norm(token): token for token in title.split()}
    return [
        name
        for name, key in question_names(question, casing)
        if len(key) >= 3 and key in words and (title_counts is None or title_counts.get(key, 0) <= max_titles)
        and not (key in written and joins_a_term(name, written[key]))
    ]


# What stands between two items of a list of names: "A, B and C", "A, B, or C", "A or B", "A vs B", "A / B".
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus|&)\s+|/)\s*(?:the\s+)?", re.I)


def listed_names(question: str, casing: dict[str, str] | None = None) -> list[list[str]]:
    """Runs of two or more technical names the question lists ("Which of SPG, CoOp and PRE …?" ->
    [["SPG", "CoOp", "PRE"]]), each run in the question's order: the things it asks about side by side."""
    names = [name for name, _ in question_names(question, casing)] + capitalised_words(question)
    spans = sorted({(m.start(), m.end(), name) for name in dict.fromkeys(names)
                    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question)})
    runs: list[list[str]] = []
    run: list[tuple[int, int, str]] = []
    for span in spans:
        if run and span[0] >= run[-1][1] and _LIST_SEPARATOR.fullmatch(question[run[-1][1]:span[0]]):
            run.append(span)
            continue
        if len(run) >= 2:
            runs.append([name for _, _, name in run])
        run = [span]
    if len(run) >= 2:
        runs.append([name for _, _, name in run])
    return runs


# A name with a version after a space ("Octopus v5", "DMoERM v2"): one name, which NAME reads as two words.
VERSIONED = re.compile(r"(?<![\w-])([A-Z][\w+-]*)\s+(v\d+(?:\.\d+)?)(?![\w.-])")


def versioned_names(question: str) -> list[str]:
    """The question's names written with a version after a space ("What does Octopus v5 add?"), as written."""
    return list(dict.fromkeys(f"{m.group(1)} {m.group(2)}" for m in VERSIONED.finditer(question)))
