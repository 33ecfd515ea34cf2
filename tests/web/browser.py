"""Drives Debian's Chromium (chromium-driver, python3-selenium) against a
running tiendod and prints TAP-style lines ("ok - ...", "not ok - ...").

    browser.py HTTP_URL TIENDO_PUSH SCREENSHOT_DIR

Called by tests/integration/test_web.sh, which starts the daemon and
kills it on exit.  Every wait is a poll with a deadline."""
import datetime
import json
import os
import re
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


def cell_text(d, task, unit, rollup):
    return d.execute_script("""
        const c = document.querySelector(`td.cell[data-task="${arguments[0]}"][data-unit="${arguments[1]}"]` +
          `[data-rollup="${arguments[2]}"]`);
        return c ? c.innerText.replace(/\\s+/g, ' ').trim() : null;""", task, unit, 1 if rollup else 0)


# What no page may show: a JavaScript value or a raw timestamp, and on the
# Vietnamese page the English of the unit kinds and of the API's errors.
BAD = re.compile(r"\bNaN\b|\bundefined\b|\bnull\b|\d{4}-\d\d-\d\dT|\b(commune|town|district|department|"
                 r"Failed|fetch|outside|not found|target of)\b")


def clean(d, what):
    text = d.find_element(By.ID, "app").text + d.find_element(By.TAG_NAME, "header").text
    bad = sorted(set(m.group(0) for m in BAD.finditer(text)))
    report("%s: no NaN, undefined, null, ISO time or English word %s" % (what, bad), not bad, text[:600])


def kinds(d):
    """Each kind of indicator reads in its own terms (README "Kinds of
    indicator"), on the overview, a task's page, a unit's page and the
    weekly report, with Vietnamese numbers."""
    tl = tallies()
    want = [  # task, unit, rollup, what the cell must read
        ("ty-le", "huyen", True, "90,9% ≥ 95%"),   # the ratio of the sums, not 95,7% of the target
        ("ty-le", "xa-b", False, "10% ≥ 95%"),
        ("muc", "huyen", True, "95% ≥ 98%"),        # the mean of the levels, never 190 against 196
        ("muc", "xa-a", False, "91% ≥ 98%"),
        ("chay", "xa-a", False, "Vượt trần 1 > 0"),  # a ceiling broken, not "0%"
        ("chay", "xa-b", False, "Trong trần 0 ≤ 0"),
        ("ntm", "xa-a", False, "Đạt"),              # a milestone reached, not "100% 1/1"
        ("ntm", "xa-b", False, "Chưa đạt"),
        ("ntm", "huyen", True, "1/2 đạt"),
    ]
    for task, unit, roll, text in want:
        got = cell_text(d, task, unit, roll)
        report("overview: %s at %s reads \"%s\"" % (task, unit, text), got == text, "got %r" % got)
    g = tl[("ocop", "xa-a", False)]
    done = sum(1 for i in g["indicators"] if i["status"] == "done")
    got = cell_text(d, "ocop", "xa-a", False)
    report("overview: a group's cell is its indicators (%s)" % got,
           got == "%d/%d chỉ tiêu đạt" % (done, len(g["indicators"])), got)
    got = cell_text(d, "cay", "huyen", True) or ""
    report("overview: numbers in the Vietnamese format (%s)" % got, re.search(r"/1\.500$", got), got)
    clean(d, "overview")

    report("a rate's task page renders", goto(d, "#/task/ty-le?unit=xa-b", "task"))
    rows = d.execute_script("""return [...document.querySelectorAll('#task-units tbody tr')].map(r =>
        [...r.cells].map(c => c.innerText.trim()))""")
    report("a rate's roll-up row reads 90,9%% against ≥ 95%% (%s)" % rows[:1],
           rows and rows[0][1:3] == ["90,9%", "≥ 95%"], rows)
    poll(lambda: canvas_ink(d, "chart-unit") > 500, 5)
    last = d.find_element(By.ID, "chart-rollup").get_attribute("data-last-actual")
    report("a rate's chart ends on the ratio of the sums (%s)" % last,
           last == tl[("ty-le", "huyen", True)]["actual"] and last.startswith("90.90"), last)
    report("a rate has no projected finish", all(r[-1] == "—" for r in rows), rows)
    clean(d, "a rate's task page")
    report("a ceiling's task page renders", goto(d, "#/task/chay", "task"))
    rows = d.execute_script("""return [...document.querySelectorAll('#task-units tbody tr')].map(r =>
        [...r.cells].map(c => c.innerText.trim()))""")
    report("a broken ceiling is not \"finished\"", not any("hoàn thành" in r[-1] for r in rows), rows)
    report("a group's task page renders its indicators", goto(d, "#/task/ocop", "task") and
           len(d.find_elements(By.CSS_SELECTOR, "#group-indicators a")) == 2)
    clean(d, "a group's task page")
    report("unit page renders", goto(d, "#/unit/xa-a", "unit"))
    text = d.find_element(By.ID, "app").text
    report("unit page: its kind in Vietnamese", "Loại đơn vị: Xã" in text, text[:300])
    clean(d, "unit page")
    for h, view in (("#/alerts", "alerts"), ("#/ranking", "ranking"), ("#/report", "report")):
        goto(d, h, view)
        clean(d, h)

    # A past date: the title in dd/mm/yyyy, the exports of that date.
    day = (datetime.date.today() - datetime.timedelta(days=2))
    report("overview at a past date renders", goto(d, "#/?at=" + day.isoformat(), "overview"))
    h1 = d.find_element(By.TAG_NAME, "h1").text
    report("at=: the date reads %s" % day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%Y") in h1, h1)
    hrefs = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, 'a[href*="/v1/export/"]')]
    report("at=: the exports are of that date", hrefs and all("at=" + day.isoformat() in h for h in hrefs), hrefs)
    clean(d, "overview at a past date")
    goto(d, "#/", "overview")


