#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The console's accessibility in a real browser, against the hbmgwd that
tests/integration/t_a11y.sh started. axe-core (tests/browser/vendor/,
checked against its README's sha256) scans the sign-in page (and its
error), the queue (and empty), a case page (notified, with an error, then
acknowledged, and as the coordinator sees one, with its Reassign form) and
the coordinator page (tables shown and not, Reassign controls), in English
and in Arabic, 1280 and 360 px wide, for the WCAG 2.0 and 2.1 A and AA
rules: none may be violated (each violation is printed, its id, impact
and nodes). Then the keyboard alone (Tab, Shift+Tab, Enter, Space
and the typing of the login and password) signs in, reaches a case's link
in the queue, opens it, reaches its Acknowledge button and acknowledges
it, in English at 1280 px then in Arabic at 360 px, each element it
focuses showing a focus indicator. The sign-in and browser helpers are
tests/browser/console.py's. Prints one "ok - ..." or "not ok - ..." line
per check; exits 1 when one failed.

axe is put in the page by WebDriver's execute_script, which chromedriver
runs through the DevTools protocol (Runtime.callFunctionOn): the page's
Content-Security-Policy governs the page's own scripts, not what the
debugger evaluates, so "script-src 'self'" does not stop it; the run
checks that axe is there, that it ran, and that the browser logged no CSP
violation.

Environment: HBM_URL, HBM_CHANNEL_TOKEN, HBM_ADMIN_TOKEN, HBM_REDIS_CLI,
PW_AMINA, PW_COORD, HBM_SCREENSHOTS (console.py reads them).
"""
import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console  # noqa: E402
from console import (charts_drawn, check, rows, sign_in, view,  # noqa: E402
                     wait)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

URL = os.environ["HBM_URL"]
VENDOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = ((1280, 800), (360, 740))


def axe_source():
    """axe.min.js, or None when it is not the file its README names."""
    with open(os.path.join(VENDOR, "axe.min.js"), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(VENDOR, "README"), encoding="utf-8") as f:
        sums = re.findall(r"\b[0-9a-f]{64}\b", f.read())
    return src if hashlib.sha256(src.encode()).hexdigest() in sums else None


AXE = axe_source()


def axe_run(drv):
    """The violations axe finds in the page as it is, or a string saying
    why axe did not run."""
    if not drv.execute_script("return typeof window.axe === 'object'"):
        drv.execute_script(AXE)
    if not drv.execute_script("return typeof window.axe === 'object'"):
        return "axe is not in the page"
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
        " summary: n.failureSummary}))}))), e => done(String(e)));", TAGS)


def scan(drv, what):
    """axe at each width: no violation, each printed when there are."""
    for w, h in SIZES:
        drv.set_window_size(w, h)
        time.sleep(0.4)
        got = axe_run(drv)
        if isinstance(got, str):
            check(f"axe runs on {what} at {w} px ({got})", False)
            continue
        check(f"axe: no WCAG 2.1 A/AA violation on {what} at {w} px",
              not got)
        for v in got:
            print(f"# {v['id']} ({v['impact']}): {v['help']}")
            for n in v["nodes"]:
                print(f"#   {n['target']}: "
                      + n["summary"].replace("\n", " / "))
    drv.set_window_size(*SIZES[0])


def set_lang(drv, lang):
    drv.execute_script("localStorage.setItem('hbm.lang', arguments[0])",
                       lang)
    drv.refresh()
    return wait(drv, lambda d: d.execute_script(
        "return document.documentElement.lang") == lang and view(d) != "")


def sign_out(drv):
    """Sign out, the next sign-in to open the queue (not the last page)."""
    drv.find_element(By.ID, "signout").click()
    wait(drv, lambda d: view(d) == "signin")
    drv.execute_script("location.hash = '#queue'")


def case_link(drv, label):
    """The queue's link to the newest case with LABEL, or None."""
    return drv.execute_script(
        "for (const r of document.querySelectorAll('#case-rows tr'))"
        " if (r.cells[1].textContent === arguments[0])"
        "  return r.querySelector('a'); return null", label)


