#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A steady inbound load that retries like an aggregator, for the fault suite.

Posts --rate messages a second to POST /v1/inbound/sms (of --url; with
more than one --url, each attempt goes to the next) for --duration
seconds or until --stop-file exists, each a "HELP FOOD near gate N" from a
number of its own (+25678, the digit --series, then six digits of its
sequence number) with an external id of its own (soakSERIES-N). A message
that gets anything but a 2xx (a 503 while Redis is down, a refused
connection while the gateway is down, a timeout) is posted again, the same
body, after a back-off of 0.2 s doubling to 2 s, until it is answered 2xx
or --give-up seconds have passed since it was due. Messages wait their turn
in a queue served by --workers threads, as an aggregator's outgoing queue
does.

Writes one JSON line per message to --out when it is done: {"n", "ext",
"from", "first" (when it was due), "ack" (when it was answered 2xx, or
null), "status" (the last HTTP status, 0 for a connection error),
"attempts"}, times in seconds since the epoch; exits once every message
is done.
"""
import argparse
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request


def post(url, token, body, timeout):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, ValueError):
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True, action="append")
    p.add_argument("--token", required=True)
    p.add_argument("--rate", type=float, default=10)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--give-up", type=float, default=120)
    p.add_argument("--series", type=int, default=1)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--stop-file")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    urls = [u.rstrip("/") + "/v1/inbound/sms" for u in a.url]
    out = open(a.out, "a", encoding="utf-8")
    lock = threading.Lock()
    todo = queue.Queue()

    def done(m):
        with lock:
            out.write(json.dumps(m) + "\n")
            out.flush()

    def worker():
        while True:
            m = todo.get()
            if m is None:
                return
            body = json.dumps({"from": m["from"], "to": "1234",
                               "text": "HELP FOOD near gate %d" % (m["n"] % 9 + 1),
                               "id": m["ext"]}).encode()
            delay = 0.2
            while True:
                m["attempts"] += 1
                # Several gateways: the next attempt goes to the next one.
                url = urls[(m["n"] + m["attempts"]) % len(urls)]
                st = post(url, a.token, body, 5)
                m["status"] = st
                now = time.time()
                if 200 <= st < 300:
                    m["ack"] = now
                    break
                if now + delay - m["first"] > a.give_up:
                    break
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
            done(m)

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(a.workers)]
    for t in threads:
        t.start()
    start = time.time()
    total = int(a.rate * a.duration)
    for n in range(1, total + 1):
        due = start + (n - 1) / a.rate
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        if a.stop_file and os.path.exists(a.stop_file):
            break
        todo.put({"n": n, "ext": "soak%d-%d" % (a.series, n),
                  "from": "+25678%d%06d" % (a.series, n),
                  "first": time.time(), "ack": None, "status": None,
                  "attempts": 0})
    for _ in threads:
        todo.put(None)
    for t in threads:
        t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
