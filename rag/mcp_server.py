"""`rag mcp`: the index as a Model Context Protocol server (stdio) for AI assistants.

Tools: search_papers, ask, find_paper, compare_papers, list_papers; each paper is also a
resource `paper://<paper_id>` (title, authors, date, links, abstract). Built on the official
`mcp` SDK (2.x: `MCPServer`). A RagError (no index, an empty question, an LLM that is down)
comes back as an MCP tool error carrying its hint, never as a crash of the server.

An adapter: it imports `rag`; only the `rag mcp` command imports it
(tests/test_import_direction.py). stdout belongs to the protocol: nothing here prints.
"""

# No `from __future__ import annotations`: the SDK reads the tools' annotations at run time,
# and they name types local to build_server.
import functools
import logging
from typing import Annotated, Callable, TypeVar

from pydantic import Field

from rag.errors import ConfigError, RagError
from rag.library import Library
from rag.types import Hit, Paper

log = logging.getLogger(__name__)

SERVER_NAME = "paper-rag"
INSTRUCTIONS = (
    "Research-paper abstracts indexed by paper-rag. Use search_papers to find papers, ask for a short answer "
    "whose claims cite papers as [n], find_paper for 'which paper proposed X?', compare_papers for a table of "
    "several papers' problem, method, data and result, list_papers for every indexed paper. Quote titles exactly "
    "as given; the answers only know the abstracts."
)

T = TypeVar("T")


def _sdk():
    """The `mcp` SDK, or a ConfigError that says how to install it."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
        from mcp_types import CallToolResult, TextContent
    except ImportError as exc:
        raise ConfigError(
            f"the MCP server needs the `mcp` package ({exc.name} is missing)",
            hint="pip install 'mcp==2.3.0' (it is a dependency of paper-rag: reinstall paper-rag)",
        ) from None
    return MCPServer, ToolError, ResourceNotFoundError, CallToolResult, TextContent


def _paper_json(paper: Paper) -> dict:
    return {
        "paper_id": paper.paper_id,
        "title": paper.title,
        "url": paper.url,
        "code_url": paper.code_url,
        "published": paper.published,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "resource": f"paper://{paper.paper_id}",
    }


def _hit_json(hit: Hit) -> dict:
    return {"rank": hit.rank, "score": hit.score, "snippet": hit.snippet, **_paper_json(hit.paper)}


def paper_markdown(paper: Paper) -> str:
    """A paper as one Markdown document: what `paper://<id>` returns."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines.append("Authors: " + ", ".join(paper.authors))
    if paper.published:
        lines.append(f"Published: {paper.published}")
    if paper.venue:
        lines.append(f"Venue: {paper.venue}")
    if paper.url:
        lines.append(f"Paper: {paper.url}")
    if paper.doi:
        lines.append(f"DOI: https://doi.org/{paper.doi}")
    if paper.arxiv_id:
        lines.append(f"arXiv: https://arxiv.org/abs/{paper.arxiv_id}")
    if paper.code_url:
        lines.append(f"Code: {paper.code_url}")
    lines.append(f"Listed in: {', '.join(paper.sources)}")
    lines += ["", "## Abstract", "", paper.abstract, ""]
    return "\n".join(lines)