def sticky_on_top(d):
    """The unit column is sticky: a cell scrolled under it must not show
    through it (a cell's <small> with its opacity painted above it)."""
    return poll(lambda: d.execute_script("""
        const s = document.querySelector('.scroll');
        const sm = document.querySelector('tr:not(.head) td.cell small');
        if (!sm) return null;
        const u = () => sm.closest('tr').querySelector('td.unitname').getBoundingClientRect();
        s.scrollLeft = 0;
        window.scrollTo(0, sm.getBoundingClientRect().top + scrollY - innerHeight / 2);
        const r0 = sm.getBoundingClientRect(), u0 = u();
        s.scrollLeft = (r0.left + r0.width / 2) - (u0.left + u0.width / 2);  /* under the unit's name */
        const r = sm.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const top = document.elementFromPoint(x, y);
        s.scrollLeft = 0;
        return !!(top && top.closest('td.unitname'));"""), 5)


def errors(d):
    """The page on API errors: a 404, a 403 (a scoped account: the page's
    fetch answered 403 as the daemon does), the daemon down and back."""
    report("an unknown task: the error view", goto(d, "#/task/khong-co", "error"))
    e = d.find_element(By.ID, "error")
    report("... 404, said in Vietnamese (%s)" % e.text,
           e.get_attribute("data-status") == "404" and "Không tìm thấy" in e.text, e.text)
    d.execute_script("""window.__fetch = window.fetch;
        window.fetch = (u, o) => String(u).startsWith('/v1/grid') ? Promise.resolve(new Response(
          JSON.stringify({error: 'unit "xa-b" is outside this account\\'s scope'}),
          {status: 403, headers: {'Content-Type': 'application/json'}})) : window.__fetch(u, o);""")
    report("a 403: the error view", goto(d, "#/?unit=xa-b", "error"))
    e = d.find_element(By.ID, "error")
    report("... said in Vietnamese (%s)" % e.text,
           e.get_attribute("data-status") == "403" and "không được xem" in e.text, e.text)
    clean(d, "a 403")
    d.execute_script("window.fetch = window.__fetch")
    restart = os.environ.get("TIENDO_RESTART")
    if not restart:
        return
    goto(d, "#/ranking", "ranking")
    p = subprocess.run([restart, "stop"], capture_output=True, text=True, timeout=30)
    off = poll(lambda: "off" in d.find_element(By.ID, "live").get_attribute("class"), 10)
    report("the daemon down: the page says it lost the connection", p.returncode == 0 and off,
           d.find_element(By.ID, "live").text)
    report("the daemon down: the error view", goto(d, "#/alerts", "error"))
    e = d.find_element(By.ID, "error")
    report("... 'cannot reach the server', in Vietnamese (%s)" % e.text,
           e.get_attribute("data-status") == "0" and "Không kết nối được" in e.text, e.text)
    clean(d, "the daemon down")
    p = subprocess.run([restart, "start"], capture_output=True, text=True, timeout=30)
    back = poll(lambda: d.find_element(By.TAG_NAME, "body").get_attribute("data-view") == "alerts", 15)
    report("the daemon back: the page shows the view again by itself", p.returncode == 0 and back,
           d.find_element(By.TAG_NAME, "body").text[:300])


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
    # (a group's cell has a status and its indicators, no actual of its own)
    tl = tallies()
    cs = cells(d)
    bad = [c for c in cs if (c["task"], c["unit"], c["rollup"]) not in tl or
           tl[(c["task"], c["unit"], c["rollup"])].get("actual") != c["actual"] or
           tl[(c["task"], c["unit"], c["rollup"])]["status"] != c["status"]]
    report("overview: all %d cells equal /v1/tallies" % len(cs), cs and not bad, bad)

    kinds(d)

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

    report("phone: the unit column stays above the cells scrolled under it",
           goto(d, "#/", "overview") and sticky_on_top(d))

    errs = console_errors(d)
    report("no console errors", not errs, json.dumps(errs, ensure_ascii=False, indent=1))

    d.set_window_size(1366, 768)
    errors(d)


if __name__ == "__main__":
    main()
