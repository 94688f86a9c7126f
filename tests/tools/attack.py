#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Outsiders' traffic against the gateway's HTTP port, on loopback only.

  attack.py rejected --port P --count N [--args K] [--wait S]
      N requests whose query has K arguments (default 600: more than
      libmicrohttpd's per-connection memory holds, so it refuses them
      before any handler runs), one connection each. Prints one JSON line:
      {"sent", "answered" (some bytes), "closed" (EOF with no bytes),
       "hung" (nothing within S seconds), "max_wait", "seconds"}.

  attack.py slow --port P --count N --from A,B,... --ready FILE --stop FILE
      [--limit S] [--expect-max M]
      Open N connections, spread over the source addresses given (all in
      127.0.0.0/8), each sending half a request header and then nothing.
      Writes {"opened", "refused"} as JSON to the ready file once every
      connection was tried, then holds them until the stop file exists or
      S seconds (default 60) have passed, and closes them.

Everything is bounded in count and time; only 127.0.0.0/8 is accepted.
"""
import argparse
import ipaddress
import json
import os
import resource
import socket
import sys
import time


def loopback(addr):
    if not ipaddress.ip_address(addr) in ipaddress.ip_network("127.0.0.0/8"):
        raise SystemExit("attack.py: %s is not a loopback address" % addr)
    return addr


def cmd_rejected(a):
    query = "&".join("a%d=%d" % (i, i) for i in range(a.args))
    req = ("GET /healthz?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Connection: close\r\n\r\n" % query).encode()
    out = {"sent": 0, "answered": 0, "closed": 0, "hung": 0, "max_wait": 0.0}
    t0 = time.monotonic()
    for _ in range(a.count):
        if time.monotonic() - t0 > a.limit:
            break
        s = socket.create_connection(("127.0.0.1", a.port), timeout=a.wait)
        t = time.monotonic()
        got = b""
        try:
            s.sendall(req)
            out["sent"] += 1
            while True:
                d = s.recv(4096)
                if not d:
                    break
                got += d
        except socket.timeout:
            out["hung"] += 1
        except OSError:
            pass  # reset: closed as well
        finally:
            s.close()
        out["max_wait"] = max(out["max_wait"], round(time.monotonic() - t, 3))
        if got:
            out["answered"] += 1
        else:
            out["closed"] += 1
    out["closed"] -= out["hung"]
    out["seconds"] = round(time.monotonic() - t0, 2)
    print(json.dumps(out))
    return 0


def cmd_slow(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, a.count + 64)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    sources = [loopback(x) for x in a.sources.split(",")]
    held, refused = [], 0
    half = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    t0 = time.monotonic()
    for i in range(a.count):
        if time.monotonic() - t0 > a.limit:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.bind((sources[i % len(sources)], 0))
            s.connect(("127.0.0.1", a.port))
            s.sendall(half)
            held.append(s)
        except OSError:
            refused += 1
            s.close()
    # A connection the server refused over its limits is accepted by the
    # kernel and then closed: it reads as EOF or a reset, not as held.
    # Look until no more than --expect-max are still open (the signal
    # that the server has sorted them), or for at most 5 s.
    alive = held
    for s in alive:
        s.setblocking(False)
    t1 = time.monotonic()
    while True:
        still = []
        for s in alive:
            try:
                if s.recv(1) == b"":
                    refused += 1
                    s.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                refused += 1
                s.close()
                continue
            still.append(s)
        alive = still
        if len(alive) <= a.expect_max or time.monotonic() - t1 > 5:
            break
        time.sleep(0.05)
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"opened": len(alive), "refused": refused}, f)
    os.rename(tmp, a.ready)
    while not os.path.exists(a.stop) and time.monotonic() - t0 < a.limit:
        time.sleep(0.05)
    for s in alive:
        s.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rejected")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--args", type=int, default=600)
    r.add_argument("--wait", type=float, default=2.0)
    r.add_argument("--limit", type=float, default=120.0)
    s = sub.add_parser("slow")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--from", dest="sources", required=True)
    s.add_argument("--ready", required=True)
    s.add_argument("--stop", required=True)
    s.add_argument("--limit", type=float, default=60.0)
    s.add_argument("--expect-max", type=int, default=0,
                   help="stop looking for refusals once this few are open")
    a = p.parse_args()
    if a.count < 1 or a.count > 100000:
        p.error("--count: 1 to 100000")
    return {"rejected": cmd_rejected, "slow": cmd_slow}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
