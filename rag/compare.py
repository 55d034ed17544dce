"""The compare job: papers side by side by problem, method, data and result, every cell quoted.

Which papers: a topic takes every retrieved paper the relevance model keeps (rag.evidence),
so two relevant papers give two rows and a broad topic up to `MAX_PAPERS`; named titles
("Title A; Title B", "A vs B") take exactly the papers whose titles match, and the titles
that match nothing are reported (`Comparison.not_found`), never replaced by another paper.

Which sentence goes where: each abstract sentence gets a score per column (its cues, its
place in the abstract, a penalty for another column's cues), and the sentences are assigned
to columns by the best total, one sentence per column, a column left "not stated" when no
sentence has its cue.
"""

from __future__ import annotations

import difflib
import itertools
import re
import time

from rag.errors import QueryError
from rag.evidence import MAX_PAPERS
from rag.facets import listed_parts, papers_by_part
from rag.names import question_names, words_key as _key
from rag.ownership import NAMING_CUES, owns
from rag.paste import find_question, fold, is_question_sized
from rag.retrieve import Filters, check_query
from rag.text import CONTRIBUTION, RELEASE_ONLY, URL, split_sentences
from rag.types import Comparison, ComparisonCell, ComparisonRow, Paper, Source

NOT_STATED = "not stated in abstract"
COMPARE_COLUMNS = ("problem", "method", "data", "result")
CANDIDATES = 10  # papers retrieved for a topic; the relevance model keeps some of them
CLOSE_TITLE = 0.88  # character similarity of normalized titles; distinct seed titles reach 0.82

# ---------------------------------------------------------------- column cues

_PROBLEM = re.compile(
    r"\b(however|despite|challeng\w*|limitation\w*|limited|suffer\w*|lacks?|lacking|struggl\w*|"
    r"remain(?:s|ed)? (?:\w+ )?(?:unclear|open|challenging|difficult|limited|under-?explored|unknown|elusive|unsolved|unresolved"
    r"|scarce|poorly|largely|an? (?:open|key|major|significant) (?:challenge|problem|question|issue)|a challenge)|"
    r"difficult\w*|bottleneck\w*|costly|expensive|gap|unclear|fails?|failure\w*|hinder\w*|prohibitive\w*|vulnerab\w*|"
    r"unsatisfactory|insufficient|inadequate|unsuitable|ill-suited|inefficien\w*|impractical|drawback\w*|under-?explored|overlook\w*|issues?|"
    r"(?:the|this|these|a|an|key|main|fundamental|open|core|central|critical|important) problems? (?:of|that|is|are|remains?)|"
    r"(?:open|key|central|research|fundamental|important|natural|unanswered) questions?|questions? (?:remain|arise)"
    r"|raises? (?:the |a |an )?(?:\w+ )?question|no (?:consensus|clear|systematic|principled)|not (?:been |yet )?(?:well|fully|yet|extensively|"
    r"systematically|thoroughly|all)|(?:existing|current|prior|previous|conventional) (?:\w+ )?(?:methods?|approaches|"
    r"models?|work|works|research|studies|techniques|systems|solutions|frameworks?))\b|^(?:while|although|though|whereas)\b",
    re.I,
)
# "To address this limitation, we …" points back at a problem; it states the response to it.
_RESPONSE = re.compile(r"\b(?:to (?:address|tackle|overcome|solve|mitigate|bridge)|address(?:ing)?|solv(?:es|ed|ing)|to this end)\b", re.I)
# Generic "what we do" wording; CONTRIBUTION ("we propose/introduce/present …") is the strong cue.
_METHOD = re.compile(
    r"\b(?:we|this (?:paper|work|study|thesis|survey|review|report|article))\s+(?:\w+\s+){0,2}?(?:use|employ|adopt|leverage|apply|utili[sz]e|"
    r"examine|study|investigate|explore|extend|aim|seek|suggest|evaluate|consider|compare|overview|call|name|conduct|perform"
    r"|answer|conceptuali[sz]e|summari[sz]e|provide|cover)\w*|"
    r"\bour (?:method|approach|framework|model|technique|algorithm|training|architecture|system)\b|"
    r"\b(?:proposes?|introduces?|presents?)\b|\bis designed\b"
    r"|\bin this (?:paper|work|study|article|report),? we\b",  # "In this work, we scale sparse fine-tuning to …"
    re.I,
)
_DATA = re.compile(
    r"\b(datasets?(?!['’]s)|data sets?|benchmarks?|corpus|corpora|experiment\w* with (?:[\w-]+ ){0,4}(?:data|datasets?)|evaluat\w* (?:(?:our|the|their|these|its|all) (?:[\w-]+ ){0,2})?(?:on|across)"
    r"|experiments? (?:on|across)|trained on|"
    r"test sets?|suites?|collected|curated|annotated|demonstrations|tasks such as)\b",
    re.I,
)
# What a finding or an analysis must name to be the data cell: "Our experiments demonstrate … across multiple tasks" and
# "Our analysis … informs how data should be collected" are results, not the data (fresh labels, 2026-12-05).
_DATA_NOUN = re.compile(r"\b(?:datasets?|data sets?|benchmarks?|corpus|corpora|test sets?|suites?|tasks such as"
                        r"|evaluat\w* (?:(?:our|the|their|these|its|all) (?:[\w-]+ ){0,3})?(?:on|across))\b", re.I)
