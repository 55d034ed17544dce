"""`rag mcp` driven by the official MCP SDK's own client over a real stdio subprocess."""

from __future__ import annotations

import asyncio

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

from conftest import rag_command

QLORA = "QLoRA: Efficient Finetuning of Quantized LLMs"
TOOLS = {"search_papers", "ask", "find_paper", "compare_papers", "list_papers"}


def _server(data_dir) -> StdioServerParameters:
    command = rag_command()
    return StdioServerParameters(command=command[0], args=[*command[1:], "mcp"], env={"RAG_DATA_DIR": str(data_dir)})


def _run(session) -> dict:
    """Run `session(client)` against a fresh `rag mcp` and return what it collected."""
    return asyncio.run(session)


@pytest.fixture(scope="module")
def seed_session(seed_index):
    """One server over the seed index; every call the tests look at, made in one session."""

    async def session() -> dict:
        out: dict = {}
        async with Client(_server(seed_index.data_dir), read_timeout_seconds=120) as client:
            out["tools"] = (await client.list_tools()).tools
            out["ask"] = await client.call_tool("ask", {"question": "How does QLoRA fine-tune a 65B model on a single GPU?"})
            out["find"] = await client.call_tool("find_paper", {"question": "Which paper introduced NF4?"})
            out["search"] = await client.call_tool("search_papers", {"query": "compressing the KV cache", "k": 3})
            out["compare"] = await client.call_tool("compare_papers", {"topic": "mixture of experts", "max_papers": 3})
            out["list"] = await client.call_tool("list_papers", {})
            out["bad_k"] = await client.call_tool("search_papers", {"query": "KV cache", "k": 0})
            out["empty"] = await client.call_tool("ask", {"question": "   "})
            out["resources"] = (await client.list_resources()).resources
            out["templates"] = (await client.list_resource_templates()).resource_templates
            qlora_id = out["find"].structured_content["paper_id"]
            out["paper"] = await client.read_resource(f"paper://{qlora_id}")
            try:
                await client.read_resource("paper://no-such-paper")
            except MCPError as exc:
                out["missing"] = exc
            out["after_errors"] = await client.call_tool("find_paper", {"question": "Which paper introduced NF4?"})
        return out

    return _run(session())


def test_lists_the_tools_with_descriptions_of_what_they_return(seed_session):
    tools = {t.name: t for t in seed_session["tools"]}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and "return" in tool.description.lower()
        assert tool.input_schema["type"] == "object"
    assert tools["search_papers"].input_schema["required"] == ["query"]


def test_ask_gives_a_cited_answer_with_its_evidence_level(seed_session):
    result = seed_session["ask"]
    assert not result.is_error
    text = result.content[0].text
    assert "[1]" in text and f"[1] {QLORA}" in text
    data = result.structured_content
    assert data["evidence"] == "strong" and data["abstained"] is False
    assert data["citations"][0]["title"] == QLORA and data["citations"][0]["supported"] is True


def test_find_paper_names_the_qlora_paper(seed_session):
    result = seed_session["find"]
    assert not result.is_error
    assert result.content[0].text.startswith(QLORA)
    assert result.structured_content["title"] == QLORA and "NF4" in result.structured_content["evidence"]


def test_search_compare_and_list(seed_session):
    hits = seed_session["search"].structured_content["hits"]
    assert len(hits) == 3 and hits[0]["rank"] == 1 and hits[0]["resource"].startswith("paper://")
    compare = seed_session["compare"]
    assert not compare.is_error
    assert compare.content[0].text.startswith("| paper | problem | method | data | result |")
    rows = compare.structured_content["rows"]
    assert 2 <= len(rows) <= 3 and set(rows[0]["cells"]) == {"problem", "method", "data", "result"}
    listing = seed_session["list"].structured_content
    assert listing["count"] == 429 and len(listing["papers"]) == 429


def test_papers_are_resources(seed_session):
    assert len(seed_session["resources"]) == 429
    assert all(str(r.uri).startswith("paper://") for r in seed_session["resources"])
    assert [t.uri_template for t in seed_session["templates"]] == ["paper://{paper_id}"]
    text = seed_session["paper"].contents[0].text
    assert text.startswith(f"# {QLORA}") and "## Abstract" in text and "65B" in text
    assert "no indexed paper" in str(seed_session["missing"])


def test_bad_arguments_are_tool_errors_with_a_hint_and_the_server_goes_on(seed_session):
    bad = seed_session["bad_k"]
    assert bad.is_error and "greater than or equal to 1" in bad.content[0].text
    empty = seed_session["empty"]
    assert empty.is_error
    assert "the question is empty" in empty.content[0].text and "hint:" in empty.content[0].text
    assert not seed_session["after_errors"].is_error


def test_a_question_while_no_index_exists_is_a_tool_error(tmp_path):
    async def session() -> dict:
        async with Client(_server(tmp_path / "no-index"), read_timeout_seconds=120) as client:
            return {
                "tools": (await client.list_tools()).tools,
                "ask": await client.call_tool("ask", {"question": "How does QLoRA fine-tune a 65B model on a single GPU?"}),
                "resources": (await client.list_resources()).resources,
                "list": await client.call_tool("list_papers", {}),
            }

    out = _run(session())
    assert {t.name for t in out["tools"]} == TOOLS
    assert out["ask"].is_error
    text = out["ask"].content[0].text
    assert "no index in" in text and "hint: build it first: rag ingest" in text
    assert out["resources"] == []
    assert out["list"].is_error
