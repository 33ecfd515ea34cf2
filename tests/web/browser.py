"""Drives Debian's Chromium (chromium-driver, python3-selenium) against a
running tiendod and prints TAP-style lines ("ok - ...", "not ok - ...").

    browser.py HTTP_URL TIENDO_PUSH SCREENSHOT_DIR

Called by tests/integration/test_web.sh, which starts the daemon and
kills it on exit.  Every wait is a poll with a deadline."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

HTTP = sys.argv[1] if len(sys.argv) > 1 else ""
PUSH = sys.argv[2] if len(sys.argv) > 2 else ""
SHOTS = sys.argv[3] if len(sys.argv) > 3 else "."

N_OK = N_FAIL = 0


def report(name, good, detail=""):
    global N_OK, N_FAIL
    if good:
        N_OK += 1
        print("ok - " + name)
    else:
        N_FAIL += 1
        print("not ok - " + name)
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def get(path):  # noqa: D103
    with urllib.request.urlopen(HTTP + path, timeout=10) as r:
        return json.load(r)


def poll(fn, limit):
    """fn() until true or the deadline; a page re-rendering under the
    check (a stale or missing element) counts as not yet."""
    end = time.time() + limit
    while True:
        try:
            v = fn()
        except WebDriverException:
            v = None
        if v or time.time() >= end:
            return v
        time.sleep(0.05)


def push(*args):
    return subprocess.run([PUSH, "-q", *args], capture_output=True, text=True, timeout=30)


def browser():
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="tiendo-chromium.")):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def ready(d, view, since=0):
    """Waits until the page says it rendered `view` after `since` (ms)."""
    def done():
        b = d.find_element(By.TAG_NAME, "body")
        r = b.get_attribute("data-ready")
        return b.get_attribute("data-view") == view and r and int(r) > since
    return poll(done, 10)


def goto(d, hash_, view):
    t0 = d.execute_script("return Date.now()")
    d.execute_script("location.hash = arguments[0]", hash_)
    return ready(d, view, t0)


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def tallies():
    """(task, unit, rollup) -> row of /v1/tallies."""
    return {(r["task"], r["unit"], r["rollup"]): r for r in get("/v1/tallies")["tallies"]}


def cells(d):
    return d.execute_script("""
        return [...document.querySelectorAll('td.cell[data-task]')].map(c => ({
          task: c.dataset.task, unit: c.dataset.unit, actual: c.dataset.actual,
          status: c.dataset.status, rollup: c.dataset.rollup === '1'}));""")


def canvas_ink(d, cid):
    """Pixels of the canvas that are not blank (drawn on)."""
    return d.execute_script("""
        const c = document.getElementById(arguments[0]);
        if (!c) return -1;
        const x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < x.length; i += 4) if (x[i] > 0) n++;
        return n;""", cid)


def console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


def summary():
    print("# %d passed, %d failed" % (N_OK, N_FAIL))
    sys.exit(1 if N_FAIL else 0)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    d = browser()
    try:
        run(d)
    finally:
        d.quit()
    summary()


def run(d):
    d.set_window_size(1366, 768)
    d.get(HTTP + "/")
    report("overview renders at 1366x768", ready(d, "overview"))
    d.execute_script("window.__tiendo_no_reload = 1")
    shot(d, "overview")

    # Every cell is the number /v1/tallies gives for that pair.
    tl = tallies()
    cs = cells(d)
    bad = [c for c in cs if (c["task"], c["unit"], c["rollup"]) not in tl or
           tl[(c["task"], c["unit"], c["rollup"])]["actual"] != c["actual"] or
           tl[(c["task"], c["unit"], c["rollup"])]["status"] != c["status"]]
    report("overview: all %d cells equal /v1/tallies" % len(cs), cs and not bad, bad)

    # A report changes the page within 2 s, without a reload.
    sel = 'td.cell[data-task="cay"][data-unit="xa-a"]'
    before = poll(lambda: d.find_element(By.CSS_SELECTOR, sel).get_attribute("data-actual"), 5)
    p = push("--client", "xa-a", "--unit", "xa-a", "--task", "cay", "--add", "7",
             "--reporter", "Cán bộ Hoàng Đan", "--note", "trồng ở thôn Đồng Giếng")
    t0 = time.time()
    want = str(int(float(before)) + 7)
    changed = poll(lambda: d.find_element(By.CSS_SELECTOR, sel).get_attribute("data-actual") == want, 2.0)
    report("a tiendo-push shows on the overview within 2 s (%.2f s)" % (time.time() - t0),
           p.returncode == 0 and changed, p.stderr + " before=%s want=%s" % (before, want))
    report("... without a reload", d.execute_script("return window.__tiendo_no_reload") == 1)
    roll = 'td.cell[data-task="cay"][data-unit="huyen"]'
    rolled = poll(lambda: d.find_element(By.CSS_SELECTOR, roll).get_attribute("data-actual") ==
                  tallies()[("cay", "huyen", True)]["actual"], 5.0)
    report("the roll-up cell follows", rolled)

    # Alerts: a new event appears in the list, live.
    report("alerts page renders", goto(d, "#/alerts", "alerts"))
    shot(d, "alerts")
    last = get("/v1/alerts")["seq"]
    p = push("--client", "xa-b", "--unit", "xa-b", "--task", "cay", "--set", "500")
    t0 = time.time()
    seen = poll(lambda: d.execute_script(
        "return [...document.querySelectorAll('#events tr[data-seq]')].some(r => +r.dataset.seq > arguments[0])",
        last), 2.0)
    report("an alert event appears in the alert list within 2 s (%.2f s)" % (time.time() - t0),
           p.returncode == 0 and seen, p.stderr)
    report("... still without a reload", d.execute_script("return window.__tiendo_no_reload") == 1)

    # A burn-up chart is drawn, and ends on the tally.
    report("task page renders", goto(d, "#/task/cay?unit=xa-a", "task"))
    poll(lambda: canvas_ink(d, "chart-unit") > 500, 5)
    tl = tallies()
    for cid, key in (("chart-unit", ("cay", "xa-a", False)), ("chart-rollup", ("cay", "huyen", True))):
        ink = canvas_ink(d, cid)
        report("chart %s is drawn (%d pixels)" % (cid, ink), ink > 500)
        last_pt = d.find_element(By.ID, cid).get_attribute("data-last-actual")
        report("chart %s ends on the tally (%s)" % (cid, last_pt), last_pt == tl[key]["actual"],
               "chart %s, tally %s" % (last_pt, tl[key]["actual"]))
    shot(d, "task")

    # The unit page: its tasks, and the latest report with reporter and note.
    report("unit page renders", goto(d, "#/unit/xa-a", "unit"))
    text = d.find_element(By.ID, "unit-reports").text
    report("unit page shows the reporter and the note",
           "Cán bộ Hoàng Đan" in text and "thôn Đồng Giếng" in text, text)
    shot(d, "unit")

    report("ranking page renders with its rule", goto(d, "#/ranking", "ranking") and
           len(d.find_element(By.ID, "rule").text) > 40 and
           d.find_elements(By.CSS_SELECTOR, "table.ranking tbody tr"))
    shot(d, "ranking")

    report("weekly report renders", goto(d, "#/report", "report"))
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    nav = d.find_element(By.CSS_SELECTOR, "header.top").is_displayed()
    report("weekly report: print media hides the navigation", not nav)
    shot(d, "report-print")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # A phone.
    d.set_window_size(390, 844)
    report("overview renders at 390x844", goto(d, "#/?sort=worst", "overview"))
    over = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    report("phone: the page does not scroll sideways (%d px)" % over, over <= 1)
    shot(d, "overview-phone")
    report("task page renders at 390x844", goto(d, "#/task/dat", "task"))
    report("phone: the chart is drawn", poll(lambda: canvas_ink(d, "chart-rollup") > 500, 5))
    shot(d, "task-phone")

    errs = console_errors(d)
    report("no console errors", not errs, json.dumps(errs, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