# "7 benchmarks", "seven representative datasets", "8 instruction datasets": what was used, counted.
_DATA_COUNT = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|various|diverse)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:datasets|benchmarks|corpora|tasks|languages|domains)\b",
    re.I,
)
_RESULT = re.compile(
    r"\b(outperform\w*|achiev\w*|improv\w*|state-of-the-art|surpass\w*|exceed\w*|speed-?ups?|reduc\w*|gains?|faster|"
    r"higher|lower|better|comparable|consistent(?:ly)?|effective(?:ness)?|(?<!to )demonstrat\w*)\b",
    re.I,
)
# Reports of what the authors found: results, never the problem the paper takes on.
_FINDING = re.compile(
    r"\b(?:we|our \w+)\s+(?:\w+\s+)?(?:find|found|show|observe|reveal|demonstrate|confirm|highlight)\w*|"
    r"\b(?:results?|findings?|experiments?|evaluations?|ablations?|studies)\s+(?:(?!to\b)\w+\s+)?"
    r"(?:show|reveal|demonstrate|indicate|suggest|highlight|confirm)\w*|\brevealing\b",
    re.I,
)
# Analyses (of failures, of behaviour): neither a problem statement nor a headline result.
_ANALYSIS = re.compile(r"\banalys[ie]s\b|\bwe\s+(?:\w+\s+)?analy[sz]e\b|[\w-]+-picked\b", re.I)
_OURS = re.compile(r"\b(?:we|our|us)\b", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s?(?:%|x\b|×|times\b)|\bby (?:up to |over |at least )?\d")


def _count(pattern: re.Pattern, text: str, cap: int = 3) -> int:
    return min(len(pattern.findall(text)), cap)


# A sentence that says where the code, data or models are: "Our code and dataset are available at https://…", "To
# facilitate further research, we release FS-LLM at …", "II-Bench is publicly available at …".
_RELEASE_LEAD = re.compile(
    r"^\W*(?:availability(?: and implementation)?:\s*)?(?:(?:finally|additionally|also|moreover|furthermore|in addition),\s*)?"
    r"(?:to (?:facilitate|foster|support|encourage|enable|promote|help)\b[^,]{0,100},\s*)?(?:"
    r"(?:the |our |all |both )?(?:[\w-]+ ){0,2}?(?:code|codes|codebase|data|dataset|datasets|models?|benchmarks?|project page"
    r"|implementations?|weights|checkpoints)\b.{0,100}?\b(?:is|are|will be|has been|have been|can be)\s+(?:made\s+)?(?:now\s+)?"
    r"(?:publicly |freely |openly )?(?:available|released|open[- ]sourced|found)\b"
    r"|(?!(?:while|although|though|whereas|since|because|if|when|as)\b)[\w-]+(?: [\w-]+){0,3} (?:is|are) (?:now )?"
    r"(?:publicly |freely |openly )?available\b"
    r"|we (?:will |have |also |further |progressively |publicly |openly )*(?:release|open[- ]source|made|make|created|maintain)\b"
    r"\s+(?:[\w,-]+\s+){0,8}?(?:code|codes|codebase|source code|model weights|weights|checkpoints|implementations?|models?"
    r"|toolkit|library|repository)\b)", re.I)


def is_release(sentence: str) -> bool:
    """Where code, data or models are (_RELEASE_LEAD, or RELEASE_ONLY's code release said in words), and nothing a
    column is for: no finding, no figure outside its links ("We release a benchmark of 5k questions …" is a
    contribution, "… results show …. Code at https://…", glued by a missing space, a result). Such a sentence had
    filled the method or data cell of 22 of the seeds' 429 papers."""
    bare = URL.sub("", sentence)
    said = _RELEASE_LEAD.search(sentence) or RELEASE_ONLY.search(bare)
    return bool(said) and not _FINDING.search(bare) and not re.search(r"(?<![\w-])\d", bare)


def column_scores(sentence: str, where: float) -> dict[str, float]:
    """How well one sentence fits each column; 0 where it has none of that column's cues.
    `where` is its place in the abstract, 0 (first) to 1 (last)."""
    if is_release(sentence):
        return dict.fromkeys(COMPARE_COLUMNS, 0.0)
    problem, data, result = _count(_PROBLEM, sentence), _count(_DATA, sentence), _count(_RESULT, sentence)
    contribution = bool(CONTRIBUTION.search(sentence))
    method = 2 * contribution + _count(_METHOD, sentence, cap=1)
    finding, analysis = bool(_FINDING.search(sentence)), bool(_ANALYSIS.search(sentence))
    numbers = _count(_NUMBER, sentence)
    response = bool(_RESPONSE.search(sentence))
    counted = _DATA_COUNT.search(sentence) is not None
    scores = {
        # A gap, a limitation, a challenge: early, and not what the authors propose, found or analysed.
        "problem": problem + 2.5 * (1 - where) - 1.5 * (where > 0.5) - 2 * (contribution or response)
        - 2 * (finding or analysis) - numbers if problem else 0.0,
        # The contribution: early to middle; a sentence of findings or numbers is a result.
        "method": method + (1 - where) + 0.5 * response - 1.5 * finding - numbers if method else 0.0,
        # Datasets, benchmarks, corpora (counted ones most); an opening sentence about data in
        # general ("trained on vast datasets") is background, not what this paper used.
        "data": 1.5 * data + 1.5 * counted + 0.75 * where - 0.5 * (finding or analysis)
        - 1.5 * (where < 0.35 and not _OURS.search(sentence))
        if (data or counted) and not ((finding or analysis) and not _DATA_NOUN.search(sentence)) else 0.0,
        # Outcomes: numbers and comparatives, late; findings count as results, analyses barely.
        "result": result + 1.5 * numbers + 1.5 * finding + 2 * where - 1 - analysis - contribution if result or finding else 0.0,
    }
    return {column: max(score, 0.0) for column, score in scores.items()}


MIN_CELL = 1.0  # a sentence scoring under this for a column leaves it "not stated"
FILLED = 1.0  # worth of a filled cell: a stated data set beats a second look at the result


def assign_columns(sentences: list[str]) -> dict[str, int | None]:
    """The sentence index for each column (None: not stated) that maximises the summed
    column scores, each sentence used at most once. Exhaustive over each column's best 4
    candidates (the other 3 columns can take at most 3 of them, so that loses nothing)."""
    last = max(len(sentences) - 1, 1)
    scores = [column_scores(s, i / last) for i, s in enumerate(sentences)]
    options = []
    for c in COMPARE_COLUMNS:
        ranked = sorted((i for i, s in enumerate(scores) if s[c] >= MIN_CELL), key=lambda i: -scores[i][c])
        options.append([None] + ranked[: len(COMPARE_COLUMNS)])
    best: tuple[float, tuple] = (0.0, (None,) * len(COMPARE_COLUMNS))
    for choice in itertools.product(*options):
        taken = [i for i in choice if i is not None]
        if len(taken) != len(set(taken)):
            continue
        total = sum(scores[i][c] + FILLED for c, i in zip(COMPARE_COLUMNS, choice) if i is not None)
        if total > best[0]:
            best = (total, choice)
    return dict(zip(COMPARE_COLUMNS, best[1]))


def _cells(paper: Paper, n: int) -> dict[str, ComparisonCell]:
    sentences = [s for s in split_sentences(paper.abstract) if len(s) >= 25]
    chosen = assign_columns(sentences)
    return {
        c: ComparisonCell(text=sentences[i], citation=n) if i is not None else ComparisonCell(text=NOT_STATED)
        for c, i in chosen.items()
    }


# ---------------------------------------------------------------- which papers

_SEPARATOR = re.compile(r"\s*(?:;|\n)\s*")
_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.I)


