"""Language-server latency, rulegate against ruff, through pytest-lsp's client.

    python scripts/lsp_latency.py RULEGATE RUFF [EDITS]

One generated 3,003-line file (the one tests/lsp uses), comparable rules on
both sides: rulegate's E402 and TODO rules (every other rule disabled in the
project's rulegate.toml) and ruff's `E402,TD,FIX` (ruff.toml). The client
offers push diagnostics only, so both servers publish. Measured: the time
from `didOpen` to the first `publishDiagnostics` of the file (median over
10 files), and from an incremental `didChange` to the `publishDiagnostics`
of that version (median over EDITS edits, 50 by default), each edit adding
a line with a TODO in the middle of the file.

The opens above are of unsaved text (no file on disk): a cold open, one
full tree-sitter parse. A third pair of runs opens the same text saved in
ten files that `rulegate lint` has linted (as a pre-commit run or a `lint
--fix` would have): rulegate answers those opens from lint's result cache,
ruff parses them as before.

A last run, rulegate with its syntax check (E999) off as well, is the
breakdown of an open: no selected rule then needs a tree (E402's line scan
rules the file out, no TODO word is in it), so the difference is the full
tree-sitter parse. ruff reports syntax errors whatever is selected, so that
run is not the comparison.
"""

import asyncio
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp import client as pytest_lsp_client

OPENS = 10
WARM = "import os\nx = 1\nimport sys\n"
DISABLED = ["RUN001", "RUN002", "LANE001", "LANE002", "LEG001", "IMP001", "STUB001", "STUB002", "STUB003"]
DISABLED += [f"SUP00{i}" for i in range(1, 7)]

published = []  # (uri, version, time) of every publication, in order
arrived = asyncio.Event()


def on_publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    published.append((params.uri, params.version, time.perf_counter()))
    arrived.set()


pytest_lsp_client.DEFAULT_CLIENT_FEATURES[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_publish


def big_file():
    lines = ["import os", "import sys", ""]
    for i in range(1000):
        lines += [f"def f{i}(x):", f"    return os.path.join(str(x), '{i}')", ""]
    return "\n".join(lines) + "\n"


async def published_for(uri, version, since):
    """The time of the first publication for `uri` (of `version`, when the
    server names versions) at or after index `since` of `published`."""
    while True:
        for u, v, t in published[since:]:
            if u == uri and (v is None or v == version):
                return t
        arrived.clear()
        await asyncio.wait_for(arrived.wait(), 60)


async def measure(command, root, edits):
    client = await ClientServerConfig(server_command=command).start()
    uri = pathlib.Path(root).as_uri()
    # The capabilities come back as plain JSON: lsprotocol cannot read
    # ruff's notebook selector.
    client.capabilities = types.ClientCapabilities()
    proto = client.protocol
    result_type = proto.get_result_type
    proto.get_result_type = lambda method: None if method == "initialize" else result_type(method)
    result = await proto.send_request_async(
        "initialize",
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="bench")],
        ),
    )
    client.initialized(types.InitializedParams())
    text = big_file()
    # As an editor does: whole texts to a server that asks for them.
    sync = getattr(result.capabilities, "textDocumentSync", None)
    full = getattr(sync, "change", sync) == 1
    lines = text.split("\n")
    # Warm up: a small file first (settings, indexes, thread pools).
    warm = pathlib.Path(root, "warm.py").as_uri()
    since = len(published)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(warm, "python", 1, WARM))
    )
    await published_for(warm, 1, since)
    opens = []
    for i in range(OPENS):
        doc = pathlib.Path(root, f"big{i}.py").as_uri()
        since = len(published)
        start = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(doc, "python", 1, text)))
        opens.append(await published_for(doc, 1, since) - start)
    doc = pathlib.Path(root, "big0.py").as_uri()
    changes = []
    for k in range(edits):
        line = 1500 + k
        added = f"y{k} = {k}  # TODO: check {k}"
        lines.insert(line, added)
        if full:
            content = types.TextDocumentContentChangeWholeDocument(text="\n".join(lines))
        else:
            at = types.Range(start=types.Position(line, 0), end=types.Position(line, 0))
            content = types.TextDocumentContentChangePartial(range=at, text=added + "\n")
        since = len(published)
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=k + 2),
                content_changes=[content],
            )
        )
        changes.append(await published_for(doc, k + 2, since) - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return statistics.median(opens), statistics.median(changes)


async def main():
    rulegate, ruff = sys.argv[1], sys.argv[2]
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    roots = {}
    for name, off in [("bench", DISABLED), ("no-parse", DISABLED + ["E999"]), ("on-disk", DISABLED)]:
        roots[name] = tempfile.mkdtemp(prefix=f"rulegate-lsp-{name}-")
        rules = "".join(f"[rules.{r}]\nenabled = false\n" for r in off)
        pathlib.Path(roots[name], "rulegate.toml").write_text(f'packs = ["builtin:t4"]\n{rules}')
    for name in ["bench", "on-disk"]:
        pathlib.Path(roots[name], "ruff.toml").write_text('[lint]\nselect = ["E402", "TD", "FIX"]\n')
    # Saved files `rulegate lint` has seen (a pre-commit run, a `lint
    # --fix`): the server answers their opens from lint's result cache.
    # The warm-up file is saved too: a server that has linted unsaved text
    # answers nothing from the cache until its run is loaded again.
    pathlib.Path(roots["on-disk"], "warm.py").write_text(WARM)
    for i in range(OPENS):
        pathlib.Path(roots["on-disk"], f"big{i}.py").write_text(big_file())
    subprocess.run([rulegate, "lint", "--exit-zero", "."], check=True, cwd=roots["on-disk"], stdout=subprocess.DEVNULL)
    rg = await measure([rulegate, "server"], roots["bench"], edits)
    rf = await measure([ruff, "server"], roots["bench"], edits)
    bare = await measure([rulegate, "server"], roots["no-parse"], edits)
    saved = await measure([rulegate, "server"], roots["on-disk"], edits)
    saved_ruff = await measure([ruff, "server"], roots["on-disk"], edits)
    print(f"== language server on a 3,003-line file (medians: {OPENS} opens, {edits} edits), push diagnostics")
    rows = [
        ("didOpen -> publishDiagnostics", rg[0], rf[0]),
        ("didChange -> publishDiagnostics", rg[1], rf[1]),
        ("didOpen of a saved file lint has seen", saved[0], saved_ruff[0]),
    ]
    for what, a, b in rows:
        print(f"{what:<40} rulegate {a * 1000:6.1f} ms   ruff {b * 1000:6.1f} ms   ({a / b:.2f}x ruff)")
    print(f"{'  breakdown: open without E999 (no parse)':<40} rulegate {bare[0] * 1000:6.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
