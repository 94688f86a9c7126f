#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The queue's live updates in a real browser, against the hbmgwd that
tests/integration/t_events.sh started: amina signs in, the queue says its
updates are live and the daemon counts one event stream; an SMS makes a
case, which shows up without a reload, and the page read GET /v1/cases
exactly once meanwhile (the read the event triggered), and not at all
in the 6 s after its first read (the old console polled every 5 s). The
sign-in and browser helpers are tests/browser/console.py's. Prints one
"ok - ..." or "not ok - ..." line per check; exits 1 when one failed.

Environment: HBM_URL, HBM_METRICS_URL, HBM_CHANNEL_TOKEN, PW_AMINA,
HBM_SCREENSHOTS (console.py reads them).
"""
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console  # noqa: E402
from console import check, rows, sign_in, sms, view, wait  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402

URL = os.environ["HBM_URL"]


def cases_reads(drv):
    """How many GET /v1/cases the page made so far (Resource Timing)."""
    return drv.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => new URL(e.name).pathname === '/v1/cases').length")


def live(drv):
    return drv.execute_script(
        "return document.getElementById('view-queue').dataset.live || ''")


def metric(name):
    with urllib.request.urlopen(os.environ["HBM_METRICS_URL"] + "/metrics",
                                timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.split(" ")[0] == name:
                return float(line.split(" ")[1])
    return 0.0


def run(drv):
    drv.set_script_timeout(10)
    drv.set_page_load_timeout(20)
    streams = metric("hbmgw_event_streams")
    drv.get(URL + "/console/")
    check("the sign-in page", wait(drv, lambda d: view(d) == "signin"))
    sign_in(drv, "amina", os.environ["PW_AMINA"])
    check("amina signs in to the queue",
          wait(drv, lambda d: view(d) == "queue"))
    check("the queue says its updates are live",
          wait(drv, lambda d: live(d) == "on"))
    check("the daemon counts her event stream",
          wait(drv, lambda d: metric("hbmgw_event_streams") == streams + 1))
    before = len(rows(drv))
    reads = cases_reads(drv)
    check(f"the first read of the queue was made ({reads})", reads >= 1)
    # The old console read the queue every 5 s: a 6 s stretch after the
    # first read, measured on the page's clock, now has no read at all.
    since = drv.execute_script(
        "const e = performance.getEntriesByType('resource')"
        ".filter(e => new URL(e.name).pathname === '/v1/cases');"
        "return performance.now() - e[e.length - 1].responseEnd")
    if since < 6000:
        time.sleep((6000 - since) / 1000)
    check("no poll 6 s after the first read",
          cases_reads(drv) == reads)
    check("a food SMS is taken",
          sms("+256700000401", "FOOD for two") // 100 == 2)
    t0 = time.monotonic()
    appeared = wait(drv, lambda d: len(rows(d)) > before, 15)
    took = time.monotonic() - t0
    check(f"the case shows up without a reload ({took:.1f} s)", appeared)
    r = rows(drv)
    check("with its label", len(r) > 0 and r[0][1] == "rations")
    extra = cases_reads(drv) - reads
    check(f"the page read GET /v1/cases once meanwhile, on the event "
          f"({extra})", extra == 1)
    errors = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
              and not re.search(r"/v1/\S* - Failed to load resource",
                                e["message"])]
    check("no error in the browser console (CSP included)", not errors)
    for e in errors:
        print("# " + e["message"])


def main():
    try:
        drv = console.browser()
    except WebDriverException as e:
        print(f"not ok - chromium starts: {e}")
        return 1
    try:
        run(drv)
    except Exception as e:  # a crash is a failure, named
        check(f"the browser run ends without {type(e).__name__}: {e}", False)
    finally:
        drv.quit()
    return 1 if console.failed else 0


if __name__ == "__main__":
    sys.exit(main())
