#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Counts of one fault-suite row, and the table of all rows.

  report.py row --dir DIR --name NAME --redis-cli CMD --key FILE
                [--twice-bound N] [--recover-bound S] >> results
  report.py drained --dir DIR --redis-cli CMD
  report.py table RESULTS

DIR holds what the row's run left: client.log (tests/soak/load.py),
agg.log (tests/soak/agg.py) and events (one "fault_end SECONDS" line per
fault, seconds since the epoch). Redis is read with CMD (a redis-cli
command line; commands go to its standard input, one a line).

A row counts:
  sent        messages the client posted
  acked       of those, answered 2xx
  cases       cases in Redis ({hbm}:cases); with --api, GET /v1/cases
              (admin token) must list as many
  queued      SMS the gateway queued (the ids in the log {hbm}:msglog)
  delivered   SMS ids the aggregator answered 200 at least once
  dead        dead letters ({hbm}:dead)
  lost        acked messages without a case, or whose sender never got
              an SMS through the aggregator
  dup         acked messages with more than one case
  twice       SMS ids the aggregator answered 200 more than once
  reused      SMS ids the aggregator saw with two recipients or texts
  recover     per fault, from its end to the first reply delivered for a
              message acknowledged after that end (or to its "recovered"
              event, for a row that measures recovery itself); the worst
              is shown
