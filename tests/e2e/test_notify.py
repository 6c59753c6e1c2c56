"""test_notify.py: notifications leave through the outbox on the daemon's loop: to a real SMTP
sink and a real HTTP receiver on 127.0.0.1, with retries and backoff, a stable idempotency key
per notification, and failure recorded with its reason after the last try."""
import collections
import json
import os
import socket

from harness import StoreTest, main
from notify_peers import Daemon, SmtpSink, WebhookReceiver, idem, wait_until

SECRET = "bí-mật-của-văn-phòng-tỉnh-ủy"


class NotifyTest(StoreTest):
    def setUp(self):
        super().setUp()
        self.daemon = None
        self.closers = []
        self.ok("notify", "config", "notify.backoff_base_ms", "50")
        self.ok("notify", "config", "notify.backoff_cap_ms", "200")

    def tearDown(self):
        if self.daemon:
            self.assertEqual(self.daemon.stop(), 0, "the daemon did not shut down cleanly")
            left = [l for l in self.daemon.lines() if "left open" in l["msg"]]
            self.assertEqual(left, [], "the notify service left a handle open")
        for close in self.closers:
            close()
        super().tearDown()

    def run_daemon(self):
        self.daemon = Daemon(self.db, self.dir)

    def outbox(self, state=None):
        args = ["outbox", "list", "--limit", "1000"] + (["--state", state] if state else [])
        return self.js(*args)

    def queue(self, channel, to, key, subject="Chuẩn bị đại hội", body="Nội dung thông báo."):
        return self.js("notify", to, "--channel", channel, "--subject", subject, "--body", body,
                       "--key", key)

    def smtp(self, sink):
        self.ok("plugin", "config", "notify-smtp", "url", f"smtp://127.0.0.1:{sink.port}")
        self.ok("plugin", "config", "notify-smtp", "from", "vanphong@tinhuy.example.vn")
        self.ok("plugin", "config", "notify-smtp", "tls", "none")
        self.ok("plugin", "enable", "notify-smtp")

    def webhook(self, status=200, reply=b"ok"):
        self.ok("plugin", "config", "notify-webhook", "secret", SECRET)
        self.ok("plugin", "enable", "notify-webhook")
        rx = WebhookReceiver(SECRET, status, reply)
        self.closers.append(rx.close)
        return rx

    def test_mail_arrives_in_vietnamese_with_a_message_id_from_its_key(self):
        sink = SmtpSink().start()
        self.closers.append(sink.stop)
        self.smtp(sink)
        self.js("notify", "bithu@lstp.example.vn", "--channel", "smtp", "--template", "reminder",
                "--title", "Dự thảo báo cáo chính trị", "--org", "Thành phố Lạng Sơn",
                "--due", "2020-06-01", "--key", "work_item.due:7:2020-06-01")
        self.run_daemon()
        wait_until(lambda: self.outbox("sent"), "the mail to be sent")
        [mail] = sink.received()
        self.assertEqual(mail["rcpt"], ["bithu@lstp.example.vn"])
        self.assertEqual(mail["subject"], "[convene] Nhắc việc: Dự thảo báo cáo chính trị")
        self.assertIn("đến hạn ngày 2020-06-01", mail["body"])
        self.assertEqual(mail["message_id"], f"<{idem('work_item.due:7:2020-06-01')}@convene>")

    def test_a_name_is_notified_at_every_address_its_contacts_give(self):
        sink = SmtpSink().start()
        self.closers.append(sink.stop)
        self.smtp(sink)
        path = os.path.join(self.dir, "notifications.jsonl")
        self.ok("plugin", "config", "notify-log", "file", path)
        self.ok("plugin", "enable", "notify-log")
        self.ok("contact", "add", "Ban Tổ chức Thành ủy", "--email", "btc@lstp.example.vn")
        self.ok("contact", "add", "Ban Tổ chức Thành ủy", "--log", "btc")
        queued = self.js("notify", "Ban Tổ chức Thành ủy", "--template", "overdue", "--title",
                         "Danh sách nhân sự", "--org", "Thành phố Lạng Sơn", "--due", "2020-05-15",
                         "--key", "work_item.overdue:9")
        self.assertEqual(sorted((n["channel"], n["recipient"]) for n in queued),
                         [("log", "btc"), ("smtp", "btc@lstp.example.vn")])
        self.run_daemon()
        wait_until(lambda: len(self.outbox("sent")) == 2, "both deliveries")
        [mail] = sink.received()
        self.assertEqual(mail["subject"], "[convene] Quá hạn: Danh sách nhân sự")
        self.assertEqual(mail["message_id"],
                         f"<{idem('work_item.overdue:9|smtp|btc@lstp.example.vn')}@convene>")
        with open(path, encoding="utf-8") as f:
            [line] = [json.loads(l) for l in f]
        self.assertEqual(line["recipient"], "btc")

    def test_smtp_outage_backs_off_then_every_notification_arrives_once_per_key(self):
        sink = SmtpSink()  # not started: the server is down
        self.closers.append(sink.stop)
        self.smtp(sink)
        self.ok("notify", "config", "notify.max_tries", "100")
        self.run_daemon()
        keys = [f"congress.reminder:LS-TP-{i}" for i in range(6)]
        for k in keys:
            self.queue("smtp", f"{k.split(':')[1].lower()}@example.vn", k)
        self.queue("smtp", "again@example.vn", keys[0])  # the same cause queues once

        def all_retried():
            rows = self.outbox("pending")
            return len(rows) == 6 and all(r["tries"] >= 2 and r.get("last_error") for r in rows)
        wait_until(all_retried, "every notification to fail twice while the server is down")
        self.assertIn("smtp:", self.outbox()[0]["last_error"])
        sink.start()
        wait_until(lambda: len(self.outbox("sent")) == 6, "every notification to be sent")
        ids = collections.Counter(m["message_id"] for m in sink.received())
        self.assertEqual(ids, collections.Counter(f"<{idem(k)}@convene>" for k in keys))
        self.assertEqual(self.outbox("pending"), [])

    def test_webhook_posts_signed_json_with_an_idempotency_key(self):
        rx = self.webhook()
        self.queue("webhook", rx.url, "election.announced:12", subject="Kết quả bầu cử")
        self.run_daemon()
        wait_until(lambda: self.outbox("sent"), "the webhook to be delivered")
        [req] = rx.received()
        self.assertTrue(req["signature_ok"])
        self.assertEqual(req["idempotency_key"], idem("election.announced:12"))
        self.assertEqual(req["json"]["key"], "election.announced:12")
        self.assertEqual(req["json"]["subject"], "[convene] Kết quả bầu cử")
        self.assertTrue(req["content_type"].startswith("application/json"))

    def test_webhook_refused_with_4xx_fails_at_once(self):
        rx = self.webhook(status=410, reply=b"gone")
        self.queue("webhook", rx.url, "k-gone")
        self.run_daemon()
        [row] = wait_until(lambda: self.outbox("failed"), "the notification to fail")
        self.assertEqual((row["tries"], row["last_error"]), (1, "webhook: HTTP 410: gone"))

    def test_failing_webhook_ends_failed_with_its_reason_after_the_last_try(self):
        rx = self.webhook(status=500, reply=b"bao tri he thong")
        self.ok("notify", "config", "notify.max_tries", "3")
        self.queue("webhook", rx.url, "k-fail")
        self.run_daemon()
        [row] = wait_until(lambda: self.outbox("failed"), "the notification to fail")
        self.assertEqual(row["tries"], 3)
        self.assertEqual(row["last_error"], "webhook: HTTP 500: bao tri he thong")
        reqs = rx.received()
        self.assertEqual(len(reqs), 3)
        self.assertEqual({r["idempotency_key"] for r in reqs}, {idem("k-fail")})
        failed = self.js("journal", "--type", "notification.failed")
        self.assertEqual(len(failed), 1)

    def test_a_plugin_secret_is_write_only(self):
        set_ = self.js("plugin", "config", "notify-webhook", "secret", SECRET)
        self.assertEqual(set_["value"], "(secret)")
        info = self.ok("plugin", "info", "notify-webhook", "--json").out
        self.assertNotIn(SECRET, info)
        self.assertNotIn(SECRET, self.ok("plugin", "info", "notify-webhook").out)
        self.assertNotIn(SECRET, self.ok("journal", "--json").out)
        for path in (self.db, self.db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(SECRET.encode(), f.read(), path)

    def test_a_failed_notification_is_retried_by_an_admin_and_journaled(self):
        rx = self.webhook(status=410, reply=b"gone")
        self.queue("webhook", rx.url, "k-retry")
        self.run_daemon()
        [row] = wait_until(lambda: self.outbox("failed"), "the notification to fail")
        self.refused("outbox", "retry", "999999", code=65, says="no notification #999999")
        self.assertEqual(self.js("outbox", "retry", str(row["id"])),
                         {"id": row["id"], "state": "pending"})
        wait_until(lambda: len(rx.received()) == 2, "the daemon to try it again")
        [again] = wait_until(lambda: [r for r in self.outbox("failed") if r["tries"] == 1
                                      and len(rx.received()) == 2], "it to fail again")
        self.assertEqual(again["id"], row["id"])
        [ev] = self.js("journal", "--type", "notification.retried")
        self.assertEqual(ev["data"]["before"], {"state": "failed", "tries": 1,
                                                "last_error": "webhook: HTTP 410: gone"})
        self.assertEqual(ev["data"]["after"], {"state": "pending", "tries": 0})
        self.ok("org", "add", "TN", "Tỉnh ủy Thái Nguyên", "--level", "province")
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write("mật khẩu đủ dài\n")
        self.ok("account", "add", "boss", "Quản trị", "--password-file", pw)
        self.ok("grant", "add", "boss", "admin")
        self.ok("--as", "boss", "account", "add", "xem", "Người xem")
        self.ok("--as", "boss", "grant", "add", "xem", "viewer", "--org", "TN")
        self.refused("--as", "xem", "outbox", "retry", str(row["id"]), code=77,
                     says="outbox.retry")
        self.refused("--as", "boss", "outbox", "retry", str(row["id"]) + "0", code=65)

    def test_config_change_reaches_a_running_daemon_without_restart(self):
        rx = WebhookReceiver(SECRET)
        self.closers.append(rx.close)
        self.ok("notify", "config", "notify.max_tries", "100")
        self.run_daemon()
        self.queue("webhook", rx.url, "k-late-plugin")
        wait_until(lambda: "no enabled notifier plugin for channel 'webhook'"
                   in (self.outbox()[0].get("last_error") or ""),
                   "the missing notifier to be the recorded reason")
        self.ok("plugin", "config", "notify-webhook", "secret", SECRET)
        self.ok("plugin", "enable", "notify-webhook")
        wait_until(lambda: self.outbox("sent"), "delivery once the plugin is enabled")
        self.assertTrue(rx.received()[0]["signature_ok"])

    def test_shutdown_mid_delivery_closes_cleanly_and_leaves_the_try_uncounted(self):
        self.ok("plugin", "config", "notify-webhook", "secret", SECRET)
        self.ok("plugin", "enable", "notify-webhook")
        silent = socket.socket()  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent.settimeout(30)
        self.closers.append(silent.close)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        self.queue("webhook", url, "k-hanging")
        self.run_daemon()
        conn, _ = silent.accept()  # the POST is in flight
        self.closers.append(conn.close)
        daemon, self.daemon = self.daemon, None
        self.assertEqual(daemon.stop(), 0)
        self.assertEqual([l for l in daemon.lines() if "left open" in l["msg"]], [])
        [row] = self.outbox()
        self.assertEqual((row["state"], row["tries"]), ("pending", 0))

    def test_log_notifier_appends_one_json_line_per_notification(self):
        path = os.path.join(self.dir, "notifications.jsonl")
        self.ok("plugin", "config", "notify-log", "file", path)
        self.ok("plugin", "enable", "notify-log")
        for i in range(3):
            self.queue("log", "Văn phòng Tỉnh ủy", f"log-{i}")
        self.run_daemon()
        wait_until(lambda: len(self.outbox("sent")) == 3, "three log lines")
        with open(path, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f]
        self.assertEqual(sorted(l["key"] for l in lines), ["log-0", "log-1", "log-2"])
        self.assertEqual({l["try"] for l in lines}, {1})
        self.assertEqual(lines[0]["recipient"], "Văn phòng Tỉnh ủy")

    def test_bad_notifications_and_settings_are_refused_unchanged(self):
        self.refused("notify", "x@y.vn", "--channel", "f@x", "--subject", "s", "--body", "b",
                     code=64, says="channel must be smtp, webhook or log, not 'f@x'")
        self.refused("notify", "x@y.vn", "--channel", "smtp", "--subject", "s", code=64,
                     says="--body")
        self.refused("notify", "x@y.vn", "--channel", "pigeon", "--subject", "s", "--body", "b",
                     code=64, says="channel must be smtp, webhook or log, not 'pigeon'")
        self.refused("notify", "not-an-address", "--channel", "smtp", "--subject", "s", "--body",
                     "b", code=64, says="is not an email address")
        self.refused("notify", "x", "--channel", "log", "--template", "reminder", "--title", "t",
                     "--org", "o", "--due", "soon", code=64, says="due date 'soon' is not a date")
        self.refused("notify", "x", "--channel", "log", "--template", "reminder", "--title", "t",
                     code=64, says="{{org}}")
        self.refused("notify", "config", "notify.max_tries", "0", code=64, says="notify.max_tries")
        self.refused("notify", "config", "notify.smtp.url", "smtp://x", code=64, says="unknown")
        self.refused("outbox", "list", "--state", "lost", code=64, says="--state")


if __name__ == "__main__":
    main()
