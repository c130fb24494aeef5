"""Helpers of the import and export tests: a demo store, and a live HTTP server that serves
fixed files on 127.0.0.1 and records every request (to prove what is, and is not, fetched)."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from oscartes_kg import bootstrap
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data" / "import"
GOGO = DATA / "gogocartojs-elements.json"


def demo_store(path: Path):
    """An embedded store on disk holding the vocabulary, shapes and demo data."""
    store = open_store(data=path)
    bootstrap.init_store(store, demo=True)
    return store


def gogo_elements() -> list:
    return json.loads(GOGO.read_text(encoding="utf-8"))["data"]


def write_elements(path: Path, elements: list) -> Path:
    path.write_text(json.dumps({"ontology": "gogofull", "data": elements}, ensure_ascii=False),
                    encoding="utf-8")
    return path


@contextmanager
def file_server(files: dict):
    """Serve ``{"/path": (bytes, content type)}`` on a free port; yield (base URL, hits list)."""
    hits: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            body, content_type = files.get(self.path, (None, None))
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
