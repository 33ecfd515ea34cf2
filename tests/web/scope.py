"""A commune account in Chromium: logs in through the page's form, then
visits every page and checks that no other unit shows anywhere.

    scope.py HTTP_URL NAME PASSWORD FORBIDDEN_TEXT SCREENSHOT_DIR

Prints TAP-style lines, as browser.py."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from browser import browser, ready, goto, report, poll, console_errors, summary  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

HTTP, NAME, PW, FORBIDDEN, SHOTS = sys.argv[1:6]


def main():
    d = browser()
    try:
        d.set_window_size(1366, 768)
        d.get(HTTP + "/")
        shown = poll(lambda: d.find_elements(By.ID, "login-name"), 10)
        report("without a session the page asks to log in", shown)
        d.save_screenshot(os.path.join(SHOTS, "login.png"))
        d.find_element(By.ID, "login-name").send_keys(NAME)
        d.find_element(By.ID, "login-password").send_keys(PW)
        d.find_element(By.ID, "login-submit").click()
        report("after logging in, the overview", ready(d, "overview"))
        d.save_screenshot(os.path.join(SHOTS, "overview-" + NAME + ".png"))
        units = d.execute_script(
            "return [...new Set([...document.querySelectorAll('td.cell[data-unit]')].map(c => c.dataset.unit))]")
        report("overview: only the account's unit (%s)" % units, units == [NAME], units)
        for h, view in (("#/task/cay", "task"), ("#/unit/" + NAME, "unit"), ("#/alerts", "alerts"),
                        ("#/ranking", "ranking"), ("#/report", "report")):
            r = goto(d, h, view)
            time.sleep(0.3)
            text = d.find_element(By.TAG_NAME, "body").text
            report("%s as %s: shown, and nothing of %s" % (h, NAME, FORBIDDEN),
                   r and FORBIDDEN not in text, text[:800])
            d.save_screenshot(os.path.join(SHOTS, "%s-%s.png" % (view, NAME)))
        errs = [e for e in console_errors(d) if "401" not in e["message"] and "403" not in e["message"]]
        report("no console errors but the refusals", not errs, errs)
    finally:
        d.quit()
    summary()


main()
