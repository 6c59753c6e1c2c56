"""browser.py: a real headless Chromium (Debian's chromium + chromium-driver) driven by
python3-selenium, with a fresh profile per run, full-page screenshots at a given width, and
axe-core (installed by npm ci from tests/browser/package-lock.json, checksum checked) injected
into the page to check accessibility."""
import json
import os
import shutil
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))


class Browser:
    def __init__(self, width=1366, height=900, javascript=True):
        self.profile = tempfile.mkdtemp(prefix="cv-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--user-data-dir=" + self.profile, "--lang=vi",
                  "--window-size=%d,%d" % (width, height)):
            opts.add_argument(a)
        if not javascript:
            opts.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        self.driver.set_page_load_timeout(30)
        self.width = width

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def screenshot(self, path, width=None):
        """Saves the whole page at width px (the viewport's width), as tall as the page."""
        d = self.driver
        w = width or self.width
        d.set_window_size(w, 900)
        height = d.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": w, "height": min(int(height), 12000), "deviceScaleFactor": 1,
            "mobile": w < 600})
        d.save_screenshot(path)
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        d.set_window_size(self.width, 900)

    def axe(self, axe_js):
        """Runs axe-core on the page; returns the violations (WCAG 2.0/2.1 A and AA rules)."""
        d = self.driver
        with open(axe_js, encoding="utf-8") as f:
            d.execute_script(f.read())
        d.set_script_timeout(60)
        res = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify("
            "[{id: 'axe-error', impact: 'serious', help: String(e), nodes: []}])));")
        return json.loads(res)