TITLE_WORDS = 40  # longer than any title: a part this long is a question, not a title


def named_titles(topic: str) -> tuple[list[str], bool]:
    """The titles a topic names ('A; B', one per line, 'A vs B') and whether they were separated
    by ';' or lines (certainly titles) rather than 'vs' (titles only if one of them matches)."""
    for separator, certain in ((_SEPARATOR, True), (_VERSUS, False)):
        parts = [" ".join(p.split()) for p in separator.split(topic) if p.strip()]
        if len(parts) >= 2:
            if len(parts) > 2 * MAX_PAPERS or any(len(p.split()) > TITLE_WORDS for p in parts):
                return [], False
            return parts, certain
    return [], False


def _title_keys(title: str) -> set[str]:
    """A title's normalized forms: whole, and each side of its main separator ('QLoRA: Efficient…')."""
    keys = {_key(title)}
    parts = re.split(r"\s*(?::|\s--?\s|\s—\s)\s*", title, maxsplit=1)
    if len(parts) == 2:
        keys.update(_key(p) for p in parts if len(_key(p)) >= 3)
    return keys - {""}


_TITLE_INDEX: dict[int, tuple[object, dict[str, set[str]]]] = {}


def _title_index(store) -> dict[str, set[str]]:
    """normalized title form → paper ids, built once per opened paper store."""
    cached = _TITLE_INDEX.get(id(store))
    if cached is None or cached[0] is not store:
        index: dict[str, set[str]] = {}
        for brief in store.briefs():
            for key in _title_keys(brief.title):
                index.setdefault(key, set()).add(brief.paper_id)
        if len(_TITLE_INDEX) >= 4:
            _TITLE_INDEX.clear()
        cached = _TITLE_INDEX[id(store)] = (store, index)
    return cached[1]