def build_server(library: Library):
    """An MCPServer over `library` (nothing is opened until a tool or resource needs it)."""
    MCPServer, ToolError, ResourceNotFoundError, CallToolResult, TextContent = _sdk()
    from rag.render import answer_footer, comparison_json, comparison_markdown, lookup_json, lookup_text

    server = MCPServer(SERVER_NAME, instructions=INSTRUCTIONS, log_level="WARNING")

    def guarded(job: Callable[[], T]) -> T:
        """Run a job; a RagError becomes a tool error whose text says what to do."""
        try:
            return job()
        except RagError as exc:
            raise ToolError(exc.message + (f"\nhint: {exc.hint}" if exc.hint else "")) from None

    def result(text: str, data: dict):
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)

    Query = Annotated[str, Field(description="The question or search words (up to 20,000 characters).")]

    @server.tool(description=(
        "Search the indexed paper abstracts (hybrid dense + keyword retrieval). Returns the best-matching papers, "
        "best first: rank, title, score, a snippet of the matching abstract text, paper_id, url, code_url, published "
        "date and the paper:// resource to read the whole abstract."
    ))
    def search_papers(
        query: Query,
        k: Annotated[int, Field(ge=1, le=50, description="How many papers to return.")] = 5,
        year_min: Annotated[int | None, Field(description="Only papers published in or after this year.")] = None,
        year_max: Annotated[int | None, Field(description="Only papers published in or before this year.")] = None,
    ) -> CallToolResult:
        hits = guarded(lambda: library.search(query, k=k, year_min=year_min, year_max=year_max))
        lines = [f"{h.rank}. {h.paper.title} (paper://{h.paper.paper_id})\n   {h.snippet}" for h in hits]
        return result("\n".join(lines) or "no matching papers", {"query": query, "hits": [_hit_json(h) for h in hits]})

    @server.tool(description=(
        "Answer a question from the indexed abstracts. Returns a short answer whose every claim cites a paper as [n], "
        "then the sources ([n] exact title — link), plus the evidence level: 'strong' (answered), 'weak' (only the "
        "closest evidence; says so) or 'none' (the abstracts do not cover it: an abstention naming the closest papers). "
        "Structured content: answer, evidence, evidence_probability, abstained, citations (n, title, paper_id, url, "
        "supported, support), notes."
    ))
    def ask(
        question: Query,
        k: Annotated[int | None, Field(ge=1, le=20, description="Papers given to the answerer (default 5).")] = None,
    ) -> CallToolResult:
        answer = guarded(lambda: library.ask(question, k=k))
        text = "\n\n".join(part for part in (answer.preface, answer.text, answer_footer(answer)) if part)
        data = {
            "answer": answer.text,
            "preface": answer.preface,
            "evidence": answer.evidence,
            "evidence_probability": answer.evidence_probability,
            "abstained": answer.abstained,
            "answerer": answer.answerer,
            "citations": [
                {"n": c.n, "title": c.title, "paper_id": c.paper_id, "url": c.url, "supported": c.supported, "support": c.support}
                for c in answer.citations
            ],
            "notes": list(answer.notes),
        }
        return result(text, data)

    @server.tool(description=(
        "Citation lookup: which paper proposed, introduced or first described something ('Which paper introduced NF4?'). "
        "Returns the best paper's exact title and link, a confidence in [0, 1], the abstract sentence stating the "
        "contribution, and runner-up papers; or says that no indexed abstract names one."
    ))
    def find_paper(question: Query) -> CallToolResult:
        found = guarded(lambda: library.cite(question))
        data = lookup_json(found)
        data["paper_id"] = found.paper.paper_id if found.paper else None
        return result(lookup_text(found), data)

    @server.tool(description=(
        "Compare papers side by side: give a topic (compares the relevant papers) or exact titles separated by ';'. "
        "Returns a Markdown table (paper, problem, method, data, result) in which every cell is quoted from that "
        "paper's abstract with its [n] or says 'not stated in abstract', followed by the numbered titles; the rows "
        "as structured content (topic, columns, rows[n, title, cells], not_found, notes)."
    ))
    def compare_papers(
        topic: Query,
        max_papers: Annotated[int, Field(ge=1, le=8, description="Most papers to compare.")] = 8,
    ) -> CallToolResult:
        comparison = guarded(lambda: library.compare(topic, max_papers=max_papers))
        data = comparison_json(comparison)
        data.update(not_found=list(comparison.not_found), notes=list(comparison.notes))
        text = comparison_markdown(comparison) if comparison.rows else "No indexed papers match this topic."
        extra = [f'not found: "{t}"' for t in comparison.not_found] + [f"note: {n}" for n in comparison.notes]
        return result("\n".join([text, *extra]), data)

    @server.tool(description=(
        "List every indexed paper. Returns one line per paper (paper_id, exact title, published date) and, as "
        "structured content, count and papers (paper_id, title, url, code_url, published, its paper:// resource; "
        "read the resource for the abstract)."
    ))
    def list_papers() -> CallToolResult:
        papers = guarded(library.papers)
        lines = [f"{p.paper_id}  {p.title}" + (f"  [{p.published}]" if p.published else "") for p in papers]
        return result("\n".join(lines) or "the index holds no papers", {"count": len(papers), "papers": [_paper_json(p) for p in papers]})

    @server.resource("paper://{paper_id}", name="paper", mime_type="text/markdown",
                     description="One indexed paper: title, authors, date, links and the whole abstract.")
    def paper_resource(paper_id: str) -> str:
        try:
            return paper_markdown(library.paper(paper_id))
        except RagError as exc:
            raise ResourceNotFoundError(f"{exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from None

    _list_papers_as_resources(server, library)
    return server


def _list_papers_as_resources(server, library: Library) -> None:
    """Each indexed paper as a listed resource, so a client can browse them; with no index
    yet there are none (the paper:// template still answers once one is built)."""
    from mcp.server.mcpserver.resources import FunctionResource

    try:
        papers = library.papers()
    except RagError as exc:
        log.warning("no papers to list as resources: %s", exc)
        return
    for paper in papers:
        server.add_resource(FunctionResource.from_function(
            fn=functools.partial(paper_markdown, paper),
            uri=f"paper://{paper.paper_id}",
            name=paper.paper_id,
            title=paper.title,
            description=f"{paper.title}" + (f" ({paper.published[:4]})" if paper.published else ""),
            mime_type="text/markdown",
        ))


def serve(settings) -> None:
    """Run the server on stdin/stdout until the client closes it."""
    build_server(Library(settings)).run("stdio")
