"""Everyday words for the field's terms ("chatbot", "pictures", "tongues", "polishing a model"), rewritten
into the vocabulary abstracts use before searching.

Researchers describing a paper in their own words, or a colleague outside the field, say "a chatbot"
where every abstract says "large language model", "pictures and clips" for "images and videos",
"trial and error" for "reinforcement learning". MiniLM places such words far from the abstract's,
and BM25 does not match them at all. The table is general (the field's vocabulary, not any paper's):
a question without an everyday word is searched exactly as written.
"""

from __future__ import annotations

import re

# everyday wording (regex, matched case-insensitively on word boundaries) -> the field's term; a noun's term
# is written singular and takes an "s" where the everyday word was plural ("chatbots" -> "large language models")
_NOUN, _OTHER = True, False
# who is taught when teaching is of people, not of a model
_PEOPLE = (r"(?:students?|kids?|children|child|pupils?|people|learners?|class(?:es|rooms?)?|staff|patients?|parents?|humans?"
           r"|readers?|users?|nurses?|doctors?|clinicians?|volunteers?|visitors?|teachers?|colleagues?|us|me|you)\b")
_LAY_TO_TERM: tuple[tuple[str, str, bool], ...] = (
    # models
    (r"(?:ai\s+)?chat\s*bots?|chat\s+(?:assistants?|models?|systems?|agents?)|(?:ai|digital|virtual)\s+assistants?",
     "large language model", _NOUN),
    (r"(?:next[- ]word|next[- ]token|word|text)\s+predictors?|text\s+generators?|(?<!-)language\s+engines?", "language model", _NOUN),
    (r"picture[- ](?:capable|reading|understanding)|seeing(?=\s+(?:chat|ai\b|models?\b|assistants?\b|language\b))",
     "vision-language", _OTHER),
    (r"(?:neural\s+)?nets|neural\s+net", "neural network", _NOUN),
    (r"picture[- ]and[- ](?:words?|text|captions?|language|writing)", "vision-language", _OTHER),
    # the model taught and the one it teaches ("soaks up know-how from a giant mentor", "a cheap quick pupil"); a
    # pupil only as a model: after a word of size or cost, before "model", or with a teacher in its sentence
    (r"mentors?(?:\s+(?:model|net(?:work)?)s?)?", "teacher model", _NOUN),
    (r"(?:(?<=small )|(?<=smaller )|(?<=little )|(?<=littler )|(?<=tiny )|(?<=quick )|(?<=cheap )|(?<=lean ))pupils?"
     r"(?:\s+(?:model|net(?:work)?|system)s?)?|pupils?\s+(?:model|net(?:work)?|system)s?"
     r"|pupils?(?=[^.?!]*\b(?:teacher|mentor|tutor)s?\b)", "student model", _NOUN),
    (r"graphics\s+(?:cards?|chips?)|video\s+cards?", "GPU", _NOUN),
    # (the verbs too: "can we bolt on small plug-ins …" asks for adapter modules; read as a noun only, the fresh
    # batches lost that question and dev one refusal's closest papers changed)
    (r"add[- ]ons?|bolt[- ]ons?", "adapter module", _NOUN),
    (r"freely\s+(?:downloadable|available)|downloadable|open[- ]weights?", "open-source", _OTHER),
    # data kinds
    (r"pictures?|photos?|photographs?", "image", _NOUN),
    (r"(?:video\s+)?(?-i:clips)|footage", "videos", _OTHER),
    (r"sound(?=\s*(?:,|and\b|or\b|\)))|sound\s+(?:clips|files|recordings)", "audio", _OTHER),
    (r"tongues?", "language", _NOUN),
    (r"(?:hand[- ])?(?:labell?ed|annotated|tagged)\s+(?:examples|samples|cases|sentences)", "labeled data", _OTHER),
    # training and inference
    (r"(?-i:polish(?:ing|ed|es)?)|tun(?:ing|ed)\s+up|touch(?:ing)?[- ]up", "fine-tuning", _OTHER),
    (r"trial[- ]and[- ]error(?:\s+(?:learning|training|optimi[sz]ation))?", "reinforcement learning", _OTHER),
    # teaching a model is training it ("teach one copy of a chatbot to solve sums", "a net schooled on other tag sets");
    # not teaching people ("teaching students", "teach nurses to …")
    *((rf"(?:{lay})(?!\s+(?:[\w-]+\s+){{0,2}}?{_PEOPLE}|\s+assistants?\b)", term, _OTHER)
      for lay, term in (("teaching|schooling", "training"), ("teach", "train"), ("teaches", "trains"), ("taught|schooled", "trained"))),
    (r"(?:directive|instruction|command)[- ](?:following|obeying)", "instruction-following", _OTHER),
    (r"(?:users?'?s?|human|people's|your)\s+directions|directives?", "instruction", _NOUN),
    (r"step[- ]by[- ]step\s+(?:thinking|reasoning)|think(?:ing)?\s+step\s+by\s+step|show(?:ing)?\s+(?:its|their)\s+work",
     "chain-of-thought reasoning", _OTHER),
    (r"squeez(?:e|es|ed|ing)|shrink(?:s|ing)?|slim(?:ming)?\s+down", "compress", _OTHER),
    (r"making\s+(?:things|stuff|facts)\s+up|made[- ]up\s+(?:facts|answers|content)|invent(?:s|ing)?\s+facts", "hallucination", _OTHER),
    (r"look(?:s|ing)?\s+up\s+(?:documents|passages|sources)|fetch(?:es|ing)?\s+(?:documents|passages)", "retrieval", _OTHER),
    (r"panel\s+of\s+(?:specialists|experts)|specialist\s+sub[- ]?networks", "mixture of experts", _OTHER),
    # tasks and settings
    (r"jobs?|chores?", "task", _NOUN),
    (r"self[- ]driving(?:\s+cars?)?|driverless\s+cars?", "autonomous driving", _OTHER),
    (r"(?:mechanical|robot(?:ic)?)\s+arms?", "robot manipulation", _OTHER),
    (r"writing\s+(?:software|code|programs)|software\s+writing|coding\s+assistants?", "code generation", _OTHER),
    (r"encyclopa?edias?", "Wikipedia knowledge base", _OTHER),
    (r"quizz(?:es|ing)", "benchmark", _OTHER),
    # (to train on: not "pick which examples to put in the prompt", which asks for in-context example selection)
    # ("choosing, filtering or cleaning which examples go into …", "which instruction-tuning examples …": dev-94, dev-97)
    (r"(?:choos|pick|select|filter|clean)(?:e|es|ed|ing|s)?(?:,?\s+(?:or\s+|and\s+)?(?:choos|pick|select|filter|clean)(?:e|es|ed|ing|s)?)*"
     r"\s+(?:which|what|the\s+(?:best|right)|good|useful)\s+"
     r"(?:training\s+|fine-?tuning\s+|instruction[- ]tuning\s+)?(?:examples|samples|data|instances)"
     r"(?=[^.?!;]{0,100}?\b(?:fine-?tun|train|tuning|instruction|dataset|keep|pool|curat|sft)\w*)", "data selection", _OTHER),
    (r"without\s+(?:pooling|sharing|moving|exchanging|centrali[sz]ing|collecting)\s+(?:their|its|the|any)?\s*"
     r"(?:own\s+|raw\s+|private\s+|local\s+|patient\s+|user\s+)?(?:data|files|texts?|records|datasets?)"
     r"|(?:raw\s+|private\s+|patient\s+|local\s+)?(?:data|records|files)\s+(?:never|(?:do|does)(?:n't|\s+not))\s+leav(?:e|es|ing)"
     # (the kept thing ends there: not "… so the language model keeps its own text abilities", dev-100: searched as
     # "federated learning", the comparison's first rows were federated papers)
     r"|keep(?:s|ing)?\s+(?:their|its)\s+(?:own\s+)?(?:data|records|texts?)(?:\s+(?:local|private|at\s+home|on[- ](?:site|premises)))?"
     r"(?=\s*(?:[.,;:?!)]|$)|\s+(?:and|or|but|so|while|when|where|with|without|in|on|at|to|from|for|behind|inside|within)\b)",
     "federated learning", _OTHER),
    # a chat's shorthand for the field's words (lower case only: "COMM" is a method's name)
    (r"(?-i:comms)", "communication", _OTHER),
    (r"(?-i:params)", "parameters", _OTHER),
    (r"(?-i:hyperparams)", "hyperparameters", _OTHER),
    (r"(?-i:algos?)", "algorithm", _NOUN),
    (r"(?<![/.-])(?-i:lms?)(?![/-])", "language model", _NOUN),  # (not in "…/biochemical-lms-for-…")
)
# British spellings of the field's verbs, for BM25 (abstracts mostly write "optimize", "tokenization")
_BRITISH = re.compile(
    r"\b(optim|general|regular|normal|token|summar|character|visual|util|minim|maxim|recogn|organ|special|personal"
    r"|initial|categor|priorit|standard|parameter|quant|vector|real|emphas|stabil|central|modern|local|custom|random"
    r"|serial|canonical|contextual|lemmat|anonym|synchron|memor|operational|discret)is(e|es|ed|ing|er|ers|ation|ations)\b",
    re.I,
)
_PATTERNS = tuple((re.compile(rf"\b(?:{lay})\b", re.I), term, noun) for lay, term, noun in _LAY_TO_TERM)


