#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The console in a real browser: Debian's chromium, headless, driven by
python3-selenium against the hbmgwd that tests/integration/t_console.sh
started. Prints one "ok - ..." or "not ok - ..." line per check; exits 1
when one failed or the browser could not start. Every wait is bounded.

Environment: HBM_URL (http://127.0.0.1:PORT), HBM_CHANNEL_TOKEN, PW_AMINA,
PW_RC, PW_LOCK, HBM_SCREENSHOTS (a folder).
"""
import json
import os
import sys
import time
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


def shot(drv, name, width, height):
    drv.set_window_size(width, height)
    time.sleep(0.5)
    path = os.path.join(SHOTS, f"{name}-{width}x{height}.png")
    drv.save_screenshot(path)
    check(f"screenshot {os.path.basename(path)}", os.path.getsize(path) > 0)


def fetch_status(drv, path):
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'})"
        ".then(r => done(r.status), () => done(-1));", path)


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
    check("it shows a code, the category, the priority, status and age",
          len(r) > 0 and len(r[0]) == 5 and r[0][1] == "food" and
          r[0][2].startswith("3") and r[0][3] in ("New", "Notified") and
          r[0][4].endswith("min"))
    print(f"# rows: {r}")
    check("amina does not see Red Cross's water case",
          all(row[1] != "water" for row in r))
    code = r[0][0] if r else ""
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
    shot(drv, "queue-en", 1280, 800)
    shot(drv, "queue-en", 360, 740)
    drv.set_window_size(1280, 800)

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
    check("and sees the water case, not the food one",
          wait(drv, lambda d: [x[1] for x in rows(d)] == ["water"], 8))
    shot(drv, "queue-ar", 1280, 800)
    shot(drv, "queue-ar", 360, 740)
    overflow = drv.execute_script(
        "return document.documentElement.scrollWidth <= 360")
    check("nothing is wider than a 360 px screen", overflow)
    # The 401s the page itself asked for (signed out) are not errors.
    errors = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
              and "status of 401" not in e["message"]]
    check("no error in the browser console (CSP included)", not errors)
    for e in errors:
        print("# " + e["message"])


def main():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--window-size=1280,800", "--lang=en-US"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                               options=opts)
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