def active(drv):
    """The focused element: [id, tag, text, outline, box-shadow, class]."""
    return drv.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "const o = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth)"
        " > 0 ? s.outlineStyle + ' ' + s.outlineWidth : 'none';"
        "return [e.id, e.tagName.toLowerCase(), e.textContent.trim()"
        ".slice(0, 40), o, s.boxShadow, e.className]")


def tab_to(drv, is_target, seen, limit=40, back=False):
    """Tab (or Shift+Tab) until is_target(active element); each element
    focused on the way is added to SEEN. Whether it was reached."""
    for _ in range(limit):
        if back:
            ActionChains(drv).key_down(Keys.SHIFT).send_keys(Keys.TAB) \
                .key_up(Keys.SHIFT).perform()
        else:
            ActionChains(drv).send_keys(Keys.TAB).perform()
        a = active(drv)
        seen.append(a)
        if is_target(a):
            return True
    return False


def keyboard(drv, label, lang, width):
    """Sign in, open the case with LABEL and acknowledge it by the
    keyboard alone, the page in LANG, WIDTH px wide. Its code."""
    k = f"keyboard [{lang}, {width} px]:"
    drv.set_window_size(width, 800)
    drv.get(URL + "/console/#queue")
    set_lang(drv, lang)
    wait(drv, lambda d: view(d) == "signin")
    check(f"{k} the sign-in page puts the focus on its login field",
          wait(drv, lambda d: active(d)[0] == "login"))
    seen = []
    check(f"{k} Tab goes round the sign-in page back to the login field",
          tab_to(drv, lambda a: a[0] == "login", seen))
    ActionChains(drv).send_keys("amina").perform()
    check(f"{k} Tab reaches the password field",
          tab_to(drv, lambda a: a[0] == "password", seen))
    ActionChains(drv).send_keys(os.environ["PW_AMINA"]).perform()
    check(f"{k} Tab reaches the form's button",
          tab_to(drv, lambda a: a[1] == "button" and drv.execute_script(
              "return document.activeElement.form?.id") == "signin-form",
              seen))
    check(f"{k} Shift+Tab goes back to the password field",
          tab_to(drv, lambda a: a[0] == "password", seen, 1, back=True))
    tab_to(drv, lambda a: a[1] == "button", seen, 1)
    ActionChains(drv).send_keys(Keys.ENTER).perform()
    check(f"{k} Enter on it signs in to the queue",
          wait(drv, lambda d: view(d) == "queue" and len(rows(d)) >= 2))
    check(f"{k} Tab reaches the {label} case's link",
          tab_to(drv, lambda a: a[1] == "a" and re.fullmatch(
              r"\d{4}-\d{4}", a[2]) and drv.execute_script(
                  "return document.activeElement.closest('tr')"
                  ".cells[1].textContent") == label, seen, 60))
    code = active(drv)[2]
    ActionChains(drv).send_keys(Keys.ENTER).perform()
    check(f"{k} Enter opens case {code}",
          wait(drv, lambda d: view(d) == "case" and
               d.find_element(By.ID, "act-ack").is_displayed()))
    check(f"{k} Tab reaches its Acknowledge button",
          tab_to(drv, lambda a: a[0] == "act-ack", seen))
    ActionChains(drv).send_keys(Keys.SPACE).perform()
    check(f"{k} Space on it acknowledges the case",
          wait(drv, lambda d: d.find_element(By.ID, "reveal").is_displayed()))
    # The body is where the focus is once past the page's last element,
    # on its way to the browser's own controls: not an element of ours.
    seen = [a for a in seen if a[1] != "body"]
    bare = [a for a in seen if a[3] == "none" and a[4] == "none"]
    check(f"{k} each of the {len(seen)} elements focused shows a focus "
          "indicator (outline or box-shadow)", len(seen) > 5 and not bare)
    for a in bare:
        print(f"# no focus indicator: {a}")
    sign_out(drv)
    drv.set_window_size(*SIZES[0])
    return code