def _spans(question: str) -> list[tuple[int, int, str]]:
    """(start, end, the field's term) of each everyday wording, in question order; earlier table rows win overlaps."""
    spans: list[tuple[int, int, str]] = []
    for pattern, term, noun in _PATTERNS:
        for m in pattern.finditer(question):
            said = term + "s" if noun and m.group(0)[-1] in "sS" else term
            # (a term written as the term, "Instruction-Following", stays)
            if m.group(0).casefold() != said.casefold() and all(m.end() <= a or m.start() >= b for a, b, _ in spans):
                spans.append((m.start(), m.end(), said))
    return sorted(spans)


def field_terms(question: str) -> list[tuple[str, str]]:
    """(everyday words, the field's term) for each rewrite in_field_terms makes, in question order."""
    return [(question[a:b], term) for a, b, term in _spans(question)]


def in_field_terms(question: str) -> str:
    """The question with its everyday words replaced by the field's terms, and British -ise
    spellings as -ize; the question itself when it has none."""
    out, at = [], 0
    for start, end, term in _spans(question):
        out += [question[at:start], term]
        at = end
    return _BRITISH.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", "".join(out) + question[at:])


def field_terms_note(question: str) -> str | None:
    """What the reader is told: 'Searched “chatbots” as “large language models”.' (None: nothing rewritten)."""
    pairs = list(dict.fromkeys(field_terms(question)))
    if not pairs:
        return None
    return "Searched " + ", ".join(f"“{lay}” as “{term}”" for lay, term in pairs[:4]) + " (the words abstracts use)."
