#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in SMS aggregator for the integration tests (stdlib only).

Listens on 127.0.0.1 on a free port, writes the port to --port-file, and
appends every request to --log as one JSON line
{"method", "path", "query", "headers", "body"} (query raw, body as UTF-8
text). Answers --status (default 200), or 500 for the first --fail-first
requests, or 500 while the file --fail-while names exists. Exits after --lifetime seconds (default 1800), so a test that
forgets it leaves nothing running for long.
"""
import argparse
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as aggregators do

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urllib.parse.urlsplit(self.path)
        record = {
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
        }
        srv = self.server
        with srv.lock:
            srv.count += 1
            n = srv.count
            with open(srv.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        status = 500 if n <= srv.fail_first else srv.status
        if srv.fail_while and os.path.exists(srv.fail_while):
            status = 500
        answer = b"0: Accepted for delivery" if status < 300 else b"error"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, fmt, *args):
        pass


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--status", type=int, default=200)
    p.add_argument("--fail-while", default="")
    p.add_argument("--lifetime", type=float, default=1800)
    a = p.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.lock = threading.Lock()
    srv.count = 0
    srv.log = a.log
    srv.fail_first = a.fail_first
    srv.status = a.status
    srv.fail_while = a.fail_while
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)  # readers never see a partial port

    timer = threading.Timer(a.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