def run(drv):
    drv.set_script_timeout(60)
    drv.set_page_load_timeout(20)
    check("tests/browser/vendor/axe.min.js is the file its README names",
          AXE is not None)
    if AXE is None:
        return
    drv.get(URL + "/console/")
    check("the sign-in page", wait(drv, lambda d: view(d) == "signin"))
    drv.execute_script(AXE)
    check("axe goes into the page under its CSP (execute_script)",
          drv.execute_script("return typeof axe.run") == "function")

    food = keyboard(drv, "food", "en", 1280)

    for lang in ("en", "ar"):
        check(f"[{lang}] the page is in {lang}", set_lang(drv, lang))
        wait(drv, lambda d: view(d) == "signin")
        scan(drv, f"the sign-in page [{lang}]")
        drv.find_element(By.ID, "login").send_keys("x")
        drv.find_element(By.CSS_SELECTOR, "#signin-form button").click()
        wait(drv, lambda d: console.error_text(d) != "")
        scan(drv, f"the sign-in page with its error [{lang}]")

        sign_in(drv, "amina", os.environ["PW_AMINA"])
        check(f"[{lang}] amina's queue, the clinic case escalated",
              wait(drv, lambda d: view(d) == "queue" and
                   d.execute_script("return document.querySelectorAll("
                                    "'#case-rows tr.escalated').length")
                   == 1, 40))
        scan(drv, f"the queue [{lang}]")
        Select(drv.find_element(By.ID, "status")).select_by_value("closed")
        check(f"[{lang}] filtered to closed cases, the queue is empty",
              wait(drv, lambda d: not rows(d) and
                   d.find_element(By.ID, "queue-state").text != ""))
        scan(drv, f"the empty queue [{lang}]")
        Select(drv.find_element(By.ID, "status")).select_by_value("")
        # the queue is drawn again after the filter: wait for its row
        wait(drv, lambda d: case_link(d, "clinic") is not None)
        case_link(drv, "clinic").click()
        check(f"[{lang}] the clinic case's page, not acknowledged",
              wait(drv, lambda d: view(d) == "case" and
                   d.find_element(By.ID, "act-ack").is_displayed()))
        scan(drv, f"a notified case [{lang}]")
        drv.find_element(By.CSS_SELECTOR, "#decline-form button").click()
        check(f"[{lang}] Decline without a reason shows an error",
              wait(drv, lambda d: d.find_element(By.ID, "action-error")
                   .text != ""))
        scan(drv, f"a case with an error [{lang}]")
        drv.get(f"{URL}/console/#case/{food.replace('-', '')}")
        check(f"[{lang}] the acknowledged food case's page",
              wait(drv, lambda d: view(d) == "case" and
                   d.find_element(By.ID, "reveal").is_displayed()))
        drv.find_element(By.ID, "reveal").click()
        wait(drv, lambda d: "*" not in console.phone(d)[0])
        scan(drv, f"an acknowledged case [{lang}]")
        sign_out(drv)

        sign_in(drv, "coord", os.environ["PW_COORD"])
        wait(drv, lambda d: view(d) == "queue")
        drv.find_element(By.ID, "nav-coord").click()
        check(f"[{lang}] the coordinator page, drawn",
              wait(drv, lambda d: view(d) == "coord" and charts_drawn(d) and
                   d.execute_script(
                       "return document.querySelectorAll("
                       "'#table-channels tbody tr').length") > 0, 15))
        scan(drv, f"the coordinator page [{lang}]")
        drv.execute_script(
            "document.querySelectorAll('#view-coord details')"
            ".forEach(d => d.open = true)")
        scan(drv, f"the coordinator page, tables open [{lang}]")
        check(f"[{lang}] the overdue table has its Reassign controls",
              drv.execute_script(
                  "return document.querySelectorAll("
                  "'#table-overdue tbody select[aria-label]').length") > 0)
        drv.find_element(By.CSS_SELECTOR, "#table-overdue tbody a").click()
        check(f"[{lang}] an overdue case's page, with the Reassign form",
              wait(drv, lambda d: view(d) == "case" and
                   d.find_element(By.ID, "reassign-to").is_displayed()))
        scan(drv, f"a case to the coordinator [{lang}]")
        sign_out(drv)

    # Last, as it acknowledges the case the scans showed notified.
    keyboard(drv, "clinic", "ar", 360)

    errors = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
              and not re.search(r"/v1/\S* - Failed to load resource: the "
                                r"server responded with a status of 40[13]",
                                e["message"])]
    check("no error in the browser console (no CSP violation)", not errors)
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
