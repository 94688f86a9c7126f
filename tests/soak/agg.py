#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in SMS aggregator for the fault suite that can be made to fail.

Serves HTTP/1.1 (keep-alive) on 127.0.0.1:--port and logs every request
the gateway's json channel makes as one JSON line in --log:
{"t": seconds since the epoch, "id", "to", "text", "answer"}, where answer
is the status it answered (200 or 500), "hang" for a request held without
an answer until the hang ended, or "reset" for one whose connection was
closed because the aggregator started refusing.

Its behaviour is the first word of --mode-file, read every 20 ms:
  ok       answer 200 (the default, also when the file is missing)
  500      answer 500 to every request
  hang     read requests and answer none; when the mode changes, close
           the connections of the requests held
  refuse   close the listening socket and every open connection, so that
           connecting fails with "connection refused"
Once a mode is in force its name is written to --state-file (atomically),
so the caller waits for that rather than for a guessed time. Exits on
SIGTERM or after --lifetime seconds.
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading
import time


class Agg:
    def __init__(self, a):
        self.port = a.port
        self.mode_file = a.mode_file
        self.state_file = a.state_file
        self.log = open(a.log, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.mode = "ok"
        self.conns = set()
        self.listener = None
        self.stop = threading.Event()

    def record(self, msg, answer):
        line = {"t": time.time(), "id": msg.get("id"), "to": msg.get("to"),
                "text": msg.get("text"), "answer": answer}
        with self.lock:
            self.log.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.log.flush()

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(128)
        s.settimeout(0.05)
        return s

    def close_conns(self):
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def set_state(self, mode):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(mode + "\n")
        os.rename(tmp, self.state_file)

    def read_mode(self):
        try:
            with open(self.mode_file) as f:
                m = f.read().split()
        except OSError:
            return "ok"
        return m[0] if m and m[0] in ("ok", "500", "hang", "refuse") else "ok"

    def apply(self, mode):
        old, self.mode = self.mode, mode
        if mode == "refuse":
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            self.close_conns()
        elif self.listener is None:
            self.listener = self.listen()
        if old == "hang" and mode != "hang":
            self.close_conns()
        self.set_state(mode)

    def serve(self):
        self.apply("ok")
        next_poll = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= next_poll:
                m = self.read_mode()
                if m != self.mode:
                    self.apply(m)
                next_poll = now + 0.02
            if self.listener is None:
                time.sleep(0.02)
                continue
            try:
                c, _ = self.listener.accept()
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                continue
            c.settimeout(None)
            with self.lock:
                self.conns.add(c)
            threading.Thread(target=self.conn, args=(c,), daemon=True).start()

    def conn(self, c):
        f = c.makefile("rb")
        try:
            while self.request(c, f):
                pass
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self.conns.discard(c)
            try:
                f.close()
                c.close()
            except OSError:
                pass

    # One request on connection C; False when the connection is done.
    def request(self, c, f):
        line = f.readline(8192)
        if not line:
            return False
        length = 0
        while True:
            h = f.readline(8192)
            if not h:
                return False
            if h in (b"\r\n", b"\n"):
                break
            k, _, v = h.decode("latin-1").partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip())
        body = f.read(length) if length > 0 else b""
        try:
            msg = json.loads(body.decode("utf-8"))
            if not isinstance(msg, dict):
                msg = {}
        except ValueError:
            msg = {}
        mode = self.mode
        if mode == "refuse":
            self.record(msg, "reset")
            return False
        if mode == "hang":
            # Held until the mode changes (apply() shuts the socket down)
            # or the gateway gives up and closes it.
            self.record(msg, "hang")
            while self.mode == "hang" and not self.stop.is_set():
                try:
                    c.settimeout(0.05)
                    if c.recv(1, socket.MSG_PEEK) == b"":
                        return False
                except socket.timeout:
                    continue
            return False
        status = 500 if mode == "500" else 200
        answer = b'{"ok":true}' if status == 200 else b'{"error":"fault"}'
        reason = "OK" if status == 200 else "Internal Server Error"
        self.record(msg, status)
        c.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s"
                  % (status, reason.encode(), len(answer), answer))
        return True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode-file", required=True)
    p.add_argument("--state-file", required=True)
    p.add_argument("--lifetime", type=float, default=1800)
    a = p.parse_args()
    agg = Agg(a)
    signal.signal(signal.SIGTERM, lambda *_: agg.stop.set())
    timer = threading.Timer(a.lifetime, agg.stop.set)
    timer.daemon = True
    timer.start()
    try:
        agg.serve()
    finally:
        agg.close_conns()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