def find_title(assistant, name: str, filters: Filters | None) -> Paper | None:
    """The indexed paper a named title means: an exact (normalized) title first, then the
    retrieved paper whose title is closest, if it is close enough to be the same title."""
    store = assistant.retriever.index.papers
    allowed = assistant.retriever.allowed_papers(filters)
    key = _key(name)
    exact = sorted(pid for pid in _title_index(store).get(key, ()) if allowed is None or pid in allowed)
    if exact:
        whole = [pid for pid in exact if _key(store.brief(pid).title) == key]
        return store[(whole or exact)[0]]
    if len(key.split()) < 3:  # a short name ("LoRA") is close to other names ("FLoRA"): exact only,
        return introduced_by(assistant, name, allowed)  # or the one paper that introduces it
    best, best_ratio = None, CLOSE_TITLE
    for hit in assistant.retriever.search(name, k=5, filters=filters):
        ratio = max(difflib.SequenceMatcher(None, key, k).ratio() for k in _title_keys(hit.paper.title))
        if ratio >= best_ratio:
            best, best_ratio = hit.paper, ratio
    return best


def introduced_by(assistant, name: str, allowed: set[str] | None) -> Paper | None:
    """The one indexed paper whose abstract introduces the technical name `name` ("CoOp", "MVLPT",
    "SquareHead": named in their abstracts, not in their titles' leads), written as the corpus writes
    it; None when no paper or several do."""
    names = question_names(name, assistant.retriever.name_casing)
    if len(names) != 1 or len(names[0][1]) < 3 or _key(names[0][0]) != _key(name):
        return None
    spelled, key = names[0]
    store = assistant.retriever.index.papers
    owners = [pid for pid in assistant.retriever.papers_naming(spelled)
              if (allowed is None or pid in allowed) and owns(store[pid], key, naming=NAMING_CUES)]
    return store[owners[0]] if len(owners) == 1 else None


