"""test_dashboard.py: the dashboard in a real Chromium against a real `convene run --listen` on
the demo store (Lạng Sơn city's 42 of 72 on 22 May 2020): logging in as each demo role and
seeing only that role's subtree, the home page and its drill-down,
the congress page, the secretary's "congress held" form with a refusal that keeps what was
typed, a change made in another session appearing live, a report exported, every page read
without JavaScript, the administration page (admin's only) and each of its actions, a language
per account (the domain's refusals in it too), and 0 serious accessibility violations
(axe-core). Screenshots at 1366 px and
360 px go into the build folder (CONVENE_SHOTS)."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)

from harness import BIN, SOURCE  # noqa: E402
from notify_peers import WebhookReceiver, wait_until  # noqa: E402
from httpd import Server  # noqa: E402
from browser import Browser  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def until_settled(driver, seconds):
    """A wait that reads through a page being replaced: an element gone stale is the old page."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


BUILD = os.environ.get("CONVENE_BUILD", tempfile.gettempdir())
SHOTS = os.environ.get("CONVENE_SHOTS", os.path.join(BUILD, "screenshots"))


def install_axe():
    """npm ci of tests/browser/package-lock.json (axe-core pinned with its sha512) into the build
    folder; returns the path of axe.min.js."""
    dest = os.path.join(BUILD, "browser-deps")
    axe = os.path.join(dest, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(axe):
        os.makedirs(dest, exist_ok=True)
        for f in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(HERE, f), dest)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=dest,
                       check=True, capture_output=True, timeout=300)
    return axe


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.axe_js = install_axe()
        os.makedirs(SHOTS, exist_ok=True)
        cls.dir = tempfile.mkdtemp(prefix="cv-web-")
        cls.db = os.path.join(cls.dir, "demo.db")
        subprocess.run(["bash", os.path.join(SOURCE, "demo", "build.sh"), BIN, cls.db],
                       check=True, capture_output=True, timeout=540)
        cls.server = Server(cls, listen=None).serving()
        cls.base = f"http://127.0.0.1:{cls.server.port}"
        cls.browser = Browser(1366, 900)
        cls.d = cls.browser.driver

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.server.kill()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # Server() registers its cleanup on the object it is given; the class lives long enough.
    @classmethod
    def addCleanup(cls, fn, *args):
        pass

    @classmethod
    def env(cls):
        env = dict(os.environ)
        env["CONVENE_DB"] = cls.db
        env["CONVENE_ACCOUNT"] = "admin"
        env.pop("CONVENE_NOW", None)  # the demo store carries its own clock
        return env

    def login(self, name, password="demo-2020", driver=None):
        d = driver or self.d
        d.delete_all_cookies()
        d.get(self.base + "/login")
        d.find_element(By.ID, "name").send_keys(name)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        until_settled(d, 30).until(lambda d: not d.current_url.endswith("/login"))

    def cv(self, *args):
        r = subprocess.run([BIN, *args], capture_output=True, text=True, env=self.env(),
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def open(self, path):
        self.d.get(self.base + path)
        return self.d

    def text(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css).text

    def shots(self, name, widths=(1366, 360)):
        for w in widths:
            self.browser.screenshot(os.path.join(SHOTS, f"{name}-{w}.png"), w)

    def assert_accessible(self, page):
        serious = [v for v in self.browser.axe(self.axe_js)
                   if v.get("impact") in ("serious", "critical")]
        self.assertEqual(serious, [], f"{page}: " + "; ".join(
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious))

    def forbidden(self, path):
        """The page answers 403 with the operations layer's refusal, and shows no data."""
        self.open(path)
        self.assertEqual(self.text("h1"), "403", path)
        self.assertIn("không có quyền", self.text("main"))
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "main form"), path)

    def test_7_congress_page_shows_elections_scheme_meetings_and_minutes(self):
        self.login("vp.langson")
        self.open("/congress/LS-TP-DK")
        el = self.d.find_element(By.CSS_SELECTOR, "section[aria-labelledby=elections]").text
        self.assertIn("Ban Chấp hành, lần bầu 1: 11 người", el)
        self.assertIn("Cơ sở tính tỷ lệ\n147", el)
        self.assertIn("Số phiếu cần có (quá một nửa)\n74", el)
        self.assertIn("Hoàng Văn Thắng 141 95,9% Trúng cử", el)
        self.assertIn("Chu Văn Bình 73 49,7% Không trúng cử (không quá một nửa)", el)
        scheme = self.d.find_element(By.CSS_SELECTOR, "section[aria-labelledby=scheme]").text
        self.assertIn("13 người ứng cử cho 11 chỗ (tối đa 14)", scheme)
        self.assertIn("Nữ 25% 5 (38,5%) ✓ Đạt", scheme)
        self.assertTrue(self.d.find_elements(By.ID, "meetings"))
        self.assertTrue(self.d.find_elements(By.ID, "phases"))
        self.shots("congress-dk")
        self.assert_accessible("congress with elections")
        cookie = self.d.get_cookie("convene")["value"]
        for fmt, kind in (("html", "text/html"), ("xlsx", "spreadsheetml")):
            href = self.d.find_element(
                By.CSS_SELECTOR, f"a[href$='format={fmt}'][href*=minutes]").get_attribute("href")
            req = urllib.request.Request(href, headers={"Cookie": f"convene={cookie}"})
            with urllib.request.urlopen(req, timeout=120) as r:
                self.assertEqual(r.status, 200)
                self.assertIn(kind, r.headers["Content-Type"])
                body = r.read()
                if fmt == "html":
                    self.assertIn("Biên bản kiểm phiếu", body.decode())
        # Thái Nguyên's office may not read Đông Kinh's minutes.
        self.login("vp.thainguyen")
        req = urllib.request.Request(href, headers={
            "Cookie": "convene=" + self.d.get_cookie("convene")["value"]})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=60)
        self.assertEqual(cm.exception.code, 403)

    def test_8_office_adds_a_work_item_after_a_refusal_and_the_secretary_marks_it_done(self):
        self.login("vp.backan")
        self.open("/congress/BK-TP-NTMK")
        self.d.find_element(By.CSS_SELECTOR, "a[href$='/work-add']").click()
        form = self.d.find_element(By.CSS_SELECTOR, "form[data-form=work-add]")
        form.find_element(By.NAME, "title").send_keys("In tài liệu đại hội")
        form.find_element(By.NAME, "group").send_keys("Hậu cần")
        form.find_element(By.NAME, "person").send_keys("Nguyễn Văn Bình")
        form.find_element(By.NAME, "due").send_keys("31/02/2020")
        form.find_element(By.NAME, "budget").send_keys("1500000")
        self.submit()
        err = until_settled(self.d, 10).until(lambda d: d.find_element(By.ID, "due-error"))
        self.assertIn("không phải là một ngày", err.text)  # the operation's own words
        self.assertEqual(self.d.find_element(By.NAME, "due").get_attribute("value"), "31/02/2020")
        self.assertEqual(self.d.find_element(By.NAME, "title").get_attribute("value"),
                         "In tài liệu đại hội")
        self.assertEqual(self.d.find_element(By.NAME, "due").get_attribute("aria-invalid"),
                         "true")
        self.shots("work-add-refused")
        self.assert_accessible("work-add form")
        due = self.d.find_element(By.NAME, "due")
        due.clear()
        due.send_keys("30/05/2020")
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP-NTMK"))
        row = self.d.find_element(By.XPATH, "//td[text()='In tài liệu đại hội']/..")
        self.assertIn("Nguyễn Văn Bình", row.text)
        self.assertIn("1.500.000", row.text)
        # The secretary of the ward marks it done from the congress page; it may not add one.
        self.login("bithu.ntmk")
        self.open("/congress/BK-TP-NTMK")
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "a[href$='/work-add']"))
        row = self.d.find_element(By.XPATH, "//td[text()='In tài liệu đại hội']/..")
        self.shots("congress-secretary")
        self.assert_accessible("congress page as secretary")
        row.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        until_settled(self.d, 30).until(lambda d: "Hoàn thành" in d.find_element(
            By.XPATH, "//td[text()='In tài liệu đại hội']/..").text)
        self.forbidden("/congress/BK-TP-NTMK/work-add")
        shown = self.cv("work", "list", "--org", "BK-TP-NTMK", "--json")
        self.assertIn('"done"', shown)

    def test_9_secretary_changes_the_dates_refused_figures_kept(self):
        self.login("bithu.ntmk")
        self.open("/congress/BK-TP-NTMK/change")
        form = self.d.find_element(By.CSS_SELECTOR, "form[data-form=change]")
        form.find_element(By.NAME, "summoned").send_keys("abc")
        form.find_element(By.NAME, "present").send_keys("98")
        self.submit()
        err = until_settled(self.d, 10).until(lambda d: d.find_element(By.ID, "summoned-error"))
        self.assertIn("summoned phải là số nguyên", err.text)
        self.assertEqual(self.d.find_element(By.NAME, "present").get_attribute("value"), "98")
        self.shots("change-refused")
        self.assert_accessible("change form")
        s = self.d.find_element(By.NAME, "summoned")
        s.clear()
        s.send_keys("100")
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP-NTMK"))
        self.assertIn("100", self.text("dl.facts"))

    def test_9_role_matrix_through_the_forms(self):
        cases = [  # login, forms it may not use (403, no data)
            ("xem.langson", ["/congress/LS-TP-DK/work-add", "/congress/LS-TP-DK/change",
                             "/congress/LS-TP-DK/plan", "/congress/LS-TP-DK/work-done?id=1"]),
            ("bithu.ntmk", ["/congress/BK-TP/change", "/congress/LS-TP-DK/work-done?id=1",
                            "/congress/BK-TP-NTMK/work-assign?id=1"]),
            ("vp.thainguyen", ["/congress/LS-TP-DK/work-add", "/congress/BK-TP/plan"]),
        ]
        for login, paths in cases:
            with self.subTest(login=login):
                self.login(login)
                for p in paths:
                    self.forbidden(p)
        self.login("xem.langson")  # a viewer sees the page without any form
        self.open("/congress/LS-TP-DK")
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "main form"))
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "main a.button"))

    def field_error(self, name):
        return until_settled(self.d, 10).until(
            lambda d: d.find_element(By.ID, name + "-error")).text

    def typed(self, values):
        form = self.d.find_element(By.CSS_SELECTOR, "main form")
        for name, value in values.items():
            el = form.find_element(By.NAME, name)
            el.clear()
            el.send_keys(value)

    def test_a_board_enters_attendance_and_a_tally_reconciled_as_typed_then_announces(self):
        self.cv("election", "create", "LS-TP-DK", "standing", "--seats", "4",
                "--candidates", "DK01,DK02,DK03,DK04,DK05")
        elections = json.loads(self.cv("--json", "election", "list", "LS-TP-DK"))
        eid = str([x["id"] for x in elections if x["body"] == "standing"][0])
        self.login("bch.dongkinh")
        self.open(f"/congress/LS-TP-DK/attendance?id={eid}")
        self.typed({"summoned": "150", "attending": "148", "convening_absent": "1",
                    "unreplaced_absent": "2", "alternates_in": "1"})
        self.assertIn("Cơ sở tính tỷ lệ: 147; cần ít nhất 74 phiếu.",
                      self.text("main form p[role=status]"))
        self.shots("attendance")
        self.assert_accessible("attendance form")
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/LS-TP-DK"))
        self.d.find_element(By.XPATH, f"//form[@action='/congress/LS-TP-DK/start']"
                                      f"[input[@value='{eid}']]//button").click()
        until_settled(self.d, 30).until(lambda d: d.find_elements(
            By.CSS_SELECTOR, f"a[href='/congress/LS-TP-DK/tally?id={eid}']"))
        self.open(f"/congress/LS-TP-DK/tally?id={eid}")
        # As the figures are typed, the server's rule in its words, beside the field it names.
        self.typed({"issued": "148", "returned": "150", "valid": "146", "invalid": "4"})
        self.assertEqual(self.field_error("returned"),
                         "150 phiếu thu về nhiều hơn 148 phiếu phát ra")
        self.typed({"returned": "148", "invalid": "3"})
        self.assertEqual(self.field_error("invalid"),
                         "146 phiếu hợp lệ + 3 phiếu không hợp lệ không bằng 148 phiếu thu về")
        self.assertFalse(self.d.find_elements(By.ID, "returned-error"))
        self.typed({"invalid": "2", "v:DK01": "140", "v:DK02": "150", "v:DK03": "120",
                    "v:DK04": "100", "v:DK05": "60"})
        self.assertEqual(self.field_error("v:DK02"),
                         "người ứng cử thứ 2 được 150 phiếu, nhiều hơn 146 phiếu hợp lệ")
        self.shots("tally-inline")
        self.assert_accessible("tally form")
        # Sent as it is (the script never blocks): the server refuses in the same words.
        self.submit()
        until_settled(self.d, 10).until(lambda d: d.current_url.endswith("/tally"))
        self.assertEqual(self.field_error("v:DK02"),
                         "người ứng cử thứ 2 được 150 phiếu, nhiều hơn 146 phiếu hợp lệ")
        self.assertEqual(self.d.find_element(By.NAME, "v:DK05").get_attribute("value"), "60")
        self.shots("tally-refused")
        self.typed({"v:DK02": "130"})
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/LS-TP-DK"))
        self.d.find_element(By.XPATH, f"//form[@action='/congress/LS-TP-DK/announce']"
                                      f"[input[@value='{eid}']]//button").click()
        until_settled(self.d, 30).until(lambda d: d.find_elements(
            By.CSS_SELECTOR, f"a[href='/congress/LS-TP-DK/correct?id={eid}']"))
        shown = json.loads(self.cv("--json", "election", "show", eid))
        self.assertEqual(shown["status"], "announced")
        self.assertEqual(shown["base"], 147)
        # A correction needs who and why: refused beside "why", the figures kept.
        self.open(f"/congress/LS-TP-DK/correct?id={eid}")
        self.assertEqual(self.d.find_element(By.NAME, "v:DK02").get_attribute("value"), "130")
        self.typed({"v:DK05": "70", "by": "Ban kiểm phiếu"})
        self.submit()
        self.assertIn("lý do", self.field_error("reason"))  # the operation's words, beside "why"
        self.assertEqual(self.d.find_element(By.NAME, "v:DK05").get_attribute("value"), "70")
        self.shots("correct-refused")
        self.assert_accessible("correct form")
        self.typed({"reason": "Kiểm lại phiếu của tổ 3"})
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/LS-TP-DK"))
        shown = json.loads(self.cv("--json", "election", "show", eid))
        self.assertEqual([c["votes"] for c in shown["candidates"]], [140, 130, 120, 100, 70])
        audit = self.cv("audit", "--type", "election.corrected")
        self.assertIn("bch.dongkinh", audit)
        # The viewer sees the result and none of these forms.
        self.login("xem.langson")
        for form in ("attendance", "tally", "correct", "start", "announce"):
            self.forbidden(f"/congress/LS-TP-DK/{form}?id={eid}")

    def test_b_an_office_switches_the_scenario(self):
        self.login("vp.thainguyen")
        self.open("/congress/TN")
        self.d.find_element(By.XPATH, "//form[@action='/congress/TN/scenario']"
                                      "[input[@value='covid']]//button").click()
        until_settled(self.d, 30).until(lambda d: "covid" in d.find_element(
            By.XPATH, "//section[@aria-labelledby='scenarios']//li[.//span[contains(@class,"
                      "'badge')]]").text)
        self.shots("congress-tn-scenarios")
        # A scenario the congress does not have: the operation's refusal beside the field.
        self.open("/congress/TN/scenario")
        self.typed({"code": "flood"})
        self.submit()
        self.assertIn("flood", self.field_error("code"))
        self.assertEqual(self.d.find_element(By.NAME, "code").get_attribute("value"), "flood")
        self.shots("scenario-refused")
        self.assert_accessible("scenario form")
        self.login("bithu.ntmk")
        self.forbidden("/congress/BK-TP-NTMK/scenario")

    def a_file(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_c_a_secretary_uploads_its_minutes_and_answers_a_round_with_a_file(self):
        minutes = self.a_file("bien-ban.txt", "BIÊN BẢN ĐẠI HỘI\nĐảng bộ phường Nguyễn Thị Minh Khai\n")
        self.login("bithu.ntmk")
        self.open("/congress/BK-TP-NTMK")
        self.d.find_element(By.CSS_SELECTOR, "a[href$='/doc-add']").click()
        form = self.d.find_element(By.CSS_SELECTOR, "form[data-form=doc-add]")
        self.assertEqual(form.get_attribute("enctype"), "multipart/form-data")
        self.assertEqual(form.find_element(By.NAME, "by").get_attribute("value"),
                         "Bí thư Đảng ủy phường Nguyễn Thị Minh Khai")  # the reader's name
        form.find_element(By.NAME, "note").send_keys("bản đã ký")
        form.find_element(By.NAME, "file").send_keys(minutes)
        self.submit()  # no title: the operation's refusal beside it, the note kept
        self.assertIn("cần title", self.field_error("title"))
        self.assertEqual(self.d.find_element(By.NAME, "note").get_attribute("value"), "bản đã ký")
        self.shots("doc-add-refused")
        self.assert_accessible("doc-add form")
        self.typed({"title": "Biên bản Đại hội"})
        self.d.find_element(By.NAME, "file").send_keys(minutes)  # a file is chosen again
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP-NTMK"))
        link = self.d.find_element(By.XPATH, "//h3[contains(., 'Biên bản Đại hội')]"
                                             "/following-sibling::ul[1]//a[contains(@href,'/file?')]")
        cookie = self.d.get_cookie("convene")["value"]
        req = urllib.request.Request(link.get_attribute("href"),
                                     headers={"Cookie": f"convene={cookie}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            self.assertEqual(r.read().decode(), "BIÊN BẢN ĐẠI HỘI\nĐảng bộ phường Nguyễn Thị Minh Khai\n")
        # The city's office sends a draft for comments to every organisation under it.
        draft = self.a_file("du-thao.txt", "Dự thảo Nghị quyết\n")
        self.login("vp.backan")
        self.open("/congress/BK-TP/doc-add")
        self.typed({"title": "Dự thảo Nghị quyết Đại hội VII"})
        self.d.find_element(By.NAME, "file").send_keys(draft)
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP"))
        self.d.find_element(By.XPATH, "//h3[contains(., 'Dự thảo Nghị quyết Đại hội VII')]"
                                      "/following-sibling::p[1]//a[contains(@href,'round-open')]"
                            ).click()
        self.typed({"deadline": "30/02/2020", "children": "BK-TP"})
        self.submit()
        self.assertIn("không phải là một ngày", self.field_error("deadline"))
        self.assertEqual(self.d.find_element(By.NAME, "children").get_attribute("value"), "BK-TP")
        self.shots("round-open-refused")
        self.assert_accessible("round-open form")
        self.typed({"deadline": "10/06/2020"})
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP"))
        self.assertIn("Đảng bộ phường Nguyễn Thị Minh Khai", self.text("section[aria-labelledby=docs]"))
        # The ward's secretary answers it with a file from its own congress page.
        answer = self.a_file("gop-y.txt", "Nhất trí với dự thảo.\n")
        self.login("bithu.ntmk")
        self.open("/congress/BK-TP-NTMK")
        self.d.find_element(By.XPATH, "//section[@aria-labelledby='to-answer']"
                                      "//li[contains(., 'Dự thảo Nghị quyết Đại hội VII')]//a").click()
        self.typed({"on": "31/05/2020", "summary": "Nhất trí"})
        self.d.find_element(By.NAME, "file").send_keys(answer)
        self.submit()
        self.assertIn("trong tương lai", self.field_error("on"))
        self.assertEqual(self.d.find_element(By.NAME, "summary").get_attribute("value"), "Nhất trí")
        self.shots("round-respond-refused")
        self.assert_accessible("round-respond form")
        self.typed({"on": ""})
        self.d.find_element(By.NAME, "file").send_keys(answer)
        self.submit()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/congress/BK-TP-NTMK"))
        self.assertFalse(self.d.find_elements(By.XPATH, "//section[@aria-labelledby='to-answer']"
                                                        "//li[contains(., 'Nghị quyết Đại hội VII')]"))
        self.shots("congress-secretary-after")
        # It may not answer for another organisation, nor open a round.
        self.forbidden("/congress/BK-TP-NTMK/round-respond?id=1&recipient=BK-TP-CB01")
        self.forbidden("/congress/BK-TP/round-open?doc=5")

    def test_0_a_wrong_password_is_refused_and_the_name_kept(self):
        self.d.delete_all_cookies()
        self.open("/org/LS-TP")
        self.assertTrue(self.d.current_url.endswith("/login"))  # no page without a session
        self.d.find_element(By.ID, "name").send_keys("vp.langson")
        self.d.find_element(By.ID, "password").send_keys("wrong-password")
        self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        err = until_settled(self.d, 30).until(lambda d: d.find_element(By.ID, "login-error"))
        self.assertTrue(err.text)
        self.assertEqual(self.d.find_element(By.ID, "name").get_attribute("value"), "vp.langson")
        self.shots("login-refused")
        self.assert_accessible("login")

    def test_0_each_role_sees_its_own_subtree_only(self):
        cases = [  # login, its home's title, a page outside its grant, a form it may not use
            ("vp.thainguyen", "Đảng bộ tỉnh Thái Nguyên", "/org/LS-TP", None),
            ("vp.backan", "Đảng bộ thành phố Bắc Kạn", "/congress/TN", None),
            ("bithu.ntmk", "Đảng bộ phường Nguyễn Thị Minh Khai", "/org/BK-TP",
             "/congress/BK-TP-NTMK-C1/held"),
            ("xem.langson", "Đảng bộ thành phố Lạng Sơn", "/org/BK-TP",
             "/congress/LS-TP-HD/held"),
        ]
        for login, title, outside, form in cases:
            with self.subTest(login=login):
                self.login(login)
                self.assertEqual(self.text("h1"), title)
                if login == "bithu.ntmk":
                    self.shots("home-secretary")
                    # Every link of its home leads somewhere it may go (no 403 behind a link).
                    links = {a.get_attribute("href") for a in
                             self.d.find_elements(By.CSS_SELECTOR, "main a[href]")}
                    for href in sorted(links):
                        self.d.get(href)
                        self.assertNotEqual(self.text("h1"), "403", href)
                    self.open("/congress/BK-TP-NTMK/held")  # its own congress: the form
                    self.assertTrue(self.d.find_elements(By.NAME, "start"))
                for path in [outside] + ([form] if form else []):
                    self.open(path)
                    self.assertEqual(self.text("h1"), "403", path)
                    # The refusal in the reader's language (Vietnamese, the account's).
                    self.assertIn("không có quyền", self.text("main"))
                    self.assertNotIn("trên", self.text("main"))  # no figures leak
        self.login("admin")
        self.open("/org/BK-TP")
        self.assertIn("47", self.text("#headline"))

    def test_1_home_says_42_of_72_and_drills_down_in_vietnamese_order(self):
        self.login("vp.langson")
        self.assertEqual(self.text("h1"), "Đảng bộ thành phố Lạng Sơn")
        self.open("/org/LS-TP")
        self.assertEqual(self.d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "vi")
        self.assertEqual(self.text("h1"), "Đảng bộ thành phố Lạng Sơn")
        self.assertIn("42 trên 72 tổ chức trực thuộc đã tổ chức đại hội (58,3%)",
                      self.text("#headline"))
        self.assertIn("tính đến 22/05/2020", self.text(".lead"))
        names = [a.text for a in self.d.find_elements(By.CSS_SELECTOR, "#children th a")]
        self.assertEqual(len(names), 72)
        # Vietnamese order: "Đảng bộ ..." after every "Chi bộ ..." and "Đảng bộ phường" before
        # "Đảng bộ xã"; by bytes "Đ" would sort after everything.
        self.assertTrue(names[0].startswith("Chi bộ"), names[0])
        self.assertLess(names.index("Đảng bộ phường Đông Kinh"),
                        names.index("Đảng bộ xã Hoàng Đồng"))
        self.shots("home-ls-tp")
        self.assert_accessible("home")
        self.d.find_element(By.LINK_TEXT, "Đảng bộ phường Đông Kinh").click()
        until_settled(self.d, 10).until(lambda d: d.current_url.endswith("/org/LS-TP-DK"))
        self.assertEqual(self.text("h1"), "Đảng bộ phường Đông Kinh")

    def test_2_congress_page_shows_status_kind_flags_and_work_items(self):
        self.login("vp.thainguyen")
        self.open("/congress/TN")
        self.assertEqual(self.text("h1"), "Đại hội XX – Đảng bộ tỉnh Thái Nguyên")
        facts = self.text("dl.facts")
        self.assertIn("Đại hội đại biểu", facts)
        self.assertIn("11/10/2020 – 13/10/2020", facts)
        rows = self.d.find_elements(By.CSS_SELECTOR, "#work ~ table tbody tr:not(.group)")
        self.assertEqual(len(rows), 54)
        self.shots("congress-tn")
        self.assert_accessible("congress")

    def test_3_held_form_refuses_beside_the_field_keeps_the_input_then_records(self):
        self.login("vp.langson")
        self.open("/congress/LS-TP-HD/held")
        form = self.d.find_element(By.CSS_SELECTOR, "form[data-check=held]")
        form.find_element(By.NAME, "start").send_keys("01/06/2020")
        form.find_element(By.NAME, "summoned").send_keys("120")
        form.find_element(By.NAME, "present").send_keys("130")
        # The inline check says what the server will say, as it is typed.
        self.assertIn("không được vượt", self.text("#present-error"))
        form.find_element(By.NAME, "present").clear()
        form.find_element(By.NAME, "present").send_keys("110")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # the form's own
        err = until_settled(self.d, 10).until(
            lambda d: d.find_element(By.ID, "start-error"))
        # The server's refusal, the CLI's own message in Vietnamese, beside the field, with the
        # input kept.
        self.assertIn("không thể ghi đại hội đã tổ chức ngày 2020-06-01: hôm nay là 2020-05-22",
                      err.text)
        self.assertEqual(self.d.find_element(By.NAME, "start").get_attribute("value"),
                         "01/06/2020")
        self.assertEqual(self.d.find_element(By.NAME, "present").get_attribute("value"), "110")
        self.assertEqual(self.d.find_element(By.NAME, "start").get_attribute("aria-invalid"),
                         "true")
        self.shots("held-refused")
        self.assert_accessible("held form")
        start = self.d.find_element(By.NAME, "start")
        start.clear()
        start.send_keys("20/05/2020")
        self.d.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        try:
            until_settled(self.d, 30).until(
                lambda d: d.current_url.endswith("/congress/LS-TP-HD"))
        except Exception:
            self.fail("not recorded: " + self.text("main"))
        self.assertIn("Đã tổ chức", self.text("dl.facts"))
        self.assertIn("20/05/2020", self.text("dl.facts"))
        shown = self.cv("congress", "show", "LS-TP-HD", "--json")
        self.assertIn('"delegates_present": 110', shown.replace('":', '": ').replace('  ', ' '))

    def test_4_a_change_from_another_session_appears_live(self):
        self.login("vp.langson")
        self.open("/org/LS-TP")
        before = self.text("#headline")
        held = int(before.split(" ")[0])
        # Another session (the CLI, on the same store) reports a congress held.
        self.cv("congress", "held", "LS-TP-QL", "--on", "2020-05-21")
        until_settled(self.d, 15).until(
            lambda d: d.find_element(By.ID, "headline").text.startswith(f"{held + 1} trên 72"))
        self.assertTrue(self.text("#live-status").startswith("Đã cập nhật"))

    def test_5_a_report_is_exported_from_the_congress_page(self):
        self.login("vp.backan")
        self.open("/congress/BK-TP")
        href = self.d.find_element(By.PARTIAL_LINK_TEXT, "XLSX").get_attribute("href")
        cookie = self.d.get_cookie("convene")["value"]
        req = urllib.request.Request(href, headers={"Cookie": f"convene={cookie}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("spreadsheetml", r.headers["Content-Type"])
            self.assertEqual(r.read(2), b"PK")

    def test_6_english_per_reader_and_pages_read_without_javascript(self):
        self.login("vp.langson")
        self.open("/org/LS-TP?lang=en")
        self.assertIn("of 72 directly subordinate organisations have held their congress",
                      self.text("#headline"))
        self.open("/org/LS-TP")  # ?lang= is for one page: the account's language is Vietnamese
        self.assertEqual(self.d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "vi")
        nojs = Browser(1366, 900, javascript=False)
        try:
            self.login("vp.langson", driver=nojs.driver)  # the login form posts without script
            nojs.driver.get(self.base + "/congress/LS-TP-CQ01/held")
            f = nojs.driver.find_element(By.CSS_SELECTOR, "main form")
            f.find_element(By.NAME, "start").send_keys("32/13/2020")
            f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            err = until_settled(nojs.driver, 10).until(
                lambda d: d.find_element(By.ID, "start-error"))
            self.assertIn("dd/mm/yyyy", err.text)
            self.assertEqual(nojs.driver.find_element(By.NAME, "start").get_attribute("value"),
                             "32/13/2020")
        finally:
            nojs.close()

    def fetch(self, href):
        """GET href with the browser's session; the answer's headers and body."""
        cookie = self.d.get_cookie("convene")["value"]
        req = urllib.request.Request(href, headers={"Cookie": f"convene={cookie}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers, r.read()

    def submit(self, form=None):
        """Submits form with its own button and waits for the next page; without a form, clicks
        the page's first submit button and does not wait (a check as typed may hold the form)."""
        if form is None:
            self.d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
            return
        old = self.d.find_element(By.TAG_NAME, "html")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until_settled(self.d, 30).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)

    def test_7_administration_is_admins_and_each_action_works(self):
        for login in ("vp.langson", "bithu.ntmk", "xem.langson"):
            with self.subTest(login=login):
                self.login(login)
                self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "a[href='/admin']"))
                for path in ("/admin", "/admin/audit.csv"):
                    self.open(path)
                    self.assertEqual(self.text("h1"), "403", path)
        self.login("admin")
        self.d.find_element(By.CSS_SELECTOR, "header a[href='/admin']").click()
        until_settled(self.d, 30).until(lambda d: d.current_url.endswith("/admin"))
        self.assertEqual(self.text("h1"), "Quản trị")
        self.shots("admin")
        self.assert_accessible("administration")
        # A refused account keeps what was typed and says why in Vietnamese, in its section.
        form = self.d.find_element(By.CSS_SELECTOR, "form input[value=account-add]") \
            .find_element(By.XPATH, "..")
        form.find_element(By.NAME, "login").send_keys("Sai Tên")
        form.find_element(By.NAME, "name").send_keys("Nguyễn Văn Thử")
        self.submit(form)
        self.assertIn("tên đăng nhập 'Sai Tên' chỉ được dùng", self.text("#accounts-error"))
        self.assertEqual(self.d.find_element(By.ID, "account-add-name").get_attribute("value"),
                         "Nguyễn Văn Thử")
        self.shots("admin-refused")
        form = self.d.find_element(By.ID, "account-add-login").find_element(By.XPATH, "../..")
        login = form.find_element(By.NAME, "login")
        login.clear()
        login.send_keys("thu.nghiem")
        self.submit(form)
        self.assertIn("thu.nghiem", self.text("#accounts table"))
        # A grant, then its end: the row stays, with the day it ended.
        form = self.d.find_element(By.ID, "grant-add-login").find_element(By.XPATH, "../..")
        form.find_element(By.NAME, "login").send_keys("thu.nghiem")
        Select(form.find_element(By.NAME, "role")).select_by_visible_text("viewer")
        form.find_element(By.NAME, "org").send_keys("LS-TP")
        self.submit(form)
        row = self.d.find_elements(By.CSS_SELECTOR, "#grants tbody tr")[-1]
        self.assertIn("thu.nghiem", row.text)
        self.assertNotIn("22/05/2020", row.find_elements(By.TAG_NAME, "td")[5].text)
        self.submit(row.find_element(By.TAG_NAME, "form"))
        row = self.d.find_elements(By.CSS_SELECTOR, "#grants tbody tr")[-1]
        self.assertIn("thu.nghiem", row.text)
        self.assertTrue(row.find_elements(By.TAG_NAME, "td")[5].text)  # ended: a day
        self.assertFalse(row.find_elements(By.TAG_NAME, "form"))
        self.assertIn("grant.ended", self.cv("audit", "--type", "grant.ended"))
        # The audit filtered by type, and its CSV export through the reporter plugin, opened.
        self.open("/admin")
        self.d.find_element(By.ID, "audit-type").send_keys("grant.ended")
        self.submit(self.d.find_element(By.ID, "audit-type").find_element(By.XPATH, "../.."))
        self.assertIn("grant.ended", self.text("#audit table"))
        href = self.d.find_element(By.PARTIAL_LINK_TEXT, "CSV").get_attribute("href")
        self.assertIn("type=grant.ended", href)
        status, headers, body = self.fetch(href)
        self.assertEqual(status, 200)
        self.assertIn("text/csv", headers["Content-Type"])
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        events = [r for r in rows if len(r) == 10 and r[2] == "grant.ended"]
        self.assertEqual(len(events), 1, rows)
        self.assertIn('"role":"viewer"', events[0][9])
        self.assertEqual(events[0][5], "admin")

    def test_8_an_english_account_reads_english_refusals_included(self):
        self.cv("account", "set", "vp.backan", "--lang", "en")
        try:
            self.login("vp.backan")
            self.assertEqual(self.d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "en")
            self.assertIn("directly subordinate organisations have held their congress",
                          self.text("#headline"))
            self.open("/congress/BK-TP-NTMK/held")
            form = self.d.find_element(By.CSS_SELECTOR, "main form")
            form.find_element(By.NAME, "start").clear()
            form.find_element(By.NAME, "end").clear()
            form.find_element(By.NAME, "start").send_keys("2020-06-01")
            self.submit(form)
            self.assertIn("cannot mark a congress held on 2020-06-01: today is 2020-05-22",
                          self.text("#start-error"))
            self.shots("held-refused-english")
            self.open("/org/LS-TP")
            self.assertIn("permission denied", self.text("main"))
        finally:
            self.cv("account", "set", "vp.backan", "--lang", "vi")
        # A reader switches its own language with the button every page carries.
        self.login("vp.langson")
        self.open("/org/LS-TP")
        self.d.find_element(By.CSS_SELECTOR, "header button[name=lang]").click()
        until_settled(self.d, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        self.assertTrue(self.d.current_url.endswith("/org/LS-TP"))
        self.assertIn("directly subordinate organisations", self.text("#headline"))
        self.shots("home-english")
        self.assert_accessible("home in English")
        self.d.find_element(By.CSS_SELECTOR, "header button[name=lang]").click()
        until_settled(self.d, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi")

    def admin_button(self, section, label, name):
        """The form of the button labelled label (for a screen reader: "label name") in section."""
        return self.d.find_element(
            By.CSS_SELECTOR, f"#{section} button[aria-label='{label} {name}']").find_element(
                By.XPATH, "..")

    def test_9_jobs_and_plugins_from_the_administration_page(self):
        self.login("admin")
        self.open("/admin")
        self.assertIn("builtin.work.due_soon", self.text("#jobs table"))
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "#jobs .error"))
        # A job paused, resumed, then run now: each a form through the operations layer.
        job = "builtin.work.due_soon"

        def state():
            line = [x for x in self.cv("jobs", "list").splitlines() if x.startswith(job)][0]
            return line.split()[1]
        self.submit(self.admin_button("jobs", "Tạm dừng", job))
        self.assertEqual(state(), "paused")
        self.assertTrue(self.admin_button("jobs", "Tiếp tục", job))
        self.submit(self.admin_button("jobs", "Tiếp tục", job))
        self.assertEqual(state(), "active")
        self.submit(self.admin_button("jobs", "Chạy ngay", job))
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "#jobs .error"))
        # A plugin disabled and enabled again.
        self.submit(self.admin_button("plugins", "Tắt", "report-text"))
        self.assertIn("no", [x for x in self.cv("plugin", "list").splitlines()
                             if x.startswith("report-text")][0].split())
        self.submit(self.admin_button("plugins", "Bật", "report-text"))
        # A secret is written, and shown only as set: its value is never on the page.
        secret = "bí-mật-của-thử-nghiệm"
        field = self.d.find_element(By.ID, "cfg-notify-smtp-password")
        field.find_element(By.XPATH, "ancestor::details/summary").click()  # the settings open
        self.assertEqual(field.get_attribute("type"), "password")
        field.send_keys(secret)
        self.submit(field.find_element(By.XPATH, ".."))
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "#plugins .error"),
                         self.text("#plugins"))
        self.assertNotIn(secret, self.d.page_source)
        row = self.d.find_element(By.ID, "cfg-notify-smtp-password").find_element(
            By.XPATH, "../../..")
        self.assertIn("đã đặt", row.get_attribute("textContent"))  # its settings closed again
        self.assertNotIn(secret, self.cv("plugin", "info", "notify-smtp"))
        self.shots("admin-plugins-jobs")
        self.assert_accessible("administration with plugins and jobs")

    def test_10_a_failed_delivery_is_retried_from_the_administration_page(self):
        secret = "bí-mật-webhook-thử"
        rx = WebhookReceiver(secret, 410, b"gone")  # a permanent refusal: failed at once
        try:
            self.cv("plugin", "config", "notify-webhook", "secret", secret)
            self.cv("plugin", "enable", "notify-webhook")
            self.cv("notify", rx.url, "--channel", "webhook", "--subject", "Thử gửi",
                    "--body", "Nội dung thử", "--key", "browser-retry")
            [row] = wait_until(lambda: [
                r for r in json.loads(self.cv("outbox", "list", "--state", "failed", "--json"))
                if r["recipient"] == rx.url], "the delivery to fail")
            self.login("admin")
            self.open("/admin")
            self.assertIn(rx.url, self.text("#outbox table"))
            self.assertIn("410", self.text("#outbox table"))
            self.shots("admin-outbox")
            self.submit(self.admin_button("outbox", "Gửi lại", str(row["id"])))
            self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, "#outbox .error"))
            ev = json.loads(self.cv("journal", "--type", "notification.retried", "--json"))
            self.assertEqual(ev[-1]["data"]["before"]["state"], "failed")
            wait_until(lambda: len(rx.received()) == 2, "the daemon to send it again")
        finally:
            rx.close()
            self.cv("plugin", "disable", "notify-webhook")


if __name__ == "__main__":
    unittest.main(verbosity=2)
