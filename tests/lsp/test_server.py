"""End-to-end tests of `rulegate server` with a real LSP client (pytest-lsp,
from PyPI): initialize, diagnostics on open and on incremental changes,
fixes and suppressions as versioned code actions, source.fixAll.rulegate,
hover over several findings, non-ASCII edits followed at once by requests,
stale requests, oversized messages, shutdown semantics, broken packs and
configs, edits for clients with and without `documentChanges`, positions
on mixed line endings (the CLI's and ruff's), an open answered from the
lint cache against a fresh lint, and the latency on a 3,003-line file.

    RULEGATE=target/release/rulegate python -m pytest -q -s tests/lsp

No test depends on timing: where the server may legitimately answer a
request either for the version it was asked about or with ContentModified
(the text moved on while it waited), both answers are checked for
correctness; the Rust unit tests of `src/server` pin down each ordering.
"""

import asyncio
import os
import pathlib
import json
import re
import shutil
import subprocess
import tempfile
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp import client as pytest_lsp_client

RULEGATE = os.path.abspath(os.environ.get("RULEGATE", str(pathlib.Path(__file__).parents[2] / "target/release/rulegate")))
ENV = {**os.environ, "RULEGATE_TODAY": "2026-01-01"}
CONTENT_MODIFIED = -32801
INVALID_REQUEST = -32600
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
BROKEN_PACK = PACK.replace('severity = "warning"', 'severity = "fatal"')


def make_project(pack):
    root = tempfile.mkdtemp(prefix="rulegate-lsp-")
    pathlib.Path(root, "rulegate.toml").write_text('packs = ["builtin:t4", "team.toml"]\n')
    pathlib.Path(root, "team.toml").write_text(pack)
    return root


PROJECT = make_project(PACK)
BROKEN = make_project(BROKEN_PACK)  # a typo in the team pack before the editor starts
SMALL_LIMIT = 100_000


# A client that applies edits naming a document version (as VS Code, Neovim
# and Helix do); the `plain_client` fixture says nothing and gets `changes`.
VERSIONED = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    )
)


async def start(lsp_client, root, capabilities=VERSIONED):
    uri = pathlib.Path(root).as_uri()
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="project")],
        )
    )


async def stop(lsp_client):
    if not getattr(lsp_client, "rulegate_exited", False):
        await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[RULEGATE, "server"], server_env=ENV))
async def client(lsp_client: LanguageClient):
    lsp_client.root = PROJECT
    await start(lsp_client, PROJECT)
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[RULEGATE, "server"], server_env=ENV))
async def plain_client(lsp_client: LanguageClient):
    lsp_client.root = PROJECT
    await start(lsp_client, PROJECT, types.ClientCapabilities())
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[RULEGATE, "server"], server_env=ENV))
async def broken_client(lsp_client: LanguageClient):
    lsp_client.root = BROKEN
    await start(lsp_client, BROKEN)
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[RULEGATE, "server", "--max-message-bytes", str(SMALL_LIMIT)], server_env=ENV
    )
)
async def small_client(lsp_client: LanguageClient):
    lsp_client.root = PROJECT
    await start(lsp_client, PROJECT)
    yield
    await stop(lsp_client)