def topic_candidates(assistant, topic: str, filters: Filters | None = None, max_papers: int = MAX_PAPERS) -> tuple[list, list]:
    """The papers retrieved for a compare topic and their scored sentences: what the relevance
    model sees here (and what eval/fit_evidence.py chooses the compare bar on)."""
    hits = assistant.retriever.search(topic, k=max(CANDIDATES, max_papers), filters=filters)
    # Every candidate's sentences are scored: the relevance model weighs a paper's best sentence,
    # and a paper ranked 6th with none measured looked irrelevant however well it matched.
    sources = [Source(n=i + 1, paper=h.paper, score=h.score) for i, h in enumerate(hits)]
    return hits, assistant.scorer.score(topic, sources) if hits else []


FACET_POOL = 40  # a part's paper must be among the topic's own first papers (rag.facets)


def _relevant_papers(assistant, topic: str, filters: Filters | None, max_papers: int) -> tuple[list[Paper], list[str]]:
    """The retrieved papers the relevance model keeps (the top one always), and what to say about them; a topic that
    lists its parts takes each part's paper first (rag.facets), in as many rows as the relevance model keeps or the
    parts find, whichever is more (dev and the tuning batches: compare coverage 73.2 -> 73.9%, 1.544 -> 1.547 rows a
    needed paper)."""
    hits, scored = topic_candidates(assistant, topic, filters, max_papers)
    if not hits:
        raise QueryError("no indexed paper matches the filters", hint="widen the filters (sources, years) or ingest more papers")
    kept = [h.paper for h in assistant.policy.relevant_hits(topic, hits, scored, max_papers=max_papers, for_compare=True)]
    notes = []
    if listed_parts(topic)[1]:
        pool = [h.paper.paper_id for h in assistant.retriever.search(topic, k=FACET_POOL, filters=filters)]
        if found := papers_by_part(assistant.retriever, topic, pool, filters):
            by_part = [assistant.retriever.index.papers[pid] for _, pid in found]
            rows = min(max_papers, max(len(kept), len(by_part)))
            kept = list({p.paper_id: p for p in [*by_part, *kept]}.values())[:rows]
            # (which row answers which part the user listed: the rows they find come first, in the parts' order)
            notes.append("Each part you listed, searched on its own, found a row: "
                         + "; ".join(f"“{part}” [{n}]" for n, (part, _) in enumerate(found, start=1)) + ".")
    assessment = assistant.policy.assess(topic, hits, scored)
    if assessment.level == "none":
        notes.append(f"The indexed abstracts may not cover this topic ({assessment.reason}); this is the closest paper.")
    elif len(kept) == 1:
        notes.append("Only one indexed paper clearly matches this topic; name titles ('Title A; Title B') to compare others.")
    return kept, notes


def compare_papers(assistant, topic: str, filters: Filters | None = None, max_papers: int = MAX_PAPERS) -> Comparison:
    """Papers on a topic (or named by title) side by side, each cell quoted from its own abstract."""
    pasted, topic = topic, check_query(topic)
    t0 = time.perf_counter()
    names, certain = named_titles(pasted) if is_question_sized(fold(pasted)) else ([], False)
    papers: list[Paper] = []
    not_found: list[str] = []
    notes: list[str] = []
    for name in names:
        paper = find_title(assistant, check_query(name), filters)
        if paper is None:
            not_found.append(name)
        elif paper not in papers:
            papers.append(paper)
    if names and not papers and certain:
        shown = "; ".join(f"“{n}”" for n in not_found[:4])
        raise QueryError(
            f"no indexed paper has the title(s) {shown}",
            hint="check the titles (`rag search` lists close ones), or give a topic instead of titles",
        )
    if not papers:  # a topic, or 'A vs B' naming methods rather than titles
        not_found = []
        topic = find_question(pasted).question  # a long paste: the question found in it
        papers, notes = _relevant_papers(assistant, topic, filters, max_papers)
        # "chatbots" searched as "large language models" (HybridRetriever.search)
        if searched_as := assistant.retriever.field_terms_note(topic):
            notes = [searched_as, *notes]
    rows = tuple(ComparisonRow(paper=p, n=n, cells=_cells(p, n)) for n, p in enumerate(papers, start=1))
    return Comparison(
        topic=topic,
        columns=COMPARE_COLUMNS,
        rows=rows,
        not_found=tuple(not_found),
        notes=tuple(notes),
        timings_ms={"total_ms": round((time.perf_counter() - t0) * 1000, 1)},
    )
