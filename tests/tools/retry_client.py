#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An aggregator-like client for the integration tests (stdlib only).

Posts --count inbound SMS to the generic webhook (POST /v1/inbound/sms),
each from its own number (+256710 followed by six digits) with the text
--text and the external id --prefix-N, at about --rate a second over
--workers connections. A message answered with anything but 2xx, or not
answered (refused, timed out), is sent again with the same id after
--retry-ms, as an aggregator does, until it is answered 2xx or --deadline
seconds have passed since the start.

Appends the id of each message to --acked when it is answered 2xx (so a
test can follow progress), and writes a JSON summary to --summary at the
end: {"sent", "acked", "given_up", "attempts", "non_2xx", "errors"}.
Exits 0 when every message was answered 2xx.
"""
import argparse
import json
import queue
import threading
import time
import urllib.error
import urllib.request


def post(url, token, body, timeout):
    """The HTTP status of one POST, or 0 when there was no answer."""
    req = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the daemon's base URL")
    ap.add_argument("--token", required=True, help="a channel token")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--retry-ms", type=int, default=200)
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--prefix", default="m")
    ap.add_argument("--text", default="HELP FOOD")
    ap.add_argument("--acked", required=True)
    ap.add_argument("--summary", required=True)
    a = ap.parse_args()

    start = time.monotonic()
    todo = queue.Queue()
    lock = threading.Lock()
    stats = {"sent": a.count, "acked": 0, "given_up": 0, "attempts": 0,
             "non_2xx": 0, "errors": 0}
    acked = open(a.acked, "a", encoding="utf-8")
    for i in range(a.count):
        todo.put(i)

    def worker():
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            # Pace the first attempts at --rate a second in all.
            due = start + i / a.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            ext = "%s-%d" % (a.prefix, i)
            body = json.dumps({"from": "+256710%06d" % i, "to": "1234",
                               "text": a.text, "id": ext}).encode()
            while True:
                st = post(a.url + "/v1/inbound/sms", a.token, body, 5)
                with lock:
                    stats["attempts"] += 1
                    if 200 <= st < 300:
                        stats["acked"] += 1
                        acked.write(ext + "\n")
                        acked.flush()
                        break
                    stats["errors" if st == 0 else "non_2xx"] += 1
                if time.monotonic() - start > a.deadline:
                    with lock:
                        stats["given_up"] += 1
                    break
                time.sleep(a.retry_ms / 1000.0)

    threads = [threading.Thread(target=worker) for _ in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    acked.close()
    with open(a.summary, "w", encoding="utf-8") as f:
        json.dump(stats, f)
    return 0 if stats["given_up"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
