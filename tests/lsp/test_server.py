"""End-to-end tests of `rulegate server` with a real LSP client (pytest-lsp,
from PyPI): initialize, diagnostics on open and change, a fix and a
suppression as code actions, source.fixAll.rulegate, hover, a broken pack
and its recovery, shutdown/exit; and the latency on a 3,000-line file.

    RULEGATE=target/release/rulegate python -m pytest -q -s tests/lsp
"""

import os
import pathlib
import shutil
import tempfile
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

RULEGATE = os.environ.get("RULEGATE", str(pathlib.Path(__file__).parents[2] / "target/release/rulegate"))
PROJECT = tempfile.mkdtemp(prefix="rulegate-lsp-")
PACK = """[pack]
name = "team"
[[rule]]
id = "TEAM001"
severity = "warning"
message = "use the logger, not `print()`"
query = '(call function: (identifier) @f) @call'
where.f.in = ["print"]
fix = { template = "logger.info()", applicability = "safe" }
explain = "Production code logs through `logging`."
"""
pathlib.Path(PROJECT, "rulegate.toml").write_text('packs = ["builtin:t4", "team.toml"]\n')
pathlib.Path(PROJECT, "team.toml").write_text(PACK)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[RULEGATE, "server"], server_env={"RULEGATE_TODAY": "2026-01-01", **os.environ}),
)
async def client(lsp_client: LanguageClient):
    uri = pathlib.Path(PROJECT).as_uri()
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="project")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def open_doc(client, name, text, version=1):
    uri = pathlib.Path(PROJECT, name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    return uri


async def diagnostics_for(client, uri):
    # A publication may have arrived before this call (the server publishes
    # a pack's diagnostics and the open files' in a row): look first, then wait.
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics.pop(uri)


@pytest.mark.asyncio
async def test_diagnostics_on_open_and_change(client: LanguageClient):
    uri = open_doc(client, "a.py", "x = 1\nimport os\nprint(os)\n")
    diags = await diagnostics_for(client, uri)
    codes = sorted(d.code for d in diags)
    assert codes == ["E402", "TEAM001"], diags
    e402 = next(d for d in diags if d.code == "E402")
    assert e402.source == "rulegate"
    assert e402.severity == types.DiagnosticSeverity.Error
    assert e402.range.start == types.Position(line=1, character=0)
    # The unsaved text is what is linted.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="import os\nx = 1\n")],
        )
    )
    assert list(await diagnostics_for(client, uri)) == []


@pytest.mark.asyncio
async def test_code_actions_fix_all_and_hover(client: LanguageClient):
    text = "import os\nprint(os)\n"
    uri = open_doc(client, "b.py", text)
    diags = await diagnostics_for(client, uri)
    assert [d.code for d in diags] == ["TEAM001"]
    whole = types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=9))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=whole,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    titles = [a.title for a in actions]
    assert any(t.startswith("TEAM001 (safe):") for t in titles), titles
    suppress = next(a for a in actions if a.title == "Suppress TEAM001 with a reason")
    (edit,) = suppress.edit.changes[uri]
    assert edit.new_text == "  # noqa: TEAM001 -- <reason>"
    assert edit.range.start == types.Position(line=1, character=9)
    fix = next(a for a in actions if a.title.startswith("TEAM001 (safe):"))
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "logger.info()"
    fix_all = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=whole,
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.rulegate"]),
        )
    )
    assert [a.kind for a in fix_all] == ["source.fixAll.rulegate"]
    assert fix_all[0].edit.changes[uri][0].new_text == "import os\nlogger.info()\n"
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=2))
    )
    assert "Production code logs through `logging`." in hover.contents.value


@pytest.mark.asyncio
async def test_a_broken_pack_is_shown_at_its_span_and_the_last_good_run_serves(client: LanguageClient):
    pack = pathlib.Path(PROJECT, "team.toml")
    uri = open_doc(client, "c.py", "print(1)\n")
    assert [d.code for d in await diagnostics_for(client, uri)] == ["TEAM001"]
    pack.write_text(PACK.replace('severity = "warning"', 'severity = "fatal"'))
    pack_uri = pack.as_uri()
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=pack_uri)))
    diags = await diagnostics_for(client, pack_uri)
    assert len(diags) == 1 and diags[0].range.start.line == 4, diags
    assert "fatal" in diags[0].message
    # The Python file is still linted with the last good packs.
    assert [d.code for d in await diagnostics_for(client, uri)] == ["TEAM001"]
    pack.write_text(PACK)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=pack_uri)))
    assert list(await diagnostics_for(client, pack_uri)) == []


@pytest.mark.asyncio
async def test_latency_on_a_3000_line_file(client: LanguageClient):
    lines = ["import os", "import sys", ""]
    for i in range(1000):
        lines += [f"def f{i}(x):", f"    return os.path.join(str(x), '{i}')", ""]
    text = "\n".join(lines) + "\n"
    assert text.count("\n") >= 3000
    t = time.perf_counter()
    uri = open_doc(client, "big.py", text)
    await diagnostics_for(client, uri)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + "x = 1\nimport json\n")],
        )
    )
    diags = await diagnostics_for(client, uri)
    changed = time.perf_counter() - t
    assert [d.code for d in diags] == ["E402"]
    print(f"\nlatency on a {text.count(chr(10))}-line file: open {opened * 1000:.0f} ms, change {changed * 1000:.0f} ms")


def teardown_module():
    shutil.rmtree(PROJECT, ignore_errors=True)