def open_doc(client, name, text, version=1):
    uri = pathlib.Path(client.root, name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    return uri


def pos(line, character):
    return types.Position(line=line, character=character)


def change(client, uri, version, start, end, text):
    """An incremental change: replace `start`..`end` (line, UTF-16 column) by `text`."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=pos(*start), end=pos(*end)), text=text)
            ],
        )
    )


def utf16_offset(text, position):
    """The string index of an LSP position (UTF-16 units) in `text`."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    units = 0
    for i, ch in enumerate(lines[position.line] if position.line < len(lines) else ""):
        if units >= position.character:
            return offset + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return offset + len(lines[position.line]) if position.line < len(lines) else len(text)


def apply_edits(text, edits):
    """Applies LSP text edits (all against `text`), as an editor does."""
    spans = sorted(
        ((utf16_offset(text, e.range.start), utf16_offset(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def versioned_edits(action, uri):
    """The edits of an action and the version they name (documentChanges only)."""
    assert action.edit.changes is None, "edits must name their version (documentChanges)"
    (doc_edit,) = action.edit.document_changes
    assert doc_edit.text_document.uri == uri
    return doc_edit.text_document.version, doc_edit.edits


async def diagnostics_for(client, uri, version=None):
    """The next diagnostics published for `uri` (of `version`, when given).

    The waiter is registered in the same step as the check, before any
    await: `client.wait_for_notification` is a coroutine that registers
    only once its task runs, and a publication handled in between was
    missed (the test then waited for a next one that never came)."""
    while True:
        while uri not in client.diagnostics:
            published = client.protocol.wait_for_notification_async(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            await asyncio.wait_for(published, 120)
        diags = client.diagnostics.pop(uri)
        if version is None or getattr(client, "diagnostic_versions", {}).get(uri) == version:
            return diags


def record_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams):
    """pytest-lsp's handler, plus the version each publication names."""
    client.diagnostics[params.uri] = params.diagnostics
    if not hasattr(client, "diagnostic_versions"):
        client.diagnostic_versions = {}
    client.diagnostic_versions[params.uri] = params.version


pytest_lsp_client.DEFAULT_CLIENT_FEATURES[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record_diagnostics


def request_now(client, method, params):
    """Sends a request at once, in order with the notifications sent next
    (the client's `*_async` methods send only when awaited); the answer is
    awaited later."""
    return asyncio.wrap_future(client.protocol.send_request(method, params))


def code_action_params(uri, start, end, only=None):
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=pos(*start), end=pos(*end)),
        context=types.CodeActionContext(diagnostics=[], only=only),
    )


def hover_params(uri, line, character):
    return types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos(line, character))


@pytest.mark.asyncio
async def test_diagnostics_on_open_and_on_incremental_changes(client: LanguageClient):
    uri = open_doc(client, "a.py", "x = 1\nimport os\nprint(os)\n")
    diags = await diagnostics_for(client, uri)
    assert sorted(d.code for d in diags) == ["E402", "TEAM001"], diags
    e402 = next(d for d in diags if d.code == "E402")
    assert e402.source == "rulegate"
    assert e402.severity == types.DiagnosticSeverity.Error
    assert e402.range.start == pos(1, 0)
    # Delete `x = 1\n` and the print: the unsaved text is what is linted.
    change(client, uri, 2, (0, 0), (1, 0), "")
    change(client, uri, 3, (1, 0), (2, 0), "")
    assert list(await diagnostics_for(client, uri, version=3)) == []


@pytest.mark.asyncio
async def test_code_actions_fix_all_and_hover(client: LanguageClient):
    text = "import os\nprint(os)\n"
    uri = open_doc(client, "b.py", text)
    diags = await diagnostics_for(client, uri)
    assert [d.code for d in diags] == ["TEAM001"]
    actions = await client.text_document_code_action_async(code_action_params(uri, (1, 0), (1, 9)))
    titles = [a.title for a in actions]
    assert any(t.startswith("TEAM001 (safe):") for t in titles), titles
    suppress = next(a for a in actions if a.title == "Suppress TEAM001 with a reason")
    version, (edit,) = versioned_edits(suppress, uri)
    assert version == 1
    assert edit.new_text == "  # noqa: TEAM001 -- <reason>"
    assert edit.range.start == pos(1, 9)
    fix = next(a for a in actions if a.title.startswith("TEAM001 (safe):"))
    _, edits = versioned_edits(fix, uri)
    assert apply_edits(text, edits) == "import os\nlogger.info()\n"
    fix_all = await client.text_document_code_action_async(
        code_action_params(uri, (1, 0), (1, 9), only=["source.fixAll.rulegate"])
    )
    assert [a.kind for a in fix_all] == ["source.fixAll.rulegate"]
    version, edits = versioned_edits(fix_all[0], uri)
    assert version == 1
    assert apply_edits(text, edits) == "import os\nlogger.info()\n"
    # Only the changed part is replaced, not the whole document.
    assert edits[0].range.start == pos(1, 0)
    hover = await client.text_document_hover_async(hover_params(uri, 1, 2))
    assert "Production code logs through `logging`." in hover.contents.value


@pytest.mark.asyncio
async def test_a_non_ascii_edit_followed_at_once_by_a_code_action_and_a_hover(client: LanguageClient):
    text = "x = 1\nimport os\n"
    uri = open_doc(client, "emoji.py", text)
    assert [d.code for d in await diagnostics_for(client, uri)] == ["E402"]
    # Emoji (two UTF-16 units each) and CJK before the import: the old
    # findings' byte offsets now fall inside characters.
    change(client, uri, 2, (0, 4), (0, 5), "'😀😀日本'")
    new = "x = '😀😀日本'\nimport os\n"
    # Both requests go out before any answer or publication comes back.
    actions_request = client.text_document_code_action_async(code_action_params(uri, (1, 0), (1, 9)))
    hover_request = client.text_document_hover_async(hover_params(uri, 1, 3))
    actions, hover = await asyncio.gather(actions_request, hover_request, return_exceptions=True)
    for answer in (actions, hover):
        if isinstance(answer, JsonRpcException):
            assert answer.code == CONTENT_MODIFIED, answer
    if not isinstance(actions, Exception):
        e402 = next(a for a in actions if a.title.startswith("E402"))
        version, edits = versioned_edits(e402, uri)
        assert version == 2
        assert apply_edits(new, edits) == "import os\nx = '😀😀日本'\n"
        suppress = next(a for a in actions if a.title == "Suppress E402 with a reason")
        _, (edit,) = versioned_edits(suppress, uri)
        assert edit.range.start == pos(1, 9)
    if not isinstance(hover, Exception):
        assert "**E402**" in hover.contents.value
        assert hover.range.start == pos(1, 0)
    # The server is alive and publishes each version with UTF-16 positions.
    change(client, uri, 3, (0, 12), (0, 12), "")
    diags = await diagnostics_for(client, uri, version=3)
    assert [d.code for d in diags] == ["E402"]
    # A finding after an emoji: `print` at UTF-16 column 21 (20 code
    # points, 23 bytes).
    change(client, uri, 4, (1, 9), (1, 9), "; s = '😀'; print(1)")
    diags = await diagnostics_for(client, uri, version=4)
    team = next(d for d in diags if d.code == "TEAM001")
    assert team.range.start == pos(1, 21), team


@pytest.mark.asyncio
async def test_a_code_action_right_after_a_change_is_for_the_new_text(client: LanguageClient):
    v1 = "import os\nx = 1\nimport sys\n"
    uri = open_doc(client, "stale.py", v1)
    assert [d.code for d in await diagnostics_for(client, uri)] == ["E402"]
    # Insert an import at the top, then ask at once for the actions on
    # `import sys` (line 3 now): they must be computed on this text.
    change(client, uri, 2, (1, 0), (1, 0), "import json\n")
    v2 = "import os\nimport json\nx = 1\nimport sys\n"
    actions = await client.text_document_code_action_async(code_action_params(uri, (3, 0), (3, 10)))
    e402 = next(a for a in actions if a.title.startswith("E402"))
    version, edits = versioned_edits(e402, uri)
    assert version == 2
    assert apply_edits(v2, edits) == "import os\nimport json\nimport sys\nx = 1\n"
    # Three messages at once: a change, a request, another change. The
    # request is answered for version 3's predecessor or refused with
    # ContentModified; never with edits for a text it was not asked about.
    change(client, uri, 3, (2, 0), (2, 0), "y = 2\n")
    request = request_now(client, types.TEXT_DOCUMENT_CODE_ACTION, code_action_params(uri, (4, 0), (4, 10)))
    change(client, uri, 4, (0, 0), (0, 0), "# 日本\n")
    try:
        answer = await request
        assert any(a.title.startswith("E402") for a in answer), answer
        for a in answer:
            version, _ = versioned_edits(a, uri)
            assert version == 3, a
    except JsonRpcException as e:
        assert e.code == CONTENT_MODIFIED
    v4 = "# 日本\nimport os\nimport json\ny = 2\nx = 1\nimport sys\n"
    actions = await client.text_document_code_action_async(code_action_params(uri, (5, 0), (5, 10)))
    e402 = next(a for a in actions if a.title.startswith("E402"))
    version, edits = versioned_edits(e402, uri)
    assert version == 4
    assert apply_edits(v4, edits) == "# 日本\nimport os\nimport json\nimport sys\ny = 2\nx = 1\n"


def plain_edits(action, uri):
    """The edits of an action for a client that did not declare
    `documentChanges`: `changes` of this document only."""
    assert action.edit.document_changes is None, "this client reads `changes` only"
    assert list(action.edit.changes) == [uri]
    return action.edit.changes[uri]


@pytest.mark.asyncio
async def test_a_client_without_document_changes_gets_changes_for_the_latest_text(plain_client: LanguageClient):
    client = plain_client
    v1 = "import os\nx = 1\nimport sys\nprint(os)\n"
    uri = open_doc(client, "plain.py", v1)
    assert sorted(d.code for d in await diagnostics_for(client, uri)) == ["E402", "TEAM001"]
    # Non-ASCII text before the import, and the request at once: its edits
    # are for this text (the change came first), with no version to check.
    change(client, uri, 2, (1, 0), (1, 0), "s = '😀日本'\n")
    v2 = "import os\ns = '😀日本'\nx = 1\nimport sys\nprint(os)\n"
    actions = await client.text_document_code_action_async(code_action_params(uri, (3, 0), (3, 10), only=["quickfix"]))
    e402 = next(a for a in actions if a.title.startswith("E402"))
    assert apply_edits(v2, plain_edits(e402, uri)) == "import os\nimport sys\ns = '😀日本'\nx = 1\nprint(os)\n"
    fix_all = await client.text_document_code_action_async(
        code_action_params(uri, (0, 0), (0, 0), only=["source.fixAll.rulegate"])
    )
    assert [a.kind for a in fix_all] == ["source.fixAll.rulegate"]
    assert apply_edits(v2, plain_edits(fix_all[0], uri)).endswith("\nlogger.info()\n")
    # A change, a request, a change: the answer is refused (ContentModified)
    # or is for version 3's text, never for a text the request did not see.
    change(client, uri, 3, (2, 0), (2, 0), "y = 2\n")
    v3 = "import os\ns = '😀日本'\ny = 2\nx = 1\nimport sys\nprint(os)\n"
    request = request_now(
        client, types.TEXT_DOCUMENT_CODE_ACTION, code_action_params(uri, (4, 0), (4, 10), only=["quickfix"])
    )
    change(client, uri, 4, (0, 0), (0, 0), "# 日本\n")
    try:
        answer = await request
        e402 = next(a for a in answer if a.title.startswith("E402"))
        assert apply_edits(v3, plain_edits(e402, uri)) == "import os\nimport sys\ns = '😀日本'\ny = 2\nx = 1\nprint(os)\n"
    except JsonRpcException as e:
        assert e.code == CONTENT_MODIFIED


MIXED = "# 日本 😀\r\nx = '😀'\rimport os\nimport sys  # é\r\ny = '😀'; import json\n"


def lsp_position(text, line, column):
    """The LSP (line, UTF-16 character) of a 1-based line and a 1-based
    column in characters, lines ending at CRLF, a lone CR or LF."""
    lines = re.split(r"\r\n|\r|\n", text)
    return line - 1, sum(2 if ord(c) > 0xFFFF else 1 for c in lines[line - 1][: column - 1])


@pytest.mark.asyncio
async def test_positions_on_mixed_line_endings_are_the_clis_and_ruffs(client: LanguageClient):
    path = pathlib.Path(client.root, "mixed.py")
    path.write_bytes(MIXED.encode())
    try:
        uri = open_doc(client, "mixed.py", MIXED)
        diags = await diagnostics_for(client, uri)
        served = sorted((d.code, d.range.start.line, d.range.start.character) for d in diags)
        # The lone CR ends line 2; `import json` is 10 UTF-16 units in (9 characters).
        assert served == [("E402", 2, 0), ("E402", 3, 0), ("E402", 4, 10)], served
        out = subprocess.run(
            [RULEGATE, "lint", "--format", "json", "--no-cache", "--exit-zero", "mixed.py"],
            cwd=client.root,
            env=ENV,
            capture_output=True,
            check=True,
        )
        cli = sorted((f["rule"], *lsp_position(MIXED, f["line"], f["column"])) for f in json.loads(out.stdout))
        assert served == cli
        ruff = os.environ.get("RUFF") or shutil.which("ruff")
        if ruff:
            out = subprocess.run(
                [ruff, "check", "--isolated", "--no-cache", "--select", "E402", "--output-format", "json", "--exit-zero", str(path)],
                capture_output=True,
                check=True,
            )
            theirs = sorted(
                (f["code"], *lsp_position(MIXED, f["location"]["row"], f["location"]["column"]))
                for f in json.loads(out.stdout)
            )
            assert served == theirs
        else:
            print("\nruff not found (set RUFF): positions compared with the CLI's only")
    finally:
        path.unlink()


@pytest.mark.asyncio
async def test_hover_lists_every_finding_under_the_cursor(client: LanguageClient):
    uri = open_doc(client, "legacy.py", "x = 1\nfrom matriz.core import X\n")
    diags = await diagnostics_for(client, uri)
    assert sorted(d.code for d in diags) == ["E402", "LEG001"], diags
    hover = await client.text_document_hover_async(hover_params(uri, 1, 7))
    value = hover.contents.value
    assert "**E402**" in value and "**LEG001**" in value, value
    assert "The MATRIZ migration renamed" in value  # LEG001's explain


@pytest.mark.asyncio
async def test_an_oversized_message_is_refused_and_the_server_goes_on(small_client: LanguageClient):
    client = small_client
    uri = open_doc(client, "big.py", "x = 1\nimport os\n")
    assert [d.code for d in await diagnostics_for(client, uri)] == ["E402"]
    padding = "x" * (2 * SMALL_LIMIT)
    with pytest.raises(JsonRpcException) as refused:
        await client.protocol.send_request_async("rulegate/padded", {"padding": padding})
    assert refused.value.code == INVALID_REQUEST
    assert "over the limit" in refused.value.message
    # An oversized change of an open document: the server stops serving it
    # (its text is unknown now) and says so, and serves the others.
    change(client, uri, 2, (0, 0), (0, 0), padding)
    other = open_doc(client, "other.py", "y = 2\nimport sys\n")
    assert [d.code for d in await diagnostics_for(client, other)] == ["E402"]
    assert any("refused" in m.message for m in client.messages), client.messages
    hover = await client.text_document_hover_async(hover_params(other, 1, 2))
    assert "**E402**" in hover.contents.value


@pytest.mark.asyncio
async def test_a_length_of_2_to_the_62_is_never_allocated():
    server = await asyncio.create_subprocess_exec(
        RULEGATE,
        "server",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=ENV,
    )
    body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    await server.stdin.drain()
    header = await asyncio.wait_for(server.stdout.readline(), 120)
    assert header.startswith(b"Content-Length:")
    server.stdin.write(b"Content-Length: %d\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":2," % (2**62))
    server.stdin.write(b"x" * 100_000)
    await server.stdin.drain()
    server.stdin.close()
    code = await asyncio.wait_for(server.wait(), 120)
    stderr = await server.stderr.read()
    # The input ended inside the (discarded) body without `shutdown`: exit 1,
    # as LSP says; not an abort on allocation.
    assert code == 1, (code, stderr)
    assert b"memory allocation" not in stderr and b"panicked" not in stderr, stderr


@pytest.mark.asyncio
async def test_requests_after_shutdown_get_invalid_request(client: LanguageClient):
    uri = open_doc(client, "late.py", "x = 1\nimport os\n")
    await diagnostics_for(client, uri)
    await client.shutdown_async(None)
    with pytest.raises(JsonRpcException) as late:
        await client.text_document_hover_async(hover_params(uri, 1, 2))
    assert late.value.code == INVALID_REQUEST
    with pytest.raises(JsonRpcException) as again:
        await client.shutdown_async(None)
    assert again.value.code == INVALID_REQUEST
    client.exit(None)
    client.rulegate_exited = True
    assert await asyncio.wait_for(client._server.wait(), 120) == 0


@pytest.mark.asyncio
async def test_a_broken_pack_at_start_up_does_not_blind_the_editor(broken_client: LanguageClient):
    client = broken_client
    pack = pathlib.Path(BROKEN, "team.toml")
    pack_uri = pack.as_uri()
    uri = open_doc(client, "c.py", "x = 1\nimport os\nprint(os)\n")
    # The pack's error at its span, and the Python file linted with the
    # packs that loaded (builtin:t4: E402; not the broken TEAM001).
    diags = await diagnostics_for(client, pack_uri)
    assert len(diags) == 1 and diags[0].range.start.line == 4, diags
    assert "fatal" in diags[0].message
    assert [d.code for d in await diagnostics_for(client, uri)] == ["E402"]
    assert any("packs that loaded" in m.message for m in client.messages), client.messages
    # Fixed and saved: the pack's diagnostics clear and its rule runs.
    pack.write_text(PACK)
    try:
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=pack_uri))
        )
        assert list(await diagnostics_for(client, pack_uri)) == []
        while True:
            codes = sorted(d.code for d in await diagnostics_for(client, uri))
            if codes != ["E402"]:
                break
        assert codes == ["E402", "TEAM001"]
    finally:
        pack.write_text(BROKEN_PACK)


@pytest.mark.asyncio
async def test_a_broken_config_keeps_the_last_good_one(client: LanguageClient):
    config = pathlib.Path(PROJECT, "rulegate.toml")
    good = config.read_text()
    uri = open_doc(client, "d.py", "print(1)\n")
    assert [d.code for d in await diagnostics_for(client, uri)] == ["TEAM001"]
    config.write_text(good + "bogus = 1\n")
    try:
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
        )
        diags = await diagnostics_for(client, config.as_uri())
        assert len(diags) == 1 and diags[0].range.start.line == 1, diags
        assert "last good configuration" in diags[0].message
        # Still linted with the team pack of the last good config.
        assert [d.code for d in await diagnostics_for(client, uri)] == ["TEAM001"]
    finally:
        config.write_text(good)


