"""test_forms.py: the dashboard's forms over an election's further round and its approval, a
document's status and the closing of its comment round, in a real Chromium against a real
`convene run --listen` on the demo store: a permitted demo account uses each from the congress
page and the change shows on the page and in the store; an account whose role does not allow it
in that place sees no link and gets 403 on the form. Reuses the fixture and helpers of
test_dashboard.py (only this file's tests run here). Screenshots at 1280 px and 390 px go into
the build folder (CONVENE_SHOTS)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_dashboard import Dashboard, until_settled  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

PHONE_DESKTOP = (1280, 390)


class Forms(Dashboard):
    def election_link(self, org, slug, eid):
        return self.d.find_elements(By.CSS_SELECTOR, f"a[href='/congress/{org}/{slug}?id={eid}']")

    def test_d_the_board_opens_a_further_round_then_approves_the_result(self):
        self.cv("election", "create", "LS-TP-DK", "inspection", "--seats", "4",
                "--candidates", "DK06,DK07,DK09,DK11,DK12")
        eid = str([x["id"] for x in json.loads(self.cv("--json", "election", "list", "LS-TP-DK"))
                   if x["body"] == "inspection"][0])
        self.cv("election", "attendance", eid, "--summoned", "150", "--attending", "148")
        self.cv("election", "open", eid)
        self.cv("election", "tally", eid, "--issued", "148", "--returned", "148", "--valid",
                "146", "--invalid", "2", "DK06=120", "DK07=100", "DK09=90", "DK11=50", "DK12=40")
        # Three of four seats filled: the board opens a further round from the election.
        self.login("bch.dongkinh")
        self.open("/congress/LS-TP-DK")
        self.assertFalse(self.election_link("LS-TP-DK", "approve", eid))  # counted, not announced
        self.election_link("LS-TP-DK", "round", eid)[0].click()
        form = until_settled(self.d, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "form[data-form=round]"))
        self.assertEqual(self.text("h1"), "Bầu cử lần tiếp theo tại đại hội Đảng bộ phường Đông Kinh")
        self.assertEqual(self.text("main form p.subject"), "Ủy ban Kiểm tra, lần bầu 1: 4 người")
        self.assertIn("chưa trúng cử", self.text("main form p.note"))
        self.shots("election-round", PHONE_DESKTOP)
        self.assert_accessible("further round form")
        self.submit(form)
        self.assertTrue(self.d.current_url.endswith("/congress/LS-TP-DK"))
        section = self.text("section[aria-labelledby=elections]")
        self.assertIn("Ủy ban Kiểm tra, lần bầu 2: 1 người Đang bỏ phiếu", section)
        self.assertFalse(self.election_link("LS-TP-DK", "round", eid))  # one further round only
        later = [x for x in json.loads(self.cv("--json", "election", "list", "LS-TP-DK"))
                 if x["previous"] == int(eid)]
        self.assertEqual([(x["round"], x["seats"], x["status"]) for x in later], [(2, 1, "open")])
        self.assertEqual([c["person"] for c in later[0]["candidates"]], ["DK11", "DK12"])
        # Announced, then approved from the page: final, so no correction is offered after.
        self.d.find_element(By.XPATH, f"//form[@action='/congress/LS-TP-DK/announce']"
                                      f"[input[@value='{eid}']]//button").click()
        until_settled(self.d, 30).until(lambda d: self.election_link("LS-TP-DK", "approve", eid))
        self.shots("congress-dk-announced", PHONE_DESKTOP)
        self.assert_accessible("congress page with an announced election")
        self.election_link("LS-TP-DK", "approve", eid)[0].click()
        form = until_settled(self.d, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "form[data-form=approve]"))
        self.assertIn("không thể sửa lại", self.text("main form p.note"))
        self.assertEqual(form.find_element(By.CSS_SELECTOR, "button").text, "Chuẩn y kết quả")
        self.shots("election-approve", PHONE_DESKTOP)
        self.assert_accessible("approve form")
        self.submit(form)
        self.assertTrue(self.d.current_url.endswith("/congress/LS-TP-DK"))
        heading = self.d.find_element(By.ID, f"election-{eid}").text
        self.assertIn("Đã được chuẩn y", heading)
        self.assertFalse(self.election_link("LS-TP-DK", "correct", eid))
        self.assertFalse(self.election_link("LS-TP-DK", "approve", eid))
        self.assertEqual(json.loads(self.cv("--json", "election", "show", eid))["status"],
                         "approved")
        self.assertIn("election.approved", self.cv("audit", "--type", "election.approved"))
        # A viewer of the city and another province's office see neither form, nor may use it.
        for login in ("xem.langson", "vp.thainguyen"):
            with self.subTest(login=login):
                self.login(login)
                if login == "xem.langson":
                    self.open("/congress/LS-TP-DK")
                    self.assertFalse(self.d.find_elements(
                        By.CSS_SELECTOR, "a[href*='/approve?'], a[href*='/round?']"))
                for slug in ("round", "approve"):
                    self.forbidden(f"/congress/LS-TP-DK/{slug}?id={eid}")

    def test_e_the_office_changes_a_documents_status_and_closes_its_comment_round(self):
        title = "Báo cáo chính trị Đại hội Đảng bộ thành phố lần thứ VII"
        [doc] = [x["id"] for x in json.loads(self.cv("--json", "doc", "list", "BK-TP"))
                 if x["title"] == title]
        [rnd] = [x["id"] for x in json.loads(self.cv("--json", "round", "list", "--doc", str(doc)))
                 if x["status"] == "open"]
        heading = f"//h3[contains(., '{title}')]"

        def status_form():
            self.open("/congress/BK-TP")
            self.d.find_element(By.XPATH, heading + "/following-sibling::p[1]"
                                                    "//a[contains(@href,'doc-status')]").click()
            return until_settled(self.d, 30).until(
                lambda d: d.find_element(By.CSS_SELECTOR, "form[data-form=doc-status]"))

        self.login("vp.backan")
        # In consultation, then revised and submitted, each from the document's own form.
        for now, then, badge in (("consultation", "revising", "Đang chỉnh sửa"),
                                 ("revising", "submitted", "Đã trình")):
            form = status_form()
            self.assertEqual(self.text("main form p.subject"), title)
            status = Select(form.find_element(By.NAME, "status"))
            self.assertEqual(status.first_selected_option.get_attribute("value"), now)
            status.select_by_value(then)
            self.submit(form)
            self.assertTrue(self.d.current_url.endswith("/congress/BK-TP"))
            self.assertIn(badge, self.d.find_element(By.XPATH, heading).text)
            self.assertEqual(json.loads(self.cv("--json", "doc", "show", str(doc)))["status"],
                             then)
        # Adopted while its round is open: refused beside the status, the choice kept.
        Select(status_form().find_element(By.NAME, "status")).select_by_visible_text(
            "Đã thông qua")
        self.submit()
        self.assertIn(f"đợt xin ý kiến {rnd} còn mở", self.field_error("status"))
        self.assertEqual(Select(self.d.find_element(By.NAME, "status"))
                         .first_selected_option.get_attribute("value"), "adopted")
        self.shots("doc-status-refused", PHONE_DESKTOP)
        self.assert_accessible("doc-status form")
        # The round closed from its line, with how the comments were taken in.
        self.open("/congress/BK-TP")
        self.shots("congress-bk-tp-round-open", PHONE_DESKTOP)
        self.d.find_element(By.XPATH, heading + "/following-sibling::ul[1]"
                                                f"//a[contains(@href,'round-close?id={rnd}')]").click()
        form = until_settled(self.d, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "form[data-form=round-close]"))
        self.assertEqual(self.text("main form p.subject"), title)
        taken = "Tiếp thu 28 ý kiến về nhiệm vụ, giải pháp; giải trình 2 ý kiến"
        form.find_element(By.NAME, "taken_in").send_keys(taken)
        self.shots("round-close", PHONE_DESKTOP)
        self.assert_accessible("round-close form")
        self.submit(form)
        self.assertTrue(self.d.current_url.endswith("/congress/BK-TP"))
        items = self.d.find_element(By.XPATH, heading + "/following-sibling::ul[1]").text
        self.assertIn("Hoàn thành", items)
        self.assertFalse(self.d.find_elements(By.CSS_SELECTOR, f"a[href$='round-close?id={rnd}']"))
        shown = json.loads(self.cv("--json", "round", "show", str(rnd)))
        self.assertEqual((shown["status"], shown["taken_in"]), ("closed", taken))
        # Now it is adopted.
        form = status_form()
        Select(form.find_element(By.NAME, "status")).select_by_value("adopted")
        self.submit(form)
        self.assertIn("Đã thông qua", self.d.find_element(By.XPATH, heading).text)
        self.assertEqual(json.loads(self.cv("--json", "doc", "show", str(doc)))["status"],
                         "adopted")
        for final in ("doc-status", "round-open"):  # adopted is final: no status, no round
            self.assertFalse(self.d.find_elements(
                By.XPATH, heading + f"/following-sibling::p[1]//a[contains(@href,'{final}')]"))
        self.shots("congress-bk-tp-docs", PHONE_DESKTOP)
        self.assert_accessible("congress page with documents")
        # The ward's secretary reads its own document and round but may change neither.
        mine = self.cv_id("doc", "add", "BK-TP-NTMK", "Dự thảo Báo cáo chính trị phường")
        self.cv("doc", "version", str(mine), "--by", "Tiểu ban Văn kiện",
                self.a_file("bcct-phuong.txt", "Dự thảo\n"))
        mine_round = self.cv_id("round", "open", str(mine), "--deadline", "2020-06-10",
                                "--children", "BK-TP-NTMK")
        self.login("bithu.ntmk")
        self.open("/congress/BK-TP-NTMK")
        self.assertIn("Dự thảo Báo cáo chính trị phường", self.text("section[aria-labelledby=docs]"))
        self.assertFalse(self.d.find_elements(
            By.CSS_SELECTOR, "a[href*='/doc-status?'], a[href*='/round-close?']"))
        self.forbidden(f"/congress/BK-TP-NTMK/doc-status?id={mine}")
        self.forbidden(f"/congress/BK-TP-NTMK/round-close?id={mine_round}")

    def cv_id(self, *args):
        return json.loads(self.cv("--json", *args))["id"]


def load_tests(loader, tests, pattern):
    """Only the tests of Forms: those it inherits run in test_dashboard.py."""
    return unittest.TestSuite(Forms(name) for name in sorted(vars(Forms))
                              if name.startswith("test_"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