`row` prints it as one JSON line with its verdict; `drained` exits 0 once
every acked message's inbox entry is handled and every queued SMS is
delivered or dead; `table` prints the rows.
"""
import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request


def redis(cli, commands):
    """The replies of CMD to COMMANDS (lists of words), one string each."""
    if not commands:
        return []
    text = "".join(" ".join(c) + "\n" for c in commands)
    out = subprocess.run(cli.split(), input=text, capture_output=True,
                         text=True, check=False).stdout.splitlines()
    return out


# How many cases a number's record holds, as one integer reply.
NUM_CASES = ('"local n = 0 for _, f in ipairs(redis.call(\'HKEYS\', KEYS[1])) '
             'do if f:sub(1, 2) == \'c:\' then n = n + 1 end end return n"')


def redis_int(cli, *words):
    r = redis(cli, [list(words)])
    try:
        return int(r[0])
    except (IndexError, ValueError):
        return 0


def phone_key(path):
    """The look-up subkey of the privacy key (HKDF-SHA256, info "hbmgw mac"),
    as lib/crypto.c derives it."""
    raw = open(path, "rb").read()
    if len(raw) >= 64 and all(c in b"0123456789abcdefABCDEF"
                              for c in raw[:64]):
        raw = bytes.fromhex(raw[:64].decode())
    secret = raw[:32]
    prk = hmac.new(b"\0" * 32, secret, hashlib.sha256).digest()
    return hmac.new(prk, b"hbmgw mac\x01", hashlib.sha256).digest()


def lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
    except OSError:
        return


def agg_counts(d, contents=None):
    """Per id the 200s, per number the first 200 time; per id the
    (to, text) pairs seen into CONTENTS when given."""
    ok_by_id, first_to = {}, {}
    for r in lines(os.path.join(d, "agg.log")):
        if r.get("answer") != 200 or not r.get("id"):
            continue
        ok_by_id[r["id"]] = ok_by_id.get(r["id"], 0) + 1
        if contents is not None:
            contents.setdefault(r["id"], set()).add((r.get("to"),
                                                     r.get("text")))
        to, t = r.get("to"), r.get("t")
        if to and (to not in first_to or t < first_to[to]):
            first_to[to] = t
    return ok_by_id, first_to


def api_cases(api, token):
    """How many cases GET /v1/cases lists, page by page; None when the
    gateway does not answer."""
    n, cursor = 0, None
    for _ in range(10000):
        q = "limit=200" + ("&cursor=" + urllib.parse.quote(cursor)
                           if cursor else "")
        req = urllib.request.Request(api.rstrip("/") + "/v1/cases?" + q,
                                     headers={"Authorization":
                                              "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                page = json.load(r)
        except (OSError, ValueError):
            return None
        n += len(page.get("cases") or [])
        cursor = page.get("next")
        if not cursor:
            return n
    return None


# The message ids of the log's entries (a field m each), one reply line each.
MSG_IDS = ('"local o = {} for _, e in ipairs(redis.call(\'XRANGE\', KEYS[1], '
           '\'-\', \'+\')) do for i = 1, #e[2], 2 do '
           'if e[2][i] == \'m\' then o[#o + 1] = e[2][i + 1] end end end '
           'return o"')


def message_ids(cli):
    """Every message id the gateway queued. Ids are not 1..N: a new
    {hbm}:msgseq starts from the clock (docs/redis.md)."""
    return [i for i in redis(cli, [["EVAL", MSG_IDS, "1", "{hbm}:msglog"]])
            if i]


def inbox_done(cli):
    out = redis(cli, [["XINFO", "GROUPS", "{hbm}:inbox"]])
    vals = dict(zip(out[0::2], out[1::2]))
    last = vals.get("last-delivered-id")
    # A repeat's entry, deleted as it is added, leaves the group's lag
    # unknown: look for an entry past the last one delivered instead (an
    # empty reply is one empty line).
    return (vals.get("pending") == "0" and last is not None and
            not any(redis(cli, [["XRANGE", "{hbm}:inbox", "(" + last, "+",
                                 "COUNT", "1"]])))


def cmd_drained(a):
    if not inbox_done(a.redis_cli):
        return 1
    queued = len(message_ids(a.redis_cli))
    dead = redis_int(a.redis_cli, "XLEN", "{hbm}:dead")
    ok_by_id, _ = agg_counts(a.dir)
    return 0 if len(ok_by_id) + dead >= queued else 1


def cmd_row(a):
    d, cli = a.dir, a.redis_cli
    client = list(lines(os.path.join(d, "client.log")))
    acked = [m for m in client if m.get("ack")]
    key = phone_key(a.key)
    hashes = [hmac.new(key, m["from"].encode(), hashlib.sha256).hexdigest()
              for m in acked]
    # a number's cases are its record's "c:<code>" fields (docs/redis.md)
    per = redis(cli, [["EVAL", NUM_CASES, "1", "{hbm}:num:%s" % h]
                      for h in hashes])
    ncases = [int(x) if x.isdigit() else 0 for x in per]
    ncases += [0] * (len(acked) - len(ncases))
    contents = {}
    ok_by_id, first_to = agg_counts(d, contents)
    ids = message_ids(cli)
    queued = len(ids)
    dead = redis_int(cli, "XLEN", "{hbm}:dead")
    # a delivery report's state (dlr) where there is one, else status
    fields = redis(cli, [["HMGET", "{hbm}:msg:%s" % i, "dlr", "status"]
                         for i in ids])
    failed = sum(1 for dlr, st in zip(fields[0::2], fields[1::2])
                 if (dlr or st) == "failed")
    lost = sum(1 for m, n in zip(acked, ncases)
               if n == 0 or m["from"] not in first_to)
    no_case = sum(1 for n in ncases if n == 0)
    events = []
    try:
        with open(os.path.join(d, "events")) as f:
            events = [(w[0], float(w[1])) for w in (l.split() for l in f)
                      if len(w) == 2]
    except OSError:
        pass
    ends = [t for e, t in events if e == "fault_end"]
    # A row that measures its own recovery (a takeover) says when it
    # happened: "recovered T" after its fault_end, "unrecovered 0" if never.
    marks = [(e, t) for e, t in events if e in ("recovered", "unrecovered")]
    recover = []
    for i, end in enumerate(ends if marks else []):
        e, t = marks[i] if i < len(marks) else ("unrecovered", 0)
        recover.append(round(t - end, 2) if e == "recovered" else None)
    for end in ends if not marks else []:
        best = None
        for m in acked:
            t = first_to.get(m["from"])
            if m["ack"] >= end and t is not None and t >= end:
                if best is None or t < best:
                    best = t
        recover.append(None if best is None else round(best - end, 2))
    listed = api_cases(a.api, a.admin_token) if a.api else None
    row = {
        "name": a.name,
        "faults": len(ends),
        "sent": len(client),
        "acked": len(acked),
        "cases": redis_int(cli, "ZCARD", "{hbm}:cases"),
        "queued": queued,
        "delivered": len(ok_by_id),
        "dead": dead,
        "failed": failed,
        "lost": lost,
        "no_case": no_case,
        "dup": sum(1 for n in ncases if n > 1),
        "twice": sum(1 for n in ok_by_id.values() if n > 1),
        "twice_bound": a.twice_bound,
        "reused": sum(1 for v in contents.values() if len(v) > 1),
        "recover": recover,
        "drained": not a.not_drained,
    }
    why = []
    if row["acked"] < row["sent"]:
        why.append("%d never acked" % (row["sent"] - row["acked"]))
    if row["lost"]:
        why.append("%d lost (%d without a case)" % (lost, no_case))
    if row["dup"]:
        why.append("%d duplicate cases" % row["dup"])
    if row["twice"] > a.twice_bound:
        why.append("%d sent twice > %d" % (row["twice"], a.twice_bound))
    if row["reused"]:
        why.append("%d message ids reused" % row["reused"])
    if row["dead"] or row["failed"]:
        why.append("%d dead" % max(row["dead"], row["failed"]))
    if row["delivered"] + row["dead"] < row["queued"]:
        why.append("%d SMS undelivered" %
                   (row["queued"] - row["delivered"] - row["dead"]))
    if any(r is None for r in recover):
        why.append("no recovery seen")
    elif a.recover_bound and recover and max(recover) > a.recover_bound:
        why.append("recovery %.1f s > %.0f s" % (max(recover),
                                                 a.recover_bound))
    if not row["drained"]:
        why.append("not drained")
    if a.api and listed != row["cases"]:
        why.append("GET /v1/cases lists %s cases, Redis holds %d"
                   % ("none" if listed is None else listed, row["cases"]))
    why.extend(a.fail)
    row["verdict"] = "FAIL: " + "; ".join(why) if why else "ok"
    print(json.dumps(row))
    return 0


def cmd_check(a):
    """A row that is a scenario of its own (TAP-like "ok - ..." lines):
    its checks and its verdict."""
    oks, bad = [], []
    for line in open(a.log, errors="replace"):
        if line.startswith("ok - "):
            oks.append(line[5:].strip())
        elif line.startswith("not ok - "):
            bad.append(line[9:].strip())
    row = {"name": a.name, "checks": len(oks) + len(bad), "passed": len(oks)}
    why = ["not ok: " + b for b in bad]
    if a.rc != 0 and not why:
        why.append("the scenario exited %d" % a.rc)
    if not oks:
        why.append("no check ran")
    row["verdict"] = "FAIL: " + "; ".join(why) if why else "ok"
    print(json.dumps(row))
    return 0


COLUMNS = [("fault", 22), ("sent", 6), ("acked", 6), ("cases", 6),
           ("SMS queued", 10), ("delivered", 9), ("dead", 5), ("lost", 5),
           ("dup cases", 9), ("sent twice", 10), ("recover s", 9)]


def cmd_table(a):
    rows = list(lines(a.results))
    head = " ".join("%-*s" % (w, c) if i == 0 else "%*s" % (w, c)
                    for i, (c, w) in enumerate(COLUMNS)) + "  verdict"
    print(head)
    print("-" * len(head))
    bad = 0
    for r in rows:
        if r.get("not_run"):
            print("%-22s not run: %s" % (r["name"], r["not_run"]))
            continue
        if "checks" in r:
            print("%-22s %d of %d checks passed  %s"
                  % (r["name"], r["passed"], r["checks"], r["verdict"]))
            bad += r["verdict"] != "ok"
            continue
        rec = [x for x in r["recover"]]
        recs = ("-" if not rec else "n/a" if any(x is None for x in rec)
                else "%.1f" % max(rec))
        cells = [r["name"], r["sent"], r["acked"], r["cases"], r["queued"],
                 r["delivered"], r["dead"], r["lost"], r["dup"],
                 "%d/%d" % (r["twice"], r["twice_bound"]), recs]
        print(" ".join("%-*s" % (w, v) if i == 0 else "%*s" % (w, v)
                       for i, (v, (_, w)) in enumerate(zip(cells, COLUMNS)))
              + "  " + r["verdict"])
        if r["verdict"] != "ok":
            bad += 1
    ran = sum(1 for r in rows if not r.get("not_run"))
    print()
    print("%d rows ran, %d passed, %d failed; %d not run"
          % (ran, ran - bad, bad, len(rows) - ran))
    return 1 if bad or not ran else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("row")
    r.add_argument("--dir", required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--redis-cli", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("--twice-bound", type=int, default=0)
    r.add_argument("--recover-bound", type=float, default=0)
    r.add_argument("--not-drained", action="store_true")
    r.add_argument("--api", help="a gateway's URL, to list the cases")
    r.add_argument("--admin-token", default="")
    r.add_argument("--fail", action="append", default=[],
                   help="a failure the caller saw itself (repeatable)")
    dr = sub.add_parser("drained")
    dr.add_argument("--dir", required=True)
    dr.add_argument("--redis-cli", required=True)
    c = sub.add_parser("check")
    c.add_argument("--name", required=True)
    c.add_argument("--log", required=True)
    c.add_argument("--rc", type=int, default=0)
    t = sub.add_parser("table")
    t.add_argument("results")
    a = p.parse_args()
    return {"row": cmd_row, "drained": cmd_drained, "check": cmd_check,
            "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