def answers(actions):
    """Code actions as comparable values: titles and the edits' new texts
    and ranges (the version they name aside)."""
    out = []
    for a in actions:
        edits = []
        if a.edit is not None:
            for doc in a.edit.document_changes or []:
                edits += [(e.range.start.line, e.range.start.character, e.range.end.line, e.new_text) for e in doc.edits]
        out.append((a.title, tuple(edits)))
    return sorted(out)


@pytest.mark.asyncio
async def test_a_saved_file_lint_has_seen_gets_a_fresh_lints_answer(client: LanguageClient):
    # `rulegate lint` (a pre-commit run) stores the file's result; the
    # server answers the open from it. The same text linted afresh (a
    # change, then its undo) must publish the same diagnostics and offer
    # the same code actions.
    text = "import os\nx = 1\nimport sys\nprint(os, sys)  # TODO fix\n"
    path = pathlib.Path(client.root, "saved.py")
    path.write_text(text)
    try:
        await saved_file_answers(client, text)
    finally:
        path.unlink()


async def saved_file_answers(client, text):
    lint = subprocess.run([RULEGATE, "lint", "--exit-zero", "saved.py"], cwd=client.root, env=ENV, capture_output=True)
    assert lint.returncode == 0, lint.stderr
    assert list(pathlib.Path(client.root, ".rulegate_cache").rglob("results-*")), "lint stored its results"
    uri = open_doc(client, "saved.py", text)
    cached = await diagnostics_for(client, uri, version=1)
    assert {"E402", "TEAM001", "TODO001"} <= {d.code for d in cached}, cached
    whole = ((0, 0), (4, 0))
    cached_actions = answers(await client.text_document_code_action_async(code_action_params(uri, *whole)))
    change(client, uri, 2, (0, 0), (0, 0), "# c\n")
    await diagnostics_for(client, uri, version=2)
    change(client, uri, 3, (0, 0), (1, 0), "")
    fresh = await diagnostics_for(client, uri, version=3)
    assert fresh == cached
    fresh_actions = answers(await client.text_document_code_action_async(code_action_params(uri, *whole)))
    assert fresh_actions == cached_actions


@pytest.mark.asyncio
async def test_latency_on_a_3003_line_file(client: LanguageClient):
    lines = ["import os", "import sys", ""]
    for i in range(1000):
        lines += [f"def f{i}(x):", f"    return os.path.join(str(x), '{i}')", ""]
    text = "\n".join(lines) + "\n"
    assert text.count("\n") == 3003
    t = time.perf_counter()
    uri = open_doc(client, "big.py", text)
    await diagnostics_for(client, uri)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    change(client, uri, 2, (3003, 0), (3003, 0), "x = 1\nimport json\n")
    diags = await diagnostics_for(client, uri, version=2)
    changed = time.perf_counter() - t
    assert [d.code for d in diags] == ["E402"]
    assert diags[0].range.start == pos(3004, 0)
    print(f"\nlatency on a 3,003-line file: open {opened * 1000:.0f} ms, change {changed * 1000:.0f} ms")


def teardown_module():
    shutil.rmtree(PROJECT, ignore_errors=True)
    shutil.rmtree(BROKEN, ignore_errors=True)
