"""Scheduled reports in a real server whose clock libfaketime sets: answers given in November; then the
server started ten seconds before 1 December 08:00 (Beijing time), when a monthly figures report (XLSX) is
due to the supervisors and a compliance report (HTML) to the auditor. The mails reach a fake relay with the
files attached: the workbook, opened with openpyxl, holds the figures GET /api/v1/stats gives for November;
the relay refusing the auditor's mail at first is retried under one idempotency key and sent once. The run
records and their audit entries are there. Restarted before 08:00 again (the timer fires a second time for
the same period) and after it, nothing is sent twice and the next run is set for 1 January. Last, a workbook
too big for the channel is a failed run, recorded once with its reason, beside a CSV sent at the same time;
an entry removed by a reload before its time sends nothing."""
import base64
import csv
import datetime
import hashlib
import io
import os
import time
import unittest

import openpyxl

from fakeserver import FakeServer
from vocdtest import SOURCE, Server

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
UTC = datetime.timezone.utc
RELAY = FakeServer(status=202, refuse_field="to")
SECRET = "relay-secret-0123456789"
QUERY = {"interval": "week", "group_by": "team", "metrics": "answers,csat,nps", "min_sample": 1}

TENANT = """name = "Acme"
people = {
  wang = { name = "王经理", roles = { "supervisor" }, email = "wang@acme.example" },
  ["li.ming"] = { name = "Li Ming", roles = { "supervisor" }, email = "li.ming@acme.example", lang = "en" },
  sun = { name = "孙审计", roles = { "auditor" }, email = "sun@acme.example", lang = "en" },
}
survey = { metrics = { "csat", "nps" } }
authenticity = { trusted_addresses = { "127.0.0.1" } }
plugins = {
  ["reports/xlsx"] = true,
  ["reports/html"] = { brand = "Acme" },
  ["channels/email"] = { relay_url = "http://127.0.0.1:%d/mail", secret = "%s", from = "Acme <reports@acme.example>",
                         brand = "Acme" },
}
""" % (RELAY.port, SECRET)

SCHEDULE = """
reports = {
  schedule = {
    { id = "monthly-figures", report = "figures", format = "xlsx", every = "month", day = 1, at = "08:00",
      query = { interval = "week", group_by = "team", metrics = "answers,csat,nps", min_sample = 1 },
      to = { { role = "supervisor" }, { person = "li.ming" } }, channel = "email", lang = "zh-CN" },
    { id = "compliance", report = "compliance", format = "html", every = "month", day = 1, at = "08:00",
      to = { { role = "auditor" } }, channel = "email" },
  },
}
"""

# (team, csat, nps), given on 2026-11-20.
ANSWERS = [("care", 5, 9), ("care", 4, 10), ("care", 2, 3), ("sales", 5, 9), ("sales", 1, 0)]


