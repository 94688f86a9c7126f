#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The console in a real browser: Debian's chromium, headless, driven by
python3-selenium against the hbmgwd that tests/integration/t_console.sh
started. Prints one "ok - ..." or "not ok - ..." line per check; exits 1
when one failed or the browser could not start. Every wait is bounded.

Environment: HBM_URL (http://127.0.0.1:PORT), HBM_CHANNEL_TOKEN,
HBM_ADMIN_TOKEN, HBM_WFP_TOKEN, HBM_REDIS_CLI (the redis-cli command line), PW_AMINA, PW_RC,
PW_LOCK, PW_COORD, HBM_SCREENSHOTS (a folder).
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["HBM_URL"]
SHOTS = os.environ["HBM_SCREENSHOTS"]
failed = 0


def check(what, cond):
    global failed
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        failed += 1


def wait(drv, cond, seconds=10):
    try:
        WebDriverWait(drv, seconds, poll_frequency=0.2).until(
            lambda d: cond(d))
        return True
    except TimeoutException:
        return False


def sms(sender, text):
    body = json.dumps({"from": sender, "to": "1234", "text": text,
                       "id": f"b-{sender}-{time.time_ns()}"}).encode()
    req = urllib.request.Request(
        URL + "/v1/inbound/sms", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + os.environ["HBM_CHANNEL_TOKEN"]})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status


def visible(drv, id_):
    return drv.find_element(By.ID, id_).is_displayed()


def view(drv):
    return drv.execute_script("return document.body.dataset.view || ''")


def sign_in(drv, login, password):
    drv.find_element(By.ID, "login").clear()
    drv.find_element(By.ID, "login").send_keys(login)
    drv.find_element(By.ID, "password").clear()
    drv.find_element(By.ID, "password").send_keys(password)
    drv.find_element(By.CSS_SELECTOR, "#signin-form button").click()


def error_text(drv):
    return drv.find_element(By.ID, "signin-error").text


def rows(drv):
    return drv.execute_script(
        "return [...document.querySelectorAll('#case-rows tr')]"
        ".map(r => [...r.cells].map(c => c.textContent))")


def due_text(drv, code):
    return drv.execute_script(
        "const r = document.querySelector(`tr[data-code='${arguments[0]}']`);"
        "return r ? r.querySelector('td.due').textContent : ''", code)


def due_class(drv, code):
    return drv.execute_script(
        "const r = document.querySelector(`tr[data-code='${arguments[0]}']`);"
        "return r ? r.querySelector('td.due').className : ''", code)


def seconds(text):
    """'2 h 05 min', '4 min 07 s', '45 s' (English) in seconds, or None."""
    units = {"d": 86400, "h": 3600, "min": 60, "s": 1}
    parts = text.split()
    if not parts or len(parts) % 2:
        return None
    total = 0
    for n, u in zip(parts[::2], parts[1::2]):
        if not n.isdigit() or u not in units:
            return None
        total += int(n) * units[u]
    return total


def summary(drv):
    return drv.execute_script(
        "const o = {}; for (const dt of document.querySelectorAll("
        "'#case-summary dt')) o[dt.textContent] = "
        "dt.nextElementSibling.textContent; return o")


def timeline(drv):
    return drv.execute_script(
        "return [...document.querySelectorAll('#timeline li')].map(li => ["
        "li.querySelector('time').getAttribute('datetime'),"
        "li.querySelector('.who-did')?.textContent ?? '',"
        "li.querySelector('.what').textContent,"
        "(li.querySelector('.note') ?? li.querySelector('.sms-status'))"
        "?.textContent ?? ''])")


def post_status(drv, path):
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'POST', credentials: 'same-origin'})"
        ".then(r => done(r.status), () => done(-1));", path)


def redis(args):
    cmd = os.environ["HBM_REDIS_CLI"].split() + args
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


