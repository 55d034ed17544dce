"""How long `rag ask` takes when a process asks again through a new Engine (each in-process CLI
call, the Python API and the MCP server open one): the first ask embeds the answer's abstracts and
reads the corpus' name tables; later ones reuse them (kept per process).

    RAG_DATA_DIR=<an index> python -m bench.repeat_ask [ROUNDS]
"""

from __future__ import annotations

import sys
import time

from click.testing import CliRunner

from rag.cli import cli

QUESTIONS = ("How does QLoRA reduce memory when fine-tuning?", "Which papers compress the KV cache?", "compare LoRA and QLoRA")


def main(argv: list[str] | None = None) -> None:
    rounds = int((argv or sys.argv[1:] or ["2"])[0])
    runner = CliRunner()
    for r in range(rounds):
        for question in QUESTIONS:
            t0 = time.perf_counter()
            result = runner.invoke(cli, ["ask", "--json", "--answerer", "extractive", question])
            print(f"round {r + 1}  {time.perf_counter() - t0:5.2f} s  exit {result.exit_code}  {question}")


if __name__ == "__main__":
    main()