def faked(when):
    """The environment that starts vocd's clock at \\p when (UTC, "2026-11-30 23:59:50")."""
    return {"LD_PRELOAD": FAKETIME, "FAKETIME": "@" + when, "TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}


def ms(when):
    return int(datetime.datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000)


class ScheduledReportsTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.path.exists(FAKETIME), "needs libfaketime (Debian: faketime), installed by scripts/setup")
        self.server = None
        self.seen = len(RELAY.received)  # the relay is shared: each test reads what came during it

    def tearDown(self):
        if not self.server:
            return
        rc = self.server.stop()
        log = self.server.read_log() if os.path.exists(self.server.log_path) else ""
        self.server.cleanup()
        if rc not in (0, None) or "ERROR: AddressSanitizer" in log or "runtime error:" in log:
            raise AssertionError("vocd did not stop cleanly (%s):\n%s" % (rc, log[-5000:]))

    def start(self, when):
        self.log_from = len(self.server.read_log()) if os.path.exists(self.server.log_path) else 0
        self.server.start(env=faked(when))

    def log_since_start(self):
        return self.server.read_log()[self.log_from:]

    def mails(self, to):
        return [r for r in RELAY.received[self.seen:] if r["msg"]["to"] == to]

    def wait(self, what, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if what():
                return
            time.sleep(0.1)
        self.fail("waited %d s in vain; the server's log:\n%s" % (seconds, self.log_since_start()[-3000:]))

    def test_monthly_reports_are_mailed_once_with_their_files(self):
        s = self.server = Server({"acme": TENANT}, 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins"))
        # November: the answers, without any schedule yet.
        self.start("2026-11-20 04:00:00")
        integrator, admin, auditor = s.token("acme", "integrator"), s.token("acme", "admin"), s.token("acme", "auditor")
        consent = {"notice_version": "2026-01", "time": ms("2026-11-20 03:59:00"), "channel": "app"}
        for i, (team, csat, nps) in enumerate(ANSWERS):
            status, _, ev = s.request("POST", "/api/v1/evaluations", token=integrator,
                                      body={"customer": "c-%d" % i, "context": {"agent": "a-%d" % i, "team": team},
                                            "consent": consent, "answer": {"scores": {"csat": csat, "nps": nps}}})
            self.assertEqual(status, 201, ev)
        s.stop()

        # Ten seconds before 1 December 08:00 in Beijing, with the schedule; the auditor's mail refused at first.
        with open(os.path.join(s.dir, "conf", "tenants", "acme.lua"), "a") as f:
            f.write(SCHEDULE)
        RELAY.refuse = "sun@"
        self.start("2026-11-30 23:59:50")
        self.assertIn("scheduled report monthly-figures: next run 2026-12-01 08:00", self.log_since_start())
        self.wait(lambda: len(self.mails("sun@acme.example")) >= 2)
        RELAY.refuse = None
        self.wait(lambda: [m for m in self.mails("sun@acme.example") if m["status"] == 202]
                  and self.mails("wang@acme.example") and self.mails("li.ming@acme.example"))
        time.sleep(2)  # anything sent twice would come now

        # The figures, to each supervisor once (li.ming is named twice: by role and by name), in their language.
        wang, li = self.mails("wang@acme.example"), self.mails("li.ming@acme.example")
        self.assertEqual((len(wang), len(li)), (1, 1), [(m["msg"]["to"], m["key"]) for m in RELAY.received])
        self.assertEqual(wang[0]["msg"]["subject"], "定期报表：评价统计（2026-11-01 至 2026-11-30）")
        self.assertEqual(li[0]["msg"]["subject"], "Scheduled report: Figures (2026-11-01 to 2026-11-30)")
        self.assertIn("figures-2026-11-01-2026-11-30.xlsx", li[0]["msg"]["text"])
        self.assertNotEqual(wang[0]["key"], li[0]["key"])
        attachments = wang[0]["msg"]["attachments"]
        self.assertEqual(len(attachments), 1)
        self.assertEqual(attachments[0]["filename"], "figures-2026-11-01-2026-11-30.xlsx")
        self.assertEqual(attachments[0]["content_type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertEqual(attachments, li[0]["msg"]["attachments"])
        raw = base64.b64decode(attachments[0]["content_base64"], validate=True)
        self.assert_workbook_has_the_figures(raw, admin)

        # The compliance report: refused, retried under the same key, then taken once.
        sun = self.mails("sun@acme.example")
        self.assertEqual([m["status"] for m in sun][-1], 202)
        self.assertEqual([m["status"] for m in sun].count(202), 1)
        self.assertGreaterEqual(len([m for m in sun if m["status"] == 503]), 2)
        self.assertEqual(len({m["key"] for m in sun}), 1)
        page = sun[-1]["msg"]["attachments"][0]
        self.assertTrue(page["content_type"].startswith("text/html"), page)
        self.assertIn("<html", base64.b64decode(page["content_base64"]).decode("utf-8"))

        # The runs, and their audit entries.
        runs = {r["id"]: r for r in s.request("GET", "/api/v1/report-runs", token=auditor)[2]["items"]}
        self.assertEqual(sorted(runs), ["compliance.2026-11-01", "monthly-figures.2026-11-01"])
        run = runs["monthly-figures.2026-11-01"]
        self.assertEqual((run["status"], run["from"], run["to"], run["report"], run["format"]),
                         ("sent", "2026-11-01", "2026-11-30", "figures", "xlsx"))
        self.assertEqual(run["due"], ms("2026-12-01 00:00:00"))
        self.assertNotIn("requested_by", run)  # made when its time came
        self.assertEqual(run["file"]["sha256"], hashlib.sha256(raw).hexdigest())
        self.assertEqual(run["file"]["size"], len(raw))
        self.assertEqual(sorted(n["person"] for n in run["notifications"]), ["li.ming", "wang"])
        self.assertEqual({n["notification"] for n in run["notifications"]}, {wang[0]["key"], li[0]["key"]})
        entries = s.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
        scheduled = [e for e in entries if e["action"] == "report.scheduled"]
        self.assertEqual(sorted(e["record"]["id"] for e in scheduled), sorted(runs))
        sent = [e for e in entries if e["action"] == "notification.send"]
        self.assertEqual(len(sent), 3)
        self.assertTrue(s.request("GET", "/api/v1/audit/verify", token=auditor)[2]["ok"])
        before = len(RELAY.received)
        s.stop()

        # Started again before 08:00: the timer fires again for November, which is done: nothing is sent.
        self.start("2026-11-30 23:59:56")
        self.wait(lambda: "scheduled report monthly-figures: next run 2027-01-01 08:00" in self.log_since_start()
                  and "scheduled report compliance: next run 2027-01-01 08:00" in self.log_since_start(), 30)
        time.sleep(2)
        self.assertEqual(len(RELAY.received), before)
        s.stop()

        # And after it: November's run is there, so January's is the next.
        self.start("2026-12-01 00:05:00")
        self.assertIn("scheduled report monthly-figures: next run 2027-01-01 08:00", self.log_since_start())
        time.sleep(2)
        self.assertEqual(len(RELAY.received), before)
        runs = s.request("GET", "/api/v1/report-runs", token=auditor)[2]["items"]
        self.assertEqual(len(runs), 2)

    def test_a_file_too_big_fails_once_and_a_removed_entry_does_nothing(self):
        """Under a small limits.lua_max_string the workbook is too big to send: the run is recorded as failed
        with the reason and not tried again, while a CSV due at the same time is sent. An entry removed by a
        reload before its time sends nothing when its timer fires."""
        s = self.server = Server({"acme": (TENANT + """
reports = {
  schedule = {
    { id = "big", report = "figures", format = "xlsx", every = "month", day = 1, at = "08:00",
      to = { { person = "wang" } }, channel = "email" },
    { id = "small", report = "figures", format = "csv", every = "month", day = 1, at = "08:00",
      to = { { person = "wang" } }, channel = "email", lang = "en" },
    { id = "gone", report = "figures", format = "csv", every = "month", day = 1, at = "08:00",
      to = { { person = "li.ming" } }, channel = "email" },
  },
}
""").replace('["reports/xlsx"] = true,', '["reports/xlsx"] = true,\n  ["reports/csv"] = true,')},
            'plugins_dir = "%s"\nlimits = { lua_max_string = "66KiB" }\n' % os.path.join(SOURCE, "plugins"))
        self.start("2026-11-30 23:59:40")
        auditor = s.token("acme", "auditor")
        with open(os.path.join(s.dir, "conf", "tenants", "acme.lua")) as f:
            text = f.read()
        start, end = text.index('    { id = "gone"'), text.index("  },\n}\n")
        s.write_tenant("acme", text[:start] + text[end:])
        reloads = s.read_log().count("reloaded:")
        s.reload()
        self.wait(lambda: s.read_log().count("reloaded:") > reloads, 10)
        before = len(RELAY.received)

        def runs():
            return {r["id"]: r for r in s.request("GET", "/api/v1/report-runs", token=auditor)[2]["items"]}

        self.wait(lambda: len(runs()) == 2 and len(RELAY.received) > before, 40)
        time.sleep(3)  # a retry, or the removed entry's report, would come now
        got = runs()
        self.assertEqual(sorted(got), ["big.2026-11-01", "small.2026-11-01"])
        big = got["big.2026-11-01"]
        self.assertEqual(big["status"], "failed")
        self.assertIn("the file is", big["reason"])
        self.assertIn("more than the 1536 that can be kept and sent", big["reason"])
        self.assertNotIn("file", big)
        self.assertNotIn("notifications", big)
        self.assertEqual(got["small.2026-11-01"]["status"], "sent")
        mails = RELAY.received[before:]
        self.assertEqual([m["msg"]["to"] for m in mails], ["wang@acme.example"])
        attachment = mails[0]["msg"]["attachments"][0]
        self.assertEqual(attachment["filename"], "figures-2026-11-01-2026-11-30.csv")
        text = base64.b64decode(attachment["content_base64"]).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        self.assertIn(["Totals"], rows)
        self.assertEqual(rows[rows.index(["Totals"]) + 1][:2], ["group", "answers"])
        log = self.log_since_start()
        self.assertIn("scheduled report big for big.2026-11-01 not made: the file is", log)
        self.assertIn("scheduled report big: next run 2027-01-01 08:00", log)
        self.assertNotIn("gone.2026-11-01", log)

    def test_an_entry_made_now_by_hand_and_its_file_again(self):
        """A day after an entry's time (too long ago to be made by itself at start), an admin has it made now
        for the period just finished: mailed once; the run's file fetched again is the one mailed; asking
        again for the same period is refused with the run's name."""
        s = self.server = Server({"acme": TENANT + SCHEDULE}, 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins"))
        self.start("2026-12-02 04:00:00")  # 28 hours after 1 December 08:00 in Beijing: not made by itself
        admin, auditor = s.token("acme", "admin"), s.token("acme", "auditor")
        self.assertIn("scheduled report monthly-figures: next run 2027-01-01 08:00", self.log_since_start())
        self.assertEqual(s.request("GET", "/api/v1/report-runs", token=auditor)[2]["items"], [])
        status, _, body = s.request("POST", "/api/v1/report-runs", token=admin, body={"schedule": "monthly-figures"})
        self.assertEqual((status, body), (202, {"schedule": "monthly-figures", "run": "monthly-figures.2026-11-01",
                                                "from": "2026-11-01", "to": "2026-11-30"}))
        self.wait(lambda: self.mails("wang@acme.example") and self.mails("li.ming@acme.example"))
        time.sleep(2)  # a second mail would come now
        self.assertEqual(len(self.mails("wang@acme.example")), 1)
        self.assertEqual(self.mails("sun@acme.example"), [])  # the compliance entry was not asked for
        mailed = base64.b64decode(self.mails("wang@acme.example")[0]["msg"]["attachments"][0]["content_base64"])
        run = s.request("GET", "/api/v1/report-runs", token=auditor)[2]["items"][0]
        self.assertEqual((run["id"], run["status"]), ("monthly-figures.2026-11-01", "sent"))
        self.assertEqual(run["requested_by"], admin.split(".")[2])  # the asking admin's token
        conn = s.connection()
        conn.request("GET", "/api/v1/report-runs/%s/file" % run["id"], headers={"Authorization": "Bearer " + auditor})
        answer = conn.getresponse()
        again = answer.read()
        conn.close()
        self.assertEqual(answer.status, 200)
        self.assertEqual(again, mailed)
        self.assertEqual(hashlib.sha256(again).hexdigest(), run["file"]["sha256"])
        self.assertIn('attachment; filename="figures-2026-11-01-2026-11-30.xlsx"', answer.getheader("Content-Disposition"))
        self.assertIn("sandbox", answer.getheader("Content-Security-Policy"))
        # Once per period, by hand too; an unknown entry, a run without a file, a body not understood.
        status, _, body = s.request("POST", "/api/v1/report-runs", token=admin, body={"schedule": "monthly-figures"})
        self.assertEqual(status, 409, body)
        self.assertIn("run monthly-figures.2026-11-01", body["error"]["message"])
        self.assertEqual(s.request("POST", "/api/v1/report-runs", token=admin, body={"schedule": "weekly"})[0], 404)
        self.assertEqual(s.request("POST", "/api/v1/report-runs", token=admin, body={"schedule": 7})[0], 422)
        self.assertEqual(s.request("POST", "/api/v1/report-runs", token=admin, body={"entry": "x"})[0], 400)
        self.assertEqual(s.request("GET", "/api/v1/report-runs/nothing.2026-11-01/file", token=admin)[0], 404)

    def assert_workbook_has_the_figures(self, raw, admin):
        query = dict(QUERY, **{"from": "2026-11-01", "to": "2026-11-30"})
        path = "/api/v1/stats?" + "&".join("%s=%s" % kv for kv in query.items())
        status, _, stats = self.server.request("GET", path, token=admin)
        self.assertEqual(status, 200, stats)
        self.assertEqual(sorted(g["value"] for g in stats["groups"]), ["care", "sales"])

        def cells(figures):
            row = [figures["answers"]["value"]]
            for m in ("csat", "nps"):
                f = figures[m]
                ci = f.get("ci") or [None, None]  # none for a week without answers
                row += [f.get("value"), f.get("n"), ci[0], ci[1]]
            return row

        def same(a, b):
            self.assertEqual(len(a), len(b), (a, b))
            for x, y in zip(a, b):
                if isinstance(y, float):
                    self.assertAlmostEqual(x, y, places=9)
                else:
                    self.assertEqual(x, y)

        book = openpyxl.load_workbook(io.BytesIO(raw))
        self.assertEqual(book.sheetnames, ["合计", "趋势"])
        totals = list(book["合计"].iter_rows(values_only=True))
        self.assertEqual(totals[0][:3], ("分组", "回答数", "满意度（4–5 分占比 %）"))
        by_team = {r[0]: list(r[1:]) for r in totals[1:]}
        self.assertEqual(sorted(by_team), ["care", "sales"])
        for g in stats["groups"]:
            same(by_team[g["value"]], cells(g["total"]))
        self.assertEqual(by_team["care"][0], 3)
        trend = list(book["趋势"].iter_rows(values_only=True))[1:]
        expected = [[b["from"], b["to"], g["value"]] + cells(b["figures"]) for g in stats["groups"] for b in g["buckets"]]
        self.assertEqual(len(trend), len(expected))
        for row, want in zip(trend, expected):
            same(list(row), want)


if __name__ == "__main__":
    unittest.main()