def api_call(method, path, token, body=None):
    """(status, JSON or None) of METHOD PATH with bearer TOKEN."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        URL + path, data=data, method=method,
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None


def codes_of(label):
    """The 8 digits of every case with LABEL, by the admin token."""
    _, got = api_call("GET", "/v1/cases?limit=200",
                      os.environ["HBM_ADMIN_TOKEN"])
    return {c["code"].replace("-", "") for c in (got or {}).get("cases", [])
            if c["label"] == label}


def overdue_codes(drv):
    return drv.execute_script(
        "return [...document.querySelectorAll('#table-overdue tbody tr')]"
        ".map(r => r.cells[0].textContent.replace(/\\D/g, ''))")


def admin_code(label):
    """The 8 digits of the newest case with LABEL, by the admin token."""
    req = urllib.request.Request(
        URL + "/v1/cases",
        headers={"Authorization": "Bearer " + os.environ["HBM_ADMIN_TOKEN"]})
    with urllib.request.urlopen(req, timeout=10) as r:
        cases = json.load(r)["cases"]
    return next(c["code"] for c in cases
                if c["label"] == label).replace("-", "")


def shot(drv, name, width, height):
    """A screenshot WIDTH wide, at least HEIGHT high, the whole page."""
    drv.set_window_size(width, height)
    time.sleep(0.5)
    full = drv.execute_script(
        "return document.documentElement.scrollHeight")
    if full > height:
        drv.set_window_size(width, full + 140)  # the window's own frame
        time.sleep(0.5)
    path = os.path.join(SHOTS, f"{name}-{width}x{height}.png")
    drv.save_screenshot(path)
    check(f"screenshot {os.path.basename(path)}", os.path.getsize(path) > 0)


def phone(drv):
    """The number on the case page and its direction, or None."""
    return drv.execute_script(
        "const n = document.querySelector('#case-summary .phone');"
        "return n ? [n.textContent, n.dir] : null")


def fetch_text(drv, path):
    """[status, Content-Type, body] of a GET of PATH by the page."""
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        ".then(r => r.text().then(t => done([r.status,"
        " r.headers.get('Content-Type'), t])), () => done(null));", path)


def fetch_status(drv, path):
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        ".then(r => done(r.status), () => done(-1));", path)


CHARTS = ("days", "ack", "open", "missed")


def chart_data(drv):
    """Each chart's datasets' values as Chart.js holds them, or None."""
    return drv.execute_script(
        "const o = {}; for (const n of arguments[0]) {"
        " const c = window.Chart && Chart.getChart('chart-' + n);"
        " o[n] = c ? c.data.datasets.map(d => d.data) : null; } return o",
        list(CHARTS))


def stats_expected(s):
    """What the charts should hold for the figures S of GET /v1/stats."""
    return {
        "days": [e["counts"] for e in s["per_day"]],
        "ack": [[e["median_seconds"] for e in s["ack"]],
                [e["p90_seconds"] for e in s["ack"]]],
        "open": [[s["open"][k]
                  for k in ("notified", "acknowledged", "escalated")]],
        "missed": [[e["escalated"] for e in s["missed"]],
                   [e["late"] for e in s["missed"]]],
    }


def stats_of(drv):
    st, _, body = fetch_text(drv, "/v1/stats")
    return json.loads(body) if st == 200 else None


def charts_drawn(drv):
    d = chart_data(drv)
    return all(d.get(n) is not None for n in CHARTS)


def coord_page(drv, who):
    """The figures page open and drawn: its checks, named for WHO."""
    check(f"{who}: the page's charts are drawn by Chart.js",
          wait(drv, charts_drawn, 15))
    s = stats_of(drv)
    got = chart_data(drv)
    print(f"# charts: {got}")
    check(f"{who}: each chart's values are the API's figures",
          s is not None and got == stats_expected(s))
    rows = drv.execute_script(
        "return arguments[0].map(n => document.querySelectorAll("
        "`#table-${n} tbody tr`).length)", list(CHARTS))
    check(f"{who}: each chart has its table for screen readers",
          drv.execute_script(
              "return arguments[0].every(n => document.getElementById("
              "`table-${n}`).caption && document.getElementById("
              "`chart-${n}`).getAttribute('aria-label'))", list(CHARTS))
          and rows[2] == 3)
    return s


def run(drv):
    drv.set_script_timeout(10)
    drv.set_page_load_timeout(20)
    drv.get(URL + "/")
    check("GET / leads to the sign-in page",
          wait(drv, lambda d: view(d) == "signin"))
    check("at /console/", drv.current_url == URL + "/console/")
    check("the page is in English, left to right",
          drv.execute_script("return document.documentElement.dir") == "ltr")
    labels = drv.execute_script(
        "return [...document.querySelectorAll('input, select')]"
        ".every(e => e.labels && e.labels.length > 0)")
    check("every input has a label", labels)
    shot(drv, "signin-en", 1280, 800)
    shot(drv, "signin-en", 360, 740)
    drv.set_window_size(1280, 800)

    sign_in(drv, "amina", "not the password")
    check("a wrong password shows the server's neutral message",
          wait(drv, lambda d: error_text(d) == "wrong login or password"))
    check("and stays on the sign-in page", view(drv) == "signin")
    sign_in(drv, "nobody", "whatever")
    time.sleep(0.5)
    check("an unknown login shows the same message",
          wait(drv, lambda d: error_text(d) == "wrong login or password"))

    for i in range(5):
        drv.execute_script(
            "document.getElementById('signin-error').textContent = ''")
        sign_in(drv, "locked", f"wrong {i}")
        wait(drv, lambda d: error_text(d) != "")
    drv.execute_script(
        "document.getElementById('signin-error').textContent = ''")
    sign_in(drv, "locked", os.environ["PW_LOCK"])
    check("after 5 failures the right password is refused, same message",
          wait(drv, lambda d: error_text(d) == "wrong login or password"))
    check("and the queue is not shown", view(drv) == "signin")

    # Red Cross's case, then amina signs in with an empty queue.
    check("a water SMS (Red Cross's case) is taken",
          sms("+256700000302", "HELP WATER") // 100 == 2)
    # By keyboard only: the login field, Tab, the password, Enter.
    drv.find_element(By.ID, "login").clear()
    drv.find_element(By.ID, "password").clear()
    drv.find_element(By.ID, "login").send_keys("amina", Keys.TAB)
    check("Tab moves from the login to the password",
          drv.switch_to.active_element.get_attribute("id") == "password")
    check("the focused field shows a visible outline",
          drv.execute_script("return getComputedStyle(document.activeElement)"
                             ".outlineStyle") == "solid")
    drv.switch_to.active_element.send_keys(os.environ["PW_AMINA"], Keys.ENTER)
    check("amina signs in to the queue (keyboard only)",
          wait(drv, lambda d: view(d) == "queue"))
    check("her name is shown",
          "Amina K." in drv.find_element(By.ID, "who").text)
    check("Sign out is shown", visible(drv, "signout"))
    time.sleep(1)
    before = len(rows(drv))
    check("a food SMS (WFP's case) is taken",
          sms("+256700000301", "HELP FOOD") // 100 == 2)
    t0 = time.monotonic()
    appeared = wait(drv, lambda d: len(rows(d)) > before, 15)
    check(f"the case shows up without a reload "
          f"({time.monotonic() - t0:.1f} s)", appeared)
    r = rows(drv)
    check("it shows a code, the label, the priority, region, status, "
          "deadline and age",
          len(r) > 0 and len(r[0]) == 7 and r[0][1] == "food" and
          r[0][2].startswith("3") and r[0][3] == "—" and
          r[0][4] in ("New", "Notified") and r[0][6].endswith("min"))
    print(f"# rows: {r}")
    check("amina does not see Red Cross's water case",
          all(row[1] != "water" for row in r))
    code = r[0][0] if r else ""
    food = code.replace("-", "")

    # The deadline (ack_timeout 30 min) counts down, a fetch or not.
    d1 = seconds(due_text(drv, code))
    check(f"the deadline is a time left: {due_text(drv, code)!r}",
          d1 is not None and 1700 < d1 <= 1800)
    time.sleep(2.2)
    d2 = seconds(due_text(drv, code))
    check(f"and it counts down: {d1} s, then {d2} s 2 s later",
          d1 is not None and d2 is not None and 1 <= d1 - d2 <= 4)

    drv.find_element(By.ID, "search").send_keys("0000000")
    check("a search for another code hides it",
          wait(drv, lambda d: len(rows(d)) == 0, 3))
    drv.find_element(By.ID, "search").clear()
    drv.find_element(By.ID, "search").send_keys(code.replace("-", "")[:4])
    check("a search for its code shows it",
          wait(drv, lambda d: len(rows(d)) == 1, 3))
    drv.find_element(By.ID, "search").clear()
    drv.execute_script("document.getElementById('search')"
                       ".dispatchEvent(new Event('input'))")
    Select(drv.find_element(By.ID, "status")).select_by_value("closed")
    check("the status filter (closed) hides it",
          wait(drv, lambda d: len(rows(d)) == 0, 8))
    Select(drv.find_element(By.ID, "status")).select_by_value("")
    wait(drv, lambda d: len(rows(d)) > 0, 8)

    # Two more categories and a region: a shelter SMS (label "housing",
    # priority 2) and an official's referral in the north.
    check("a shelter SMS is taken",
          sms("+256700000303", "HELP SHELTER") // 100 == 2)
    check("an official's REF FOOD 2 (region north) is taken",
          sms("+256700000201", "REF FOOD 2") // 100 == 2)
    check("both show up",
          wait(drv, lambda d: len(rows(d)) == before + 3, 15))
    r = rows(drv)
    print(f"# rows: {r}")
    check("the shelter case shows its label (housing), not its id",
          [x[1] for x in r].count("housing") == 1 and
          all(x[1] != "shelter" for x in r))
    shelter = next((x[0] for x in r if x[1] == "housing"), "")
    ref = next((x[0] for x in r if x[3] == "north"), "")
    check("the referral shows its region", ref != "")
    filters = (("f-category", "housing", 1, "housing"),
               ("f-region", "north", 3, "north"),
               ("f-priority", "2", 2, "2"))
    for fid, value, col, shown in filters:
        wait(drv, lambda d: d.execute_script(
            "return [...document.getElementById(arguments[0]).options]"
            ".some(o => o.value === arguments[1])", fid, value), 8)
        Select(drv.find_element(By.ID, fid)).select_by_value(value)
        check(f"the filter {fid}={value} leaves one row",
              wait(drv, lambda d: len(rows(d)) == 1 and
                   rows(d)[0][col].startswith(shown), 3))
        Select(drv.find_element(By.ID, fid)).select_by_value("")
        check("and All shows them all again",
              wait(drv, lambda d: len(rows(d)) == before + 3, 3))

    # A deadline in the past (the SLA timer would act on it within a
    # second, so it is set in the case itself, not reached): "overdue".
    redis(["HSET", "{hbm}:case:" + ref.replace("-", ""), "due_ms",
           str(int(time.time() * 1000) - 125000)])
    # No case operation wrote that, so no event says so: the queue is read
    # again as the status filter does.
    drv.execute_script("document.getElementById('status')"
                       ".dispatchEvent(new Event('change'))")
    check("a past deadline shows \"overdue\" and its class",
          wait(drv, lambda d: due_text(d, ref).startswith("overdue by 2 min")
               and "overdue" in due_class(d, ref), 10))
    print(f"# overdue: {due_text(drv, ref)!r}")
    check("the other deadlines are not overdue",
          "overdue" not in due_class(drv, code))
    link = drv.find_element(By.ID, "export")
    check("the queue has a \"Download as CSV\" link to the export",
          link.is_displayed() and link.text == "Download as CSV" and
          link.get_attribute("href") == URL + "/v1/export/cases.csv" and
          link.get_attribute("download") == "cases.csv")
    got = fetch_text(drv, link.get_attribute("href")) or [0, "", ""]
    lines = got[2].split("\r\n")
    check("it downloads CSV of her cases, with the session's cookie",
          got[0] == 200 and got[1] == "text/csv; charset=utf-8" and
          lines[0].startswith("code,label,priority,") and
          any(x.startswith(code + ",food,") for x in lines) and
          "water" not in got[2] and "700000301" not in got[2])
    shot(drv, "queue-en", 1280, 800)
    shot(drv, "queue-en", 360, 740)
    drv.set_window_size(1280, 800)

    # The case page, by keyboard from the queue.
    link = drv.find_element(By.CSS_SELECTOR, f"tr[data-code='{code}'] a")
    link.send_keys(Keys.ENTER)
    check("Enter on a code opens its case page",
          wait(drv, lambda d: view(d) == "case" and
               summary(d).get("Status") == "Notified"))
    check("at #case/<code>", drv.current_url.endswith("#case/" + food))
    check("the focus moves to its heading",
          drv.switch_to.active_element.get_attribute("id") == "case-h")
    sm = summary(drv)
    print(f"# summary: {sm}")
    check("it shows the label, priority, age and deadline",
          sm.get("Category") == "food" and sm.get("Priority") == "3" and
          sm.get("Age", "").endswith("min") and
          seconds(sm.get("Deadline", "")) is not None)
    check("no phone number before the agency acknowledges",
          "Phone number" not in sm)
    check("the timeline shows the notification",
          len(timeline(drv)) >= 1)
    check("a POST without X-CSRF-Token is refused (403)",
          post_status(drv, f"/v1/cases/{food}/ack") == 403)
    check("and changes nothing", summary(drv).get("Status") == "Notified")
    ack = drv.find_element(By.ID, "act-ack")
    ack.send_keys(Keys.ENTER)
    check("Acknowledge: the status becomes Acknowledged",
          wait(drv, lambda d: summary(d).get("Status") == "Acknowledged"))
    check("the focus is back on the case's heading, not lost",
          drv.switch_to.active_element.get_attribute("id") == "case-h")
    tl = timeline(drv)
    print(f"# timeline: {tl}")
    check("with an \"acknowledged\" entry by wfp in the timeline",
          any(e[1] == "wfp" and e[2] == "acknowledged" for e in tl))
    check("and the SMS the case caused, each with its status, no number "
          "and no text",
          any(e[2] == "SMS to the agency" and e[3] in (
              "waiting to be sent", "sent", "delivered") for e in tl) and
          any(e[2] == "SMS to the person" and e[1] == "" and e[3] in (
              "waiting to be sent", "sent", "delivered") for e in tl) and
          "700000301" not in drv.find_element(By.ID, "timeline").text)
    sm = summary(drv)
    check("the deadline is gone (—)", sm.get("Deadline") == "—")
    check("the migrant's number, which the API now gives (consent), "
          "masked", phone(drv) == ["+25670****301", "ltr"])
    check("the full number is nowhere on the page",
          "700000301" not in drv.find_element(By.ID, "main").text)
    check("a \"Show number\" button beside it",
          visible(drv, "reveal") and
          drv.find_element(By.ID, "reveal").text == "Show number")
    drv.find_element(By.ID, "reveal").click()
    check("pressing it shows the full number",
          wait(drv, lambda d: phone(d) == ["+256700000301", "ltr"]))
    check("and the button is gone, the focus on the number",
          not drv.find_elements(By.ID, "reveal") and
          "phone" in drv.switch_to.active_element.get_attribute("class"))
    shot(drv, "case-en", 1280, 800)
    shot(drv, "case-en", 360, 740)
    check("the case page fits 360 px", drv.execute_script(
        "return document.documentElement.scrollWidth <= 360"))
    drv.set_window_size(1280, 800)
    # A note for the agency, and an SMS to the person with its count.
    drv.find_element(By.ID, "note-text").send_keys("asked for a blanket")
    drv.find_element(By.CSS_SELECTOR, "#note-form button").click()
    check("Add the note: a \"note\" entry by wfp in the timeline",
          wait(drv, lambda d: any(e[1] == "wfp" and e[2] == "note" and
                                  e[3] == "asked for a blanket"
                                  for e in timeline(d))))
    check("the SMS form is there for the agency that acknowledged",
          visible(drv, "sms-form"))
    count = lambda d: d.find_element(By.ID, "sms-count").text
    box = drv.find_element(By.ID, "sms-text")
    box.send_keys("See you at gate 3 {ok}")
    check("typing counts GSM-7 characters, braces as two",
          wait(drv, lambda d: count(d) == "24 characters, 1 SMS (GSM-7)", 3))
    box.send_keys(" ب")
    check("an Arabic letter turns the count to UCS-2",
          wait(drv, lambda d: count(d) == "24 characters, 1 SMS (UCS-2)", 3))
    box.send_keys(" " + "x" * 50)
    check("past 70 UCS-2 units it is two SMS",
          wait(drv, lambda d: count(d) == "75 characters, 2 SMS (UCS-2)", 3))
    box.clear()
    box.send_keys("See you at gate 3")
    drv.find_element(By.CSS_SELECTOR, "#sms-form button").click()
    check("Send: an \"SMS to the person\" entry with its text",
          wait(drv, lambda d: any(e[1] == "wfp" and
                                  e[2] == "SMS to the person" and
                                  e[3] == "See you at gate 3"
                                  for e in timeline(d))))
    Select(drv.find_element(By.ID, "sms-template")).select_by_value(
        "person_visit")
    check("a chosen message disables the text",
          not drv.find_element(By.ID, "sms-text").is_enabled())
    Select(drv.find_element(By.ID, "sms-template")).select_by_value("")
    drv.find_element(By.ID, "close-note").send_keys("food parcel delivered")
    drv.find_element(By.CSS_SELECTOR, "#close-form button").click()
    check("Close: the status becomes Closed",
          wait(drv, lambda d: summary(d).get("Status") == "Closed"))
    check("with a \"closed\" entry and its note",
          any(e[2] == "closed" and "food parcel delivered" in e[3]
              for e in timeline(drv)))
    check("and no more actions", not visible(drv, "case-actions"))
    drv.find_element(By.ID, "back").click()
    check("the back link returns to the queue",
          wait(drv, lambda d: view(d) == "queue"))

    # Another agency's case, by URL: the neutral "not found".
    water = admin_code("water")
    drv.get(f"{URL}/console/#case/{water}")
    drv.refresh()
    check("Red Cross's case by URL: \"Case not found\"",
          wait(drv, lambda d: view(d) == "case" and
               d.find_element(By.ID, "case-h").text == "Case not found"))
    check("and nothing of it is shown",
          not visible(drv, "case-body") and
          "water" not in drv.find_element(By.ID, "main").text)

    # Decline from the page, opened by its URL.
    drv.get(f"{URL}/console/#case/{shelter.replace('-', '')}")
    drv.refresh()
    check("a case's URL opens its page directly",
          wait(drv, lambda d: view(d) == "case" and
               summary(d).get("Category") == "housing"))
    drv.find_element(By.CSS_SELECTOR, "#decline-form button").click()
    check("Decline without a reason asks for one",
          wait(drv, lambda d: d.find_element(By.ID, "action-error").text ==
               "Give a reason to decline the case.", 3))
    check("and the case is still notified",
          summary(drv).get("Status") == "Notified")
    drv.find_element(By.ID, "decline-reason").send_keys("no beds left")
    drv.find_element(By.CSS_SELECTOR, "#decline-form button").click()
    check("Decline with a reason returns to the queue, saying so",
          wait(drv, lambda d: view(d) == "queue" and
               d.find_element(By.ID, "queue-note").text ==
               "The case was declined and passed on."))
    check("where the case is no longer listed",
          wait(drv, lambda d: len(rows(d)) == before + 2 and
               all(x[0] != shelter for x in rows(d)), 8))

    # A case left unacknowledged (ack_timeout 1 s): the SLA timer notifies
    # again, then escalates it, which ends its deadline.
    check("a clinic SMS (ack_timeout 1 s) is taken",
          sms("+256700000304", "HELP CLINIC") // 100 == 2)
    check("once escalated, its row says \"escalated\" and its deadline is —",
          wait(drv, lambda d: any(
              x[1] == "clinic" and "escalated" in x[2] and x[5] == "—"
              for x in rows(d)), 20))
    check("and the row is marked by its class",
          drv.execute_script(
              "return document.querySelectorAll('#case-rows tr.escalated')"
              ".length") == 1)

    drv.refresh()
    check("a reload with the cookie goes straight to the queue",
          wait(drv, lambda d: view(d) == "queue"))
    drv.find_element(By.ID, "signout").click()
    check("Sign out returns to the sign-in page",
          wait(drv, lambda d: view(d) == "signin"))
    check("after which GET /v1/cases is 401",
          fetch_status(drv, "/v1/cases") == 401)
    check("and GET /v1/session is 401",
          fetch_status(drv, "/v1/session") == 401)

    Select(drv.find_element(By.ID, "lang")).select_by_value("ar")
    check("the Arabic UI sets dir=rtl on <html>",
          wait(drv, lambda d: d.execute_script(
              "return document.documentElement.dir") == "rtl"))
    check("and lang=ar", drv.execute_script(
        "return document.documentElement.lang") == "ar")
    check("its strings are Arabic",
          drv.find_element(By.ID, "signin-h").text == "تسجيل الدخول")
    drv.refresh()
    check("the language is kept over a reload",
          wait(drv, lambda d: d.execute_script(
              "return document.documentElement.dir") == "rtl"))
    wait(drv, lambda d: view(d) == "signin")
    shot(drv, "signin-ar", 1280, 800)
    shot(drv, "signin-ar", 360, 740)
    drv.set_window_size(1280, 800)
    sign_in(drv, "rc.lead", os.environ["PW_RC"])
    check("Red Cross's manager signs in (Arabic)",
          wait(drv, lambda d: view(d) == "queue"))
    check("and sees the water case and the housing one WFP declined, "
          "not the food one",
          wait(drv, lambda d: sorted(x[1] for x in rows(d)) ==
               ["housing", "water"], 8))
    shot(drv, "queue-ar", 1280, 800)
    shot(drv, "queue-ar", 360, 740)
    check("the queue fits 360 px (Arabic)", drv.execute_script(
        "return document.documentElement.scrollWidth <= 360"))
    drv.set_window_size(1280, 800)
    drv.find_element(By.CSS_SELECTOR, f"tr[data-code='{shelter}'] a").click()
    check("the declined case opens for Red Cross",
          wait(drv, lambda d: view(d) == "case" and len(timeline(d)) > 0))
    tl = timeline(drv)
    print(f"# timeline: {tl}")
    check("its timeline shows WFP's decline and the reason, the action "
          "in Arabic, the agency's id as it is",
          any(e[1] == "wfp" and e[2] == "رُفضت" and
              "no beds left" in e[3] for e in tl))
    check("its \"created\" entry, in Arabic, names the label, never the "
          "category id",
          any(e[2] == "أُنشئت" and e[3] == "housing" for e in tl) and
          "shelter" not in drv.find_element(By.ID, "main").text)
    check("and no timeline word is left in English",
          not any(e[2] in ("created", "notified", "declined",
                           "acknowledged") or
                  e[1] in ("gateway", "migrant") for e in tl))
    drv.find_element(By.ID, "act-ack").click()
    check("Red Cross's manager acknowledges it (Arabic status)",
          wait(drv, lambda d: summary(d).get("الحالة") == "مُستلمة"))
    check("and gets the migrant's number masked, left to right",
          phone(drv) == ["+25670****303", "ltr"])
    check("with an Arabic \"Show number\" button",
          drv.find_element(By.ID, "reveal").text == "إظهار الرقم")
    drv.find_element(By.ID, "reveal").click()
    check("which shows the full number, left to right",
          wait(drv, lambda d: phone(d) == ["+256700000303", "ltr"]))
    shot(drv, "case-ar", 1280, 800)
    shot(drv, "case-ar", 360, 740)
    overflow = drv.execute_script(
        "return document.documentElement.scrollWidth <= 360")
    check("nothing is wider than a 360 px screen", overflow)

    # The figures: Red Cross's manager (still in Arabic) has them as
    # "Figures", its agency's only, right to left.
    check("a manager has a \"Figures\" link (Arabic)",
          visible(drv, "nav") and
          drv.find_element(By.ID, "nav-coord").text == "الأرقام")
    drv.find_element(By.ID, "nav-coord").click()
    check("which opens #coord", wait(drv, lambda d: view(d) == "coord"))
    s = coord_page(drv, "the manager")
    check("the manager's figures are Red Cross's only",
          s is not None and s["agency"] == "redcross" and
          "overdue" not in s and
          all(e["agency"] == "redcross" for e in s["ack"] + s["missed"]))
    check("no overdue list nor channels for a manager",
          not visible(drv, "coord-more"))
    check("the bar charts run right to left in Arabic",
          drv.execute_script("return Chart.getChart('chart-ack')"
                             ".options.scales.x.reverse") is True)
    shot(drv, "coord-ar", 1280, 800)
    shot(drv, "coord-ar", 360, 740)
    check("the figures fit 360 px (Arabic)", drv.execute_script(
        "return document.documentElement.scrollWidth <= 360"))
    drv.set_window_size(1280, 800)
    drv.find_element(By.ID, "signout").click()
    wait(drv, lambda d: view(d) == "signin")

    # A caseworker has no figures, even by the address.
    Select(drv.find_element(By.ID, "lang")).select_by_value("en")
    wait(drv, lambda d: d.find_element(By.ID, "signin-h").text == "Sign in")
    sign_in(drv, "amina", os.environ["PW_AMINA"])
    wait(drv, lambda d: view(d) == "queue")
    check("a caseworker has no link to the figures", not visible(drv, "nav"))
    drv.get(URL + "/console/#coord")
    check("and #coord shows her the queue",
          wait(drv, lambda d: view(d) == "queue"))
    drv.find_element(By.ID, "signout").click()
    wait(drv, lambda d: view(d) == "signin")
    # Each user's language is kept: Red Cross's manager signed in in
    # Arabic, and gets it back on the English sign-in page amina left.
    drv.execute_script("location.hash = '#queue'")
    sign_in(drv, "rc.lead", os.environ["PW_RC"])
    check("a user's language is kept: Red Cross's manager is back in "
          "Arabic", wait(drv, lambda d: view(d) == "queue" and
                         d.execute_script("return document.documentElement"
                                          ".lang") == "ar"))
    drv.find_element(By.ID, "signout").click()
    wait(drv, lambda d: view(d) == "signin")
    Select(drv.find_element(By.ID, "lang")).select_by_value("en")
    wait(drv, lambda d: d.find_element(By.ID, "signin-h").text == "Sign in")

    # The coordinator: every agency, the overdue cases, the channels.
    drv.execute_script("location.hash = '#queue'")
    sign_in(drv, "coord", os.environ["PW_COORD"])
    check("the coordinator signs in",
          wait(drv, lambda d: view(d) == "queue"))
    check("and has a \"Coordinator\" link",
          drv.find_element(By.ID, "nav-coord").text == "Coordinator")
    drv.find_element(By.ID, "nav-coord").click()
    check("which opens the coordinator page",
          wait(drv, lambda d: view(d) == "coord") and
          drv.current_url.endswith("#coord"))
    s = coord_page(drv, "the coordinator")
    check("the coordinator's figures are every agency's",
          s is not None and s["agency"] is None and
          {"redcross", "wfp"} <= {e["agency"] for e in s["ack"]})
    src = drv.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /chart/.test(n))")
    check("Chart.js comes from hbmgwd, /console/vendor/chart.min.js",
          src == [URL + "/console/vendor/chart.min.js"])
    st, ctype, body = fetch_text(drv, "/console/vendor/chart.min.js")
    check("served as JavaScript, Debian's Chart.js",
          st == 200 and ctype.startswith("text/javascript") and
          "Chart.js v" in body[:200])
    clinic = [c for c in s["overdue"] if c["label"] == "clinic"]
    check("the escalated clinic case is in the overdue table",
          wait(drv, lambda d: bool(clinic) and any(
              clinic[0]["code"] in r[0]
              for r in d.execute_script(
                  "return [...document.querySelectorAll("
                  "'#table-overdue tbody tr')].map(r => [...r.cells]"
                  ".map(c => c.textContent))")), 5))
    check("the channels are listed",
          wait(drv, lambda d: d.execute_script(
              "return document.querySelectorAll('#table-channels tbody tr')"
              ".length") > 0, 5))
    check("the audit chain's state is shown",
          "intact" in drv.find_element(By.ID, "coord-audit").text)
    check("no category id on the page",
          not re.search(r"\b(shelter|medical)\b",
                        drv.find_element(By.ID, "main").text))
    shot(drv, "coord-en", 1280, 800)
    shot(drv, "coord-en", 360, 740)
    check("the coordinator page fits 360 px", drv.execute_script(
        "return document.documentElement.scrollWidth <= 360"))
    drv.set_window_size(1280, 800)

    # A food case WFP declines goes to the coordinator (no agency left);
    # she gives it back to WFP (it found stock) from the overdue table, and
    # it leaves. (To WFP: Red Cross's figures are checked for no food case.)
    before = codes_of("food")
    check("a food SMS is taken", sms("+256700000305", "HELP FOOD") // 100 == 2)
    check("its case is made", wait(drv, lambda d: codes_of("food") - before))
    food = (codes_of("food") - before).pop()
    check("WFP declines it: escalated to the coordinator",
          api_call("POST", f"/v1/cases/{food}/decline",
                   os.environ["HBM_WFP_TOKEN"], {"reason": "no stock"})[0]
          == 200)
    drv.refresh()
    check("the declined case is in the overdue table",
          wait(drv, lambda d: food in overdue_codes(d), 10))
    sel = drv.find_element(By.ID, f"reassign-{food}-to")
    check("its Reassign select names the agencies",
          [o.text for o in Select(sel).options] == ["WFP", "Red Cross"])
    check("each control is labelled for its case",
          sel.get_attribute("aria-label").endswith(food[:4] + "-" + food[4:])
          and drv.find_element(By.ID, f"reassign-{food}-reason")
          .get_attribute("aria-label"))
    Select(sel).select_by_value("wfp")
    drv.find_element(By.ID, f"reassign-{food}-reason").send_keys("stock came")
    sel.find_element(By.XPATH, "./ancestor::form//button").click()
    check("Reassign takes the case off the overdue list, saying so",
          wait(drv, lambda d: food not in overdue_codes(d) and
               "reassigned to WFP" in
               d.find_element(By.ID, "coord-state").text, 10))
    st, got = api_call("GET", f"/v1/cases/{food}",
                       os.environ["HBM_ADMIN_TOKEN"])
    check("the case is WFP's, notified, not escalated, with a deadline",
          st == 200 and got["agency"] == "wfp" and
          got["status"] == "notified" and not got["escalated"] and
          got["due_at"])
    check("its timeline says who reassigned it",
          any(e["what"] == "reassigned" and e["who"] == "coordinator:coord"
              for e in got["history"]))

    drv.find_element(By.CSS_SELECTOR, "#table-overdue tbody a").click()
    check("an overdue case's code opens its page",
          wait(drv, lambda d: view(d) == "case"))
    check("where the coordinator has the Reassign form, labelled",
          wait(drv, lambda d: visible(d, "case-reassign") and
               visible(d, "reassign-to"), 5) and
          drv.find_element(By.CSS_SELECTOR, "label[for=reassign-to]").text
          == "Agency")
    # The API's 401s (signed out), 403 (no CSRF token) and 404 (another
    # agency's case) the test itself asked for are not errors.
    errors = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
              and not re.search(r"/v1/\S* - Failed to load resource: the "
                                r"server responded with a status of 40[134]",
                                e["message"])]
    check("no error in the browser console (CSP included)", not errors)
    for e in errors:
        print("# " + e["message"])


def browser():
    """Headless chromium with its console log; WebDriverException when it
    cannot start. Other checks (tests/browser/events.py) import it."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--window-size=1280,800", "--lang=en-US"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                            options=opts)


def main():
    try:
        drv = browser()
    except WebDriverException as e:
        print(f"not ok - chromium starts: {e}")
        return 1
    try:
        run(drv)
    except Exception as e:  # a crash is a failure, named
        check(f"the browser run ends without {type(e).__name__}: {e}", False)
    finally:
        drv.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
