"""docs/admin-guide.md, followed as an admin would: the guide's own commands and file edits, taken from its
marked blocks (<!-- guide:NAME -->) and run in a copy of conf/ and plugins/, against a real server. Only
two things differ from a machine of one's own: the server listens on a free port instead of 8443, and the
reload signal goes to this test's server rather than to every vocd found by pidof."""
import base64
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from fakeserver import FakeServer
from vocdtest import SOURCE, VOCD, free_port

GUIDE = os.path.join(SOURCE, "docs", "admin-guide.md")
CST = datetime.timezone(datetime.timedelta(hours=8))


def block(name):
    """The code block that follows <!-- guide:NAME --> in the guide."""
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- guide:%s -->\n```[a-z]*\n(.*?)```" % re.escape(name), text, re.S)
    if not m:
        raise AssertionError("the guide has no block guide:" + name)
    return m.group(1)


class AdminGuideTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vocd-guide-")
        shutil.copytree(os.path.join(SOURCE, "conf"), os.path.join(cls.dir, "conf"))
        shutil.copytree(os.path.join(SOURCE, "plugins"), os.path.join(cls.dir, "plugins"))
        os.makedirs(os.path.join(cls.dir, "build"))
        os.symlink(os.path.abspath(VOCD), os.path.join(cls.dir, "build", "vocd"))
        cls.port = free_port()
        server = os.path.join(cls.dir, "conf", "vocd.lua")
        with open(server) as f:
            text = f.read()
        with open(server, "w") as f:
            f.write(text.replace('listen = "127.0.0.1:8443"', 'listen = "127.0.0.1:%d"' % cls.port)
                    + '\nplugins_dir = "plugins"\n')
        cls.tenant = os.path.join(cls.dir, "conf", "tenants", "demo.lua")
        # Every answer below comes from this machine's curl, where the demo's customers would each have
        # their own phone: trusted, so that they are not a burst and earn their points (§12).
        with open(cls.tenant, "a", encoding="utf-8") as f:
            f.write('\nauthenticity = { trusted_addresses = { "127.0.0.1" } }\n')
        with open(cls.tenant, encoding="utf-8") as f:
            cls.original = f.read()
        # §0: init, serve, a token.
        start = block("start").splitlines()
        cls.sh(start[0])
        cls.log = open(os.path.join(cls.dir, "server.log"), "ab")
        serve = start[1].rstrip("&").split()
        cls.proc = subprocess.Popen(serve, cwd=cls.dir, stdout=cls.log, stderr=cls.log)
        cls.token = cls.sh(start[2].split("=", 1)[1].strip()[2:-1]).stdout.strip()
        cls.wait_up()

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        cls.proc.wait(timeout=30)
        cls.log.close()
        log = cls.read_log()
        shutil.rmtree(cls.dir, ignore_errors=True)
        if cls.proc.returncode != 0 or "ERROR: AddressSanitizer" in log or "runtime error:" in log:
            raise AssertionError("vocd did not stop cleanly:\n" + log[-4000:])

    # ---- Doing what the guide says ---------------------------------------------------------------------

    @classmethod
    def sh(cls, command, check=True):
        command = command.replace("$(pidof vocd)", str(cls.proc.pid) if hasattr(cls, "proc") else "")
        command = command.replace("127.0.0.1:8443", "127.0.0.1:%d" % cls.port).replace("$TOKEN", getattr(cls, "token", ""))
        p = subprocess.run(["bash", "-c", command], cwd=cls.dir, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("%s\nfailed (%d):\n%s%s" % (command, p.returncode, p.stdout, p.stderr))
        return p

    @classmethod
    def read_log(cls):
        with open(os.path.join(cls.dir, "server.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    @classmethod
    def wait_up(cls):
        deadline = time.time() + 30
        while time.time() < deadline:
            if "serving https://" in cls.read_log():
                return
            time.sleep(0.1)
        raise AssertionError("vocd did not start:\n" + cls.read_log())

    def edit(self, before, after):
        """Find the guide's "before" lines in the tenant file and put its "after" lines there."""
        with open(self.tenant, encoding="utf-8") as f:
            text = f.read()
        old, new = block(before), block(after)
        self.assertEqual(text.count(old), 1, "the guide's lines are not in the tenant file:\n" + old)
        with open(self.tenant, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))

    def check_and_reload(self):
        self.assertIn(": ok", self.sh(block("check")).stdout)
        reloads = self.read_log().count("reloaded:")
        self.sh(block("reload"))
        deadline = time.time() + 20
        while self.read_log().count("reloaded:") == reloads and time.time() < deadline:
            time.sleep(0.1)
        self.assertGreater(self.read_log().count("reloaded:"), reloads, self.read_log()[-2000:])

    def api(self, method, path, body=None):
        cmd = ["curl", "-s", "--cacert", "data/dev-cert.pem", "-H", "Authorization: Bearer " + self.token,
               "-X", method, "https://127.0.0.1:%d%s" % (self.port, path)]
        if body is not None:
            cmd += ["-H", "Content-Type: application/json", "-d", json.dumps(body, ensure_ascii=False)]
        p = subprocess.run(cmd, cwd=self.dir, capture_output=True, text=True, timeout=60)
        return json.loads(p.stdout)

    def evaluate(self, customer, csat, tier="regular", tags=(), text=""):
        inv = self.api("POST", "/api/v1/invitations", {"customer": {"external_id": customer, "tier": tier},
                                                        "context": {"team": "care", "agent": "a-17"}, "channel": "web"})
        answer = {"scores": {"csat": csat}, "tags": list(tags)}
        if text:
            answer["text"] = text
        ev = self.api("POST", "/api/v1/evaluations", {"invitation": inv["id"], "answer": answer})
        self.assertIn("id", ev, ev)
        return ev

    def ticket_of(self, evaluation, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            found = [t for t in self.api("GET", "/api/v1/tickets?limit=500")["items"] if t.get("evaluation") == evaluation["id"]]
            if found:
                time.sleep(0.3)  # a second rule on the same evaluation raises the ticket just after
                return self.api("GET", "/api/v1/tickets/" + found[0]["id"])
            time.sleep(0.1)
        return None

    # ---- The guide, in its order -----------------------------------------------------------------------

    def test_the_guide_step_by_step(self):
        # Some history to try rules on later: a VIP scored 3, and someone who waited too long.
        vip3 = self.evaluate("g-vip-1", 3, tier="VIP")
        waited = self.evaluate("g-slow-1", 2, tags=["slow"])
        self.assertIsNone(self.ticket_of(vip3, seconds=2))  # CSAT 3 is not below 3

        # §1 A threshold.
        self.edit("threshold-before", "threshold-after")
        self.check_and_reload()
        t = self.ticket_of(self.evaluate("g-vip-2", 3, tier="VIP"))
        self.assertEqual((t["class"], t["assignee"]), ("urgent", "zhou"))

        # §2 A keyword.
        self.edit("keyword-before", "keyword-after")
        self.check_and_reload()
        t = self.ticket_of(self.evaluate("g-kw-1", 4, text="再不解决我就打12315"))
        self.assertEqual((t["priority"], t["assignee"]), ("highest", "wu"))

        # §3 A rule of one's own, tried on the history before it is switched on.
        self.sh(block("rule-mkdir"))
        with open(os.path.join(self.dir, "plugins/workflows/slow_service/plugin.lua"), "w", encoding="utf-8") as f:
            f.write(block("rule-file"))
        with open(os.path.join(self.dir, "plugins/workflows/slow_service/schema.lua"), "w", encoding="utf-8") as f:
            f.write(block("rule-schema"))
        dry = self.sh(block("dry-run")).stdout  # §6, on the rule not yet enabled
        self.assertIn("workflows/slow_service", dry)
        self.assertIn("would fire 1 time(s)", dry)
        self.assertIn("evaluation " + waited["id"], dry)
        self.assertIn('✓ evaluation.tags = ["slow"]  (contains any ["slow"])', dry)
        self.edit("rule-enable-before", "rule-enable-after")
        self.check_and_reload()
        ev = self.evaluate("g-slow-2", 2, tags=["slow", "unsolved"])
        t = self.wait_for_rule(ev, "workflows/slow_service")
        self.assertEqual((t["class"], t["assignee"], t["category"]), ("important", "li", "evaluation"))
        self.assertEqual(self.api("GET", "/api/v1/evaluations/" + ev["id"])["labels"], ["waited_too_long"])

        # §4 A deadline: urgent tickets are resolved by the close of the next working day.
        self.edit("sla-before", "sla-after")
        self.check_and_reload()
        t = self.api("POST", "/api/v1/complaints", {"channel": "phone", "text": "x", "class": "urgent"})
        self.assertEqual(t["sla"]["resolve"]["limit"], "1 working days")
        self.assertEqual(t["sla"]["resolve"]["due_at"], self.next_working_day_end())

        # §5 A holiday and an adjusted working day, as the guide writes them; then one of today, to see a
        # clock skip it.
        self.edit("holiday-before", "holiday-after")
        self.edit("workday-before", "workday-after")
        self.check_and_reload()
        today = datetime.datetime.now(CST).date()
        with open(self.tenant, encoding="utf-8") as f:
            text = f.read()
        with open(self.tenant, "w", encoding="utf-8") as f:
            f.write(text.replace('"2027-02-10..2027-02-16" }', '"2027-02-10..2027-02-16", "%s..%s" }'
                                 % (today, today + datetime.timedelta(days=1))))
        self.check_and_reload()
        t = self.api("POST", "/api/v1/complaints", {"channel": "phone", "text": "x"})
        ack = datetime.datetime.fromtimestamp(t["sla"]["acknowledge"]["due_at"] / 1000, CST)
        self.assertGreater(ack.date(), today + datetime.timedelta(days=1))
        self.assertEqual((ack.hour, ack.minute), (11, 0))

        # §6 The dry run over the API.
        cmd = block("dry-run-api")
        body = json.loads(re.search(r"-d '(.*?)'", cmd).group(1))
        report = json.loads(self.sh(cmd).stdout)
        self.assertEqual(report["rules"][0]["rule"], body["rule"])
        fired = [h["evaluation"] for h in report["rules"][0]["hits"]]
        self.assertNotIn(vip3["id"], fired)  # CSAT 3 is not below the 2 tried

        # §7 The versions kept, and the first one put back.
        versions = self.sh(block("versions")).stdout
        self.assertGreaterEqual(len(versions.strip().splitlines()), 6, versions)
        self.assertIn("system start", versions)
        # The versions' texts are sealed: nothing of the tenant file lies in the database in clear.
        with open(os.path.join(self.dir, "data", "data.mdb"), "rb") as f:
            self.assertNotIn(b"One file per tenant", f.read())
        for line in block("rollback").splitlines():
            if "kill -HUP" in line:
                reloads = self.read_log().count("reloaded:")
            self.sh(line)
        deadline = time.time() + 20
        while self.read_log().count("reloaded:") == reloads and time.time() < deadline:
            time.sleep(0.1)
        with open(self.tenant, encoding="utf-8") as f:
            self.assertEqual(f.read(), self.original)
        self.assertTrue(os.path.exists(self.tenant + ".before-rollback"))
        self.assertIsNone(self.ticket_of(self.evaluate("g-vip-3", 3, tier="VIP"), seconds=2))

        # §8 A mistake is refused, and the running rules go on.
        with open(self.tenant, encoding="utf-8") as f:
            text = f.read()
        with open(self.tenant, "w", encoding="utf-8") as f:
            f.write(text.replace('resolve = "2 working days", revisit = "5', 'resolve = "1 workday", revisit = "5'))
        p = self.sh(block("check"), check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn('tickets.sla.urgent.resolve: expected a duration such as "2h"', p.stderr)
        refused = self.read_log().count("reload refused")
        self.sh(block("reload"))
        deadline = time.time() + 20
        while self.read_log().count("reload refused") == refused and time.time() < deadline:
            time.sleep(0.1)
        self.assertGreater(self.read_log().count("reload refused"), refused)
        t = self.ticket_of(self.evaluate("g-low-1", 1))
        self.assertEqual(t["rules"], ["workflows/negative_evaluation"])
        # A broken file is put back all the same, naming the data directory and the master key.
        p = self.sh(block("rollback-broken").replace("--key keys/master.key ", ""), check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("give --key FILE", p.stderr)
        self.sh(block("rollback-broken"))
        with open(self.tenant, encoding="utf-8") as f:
            self.assertEqual(f.read(), self.original)

    def test_who_signs_in(self):
        """§11, after the steps above (which leave the tenant file as it was)."""
        self.edit("signin-before", "signin-after")
        self.check_and_reload()
        self.assertIn("password of a-18", self.sh(block("password")).stderr)
        answer = json.loads(self.sh(block("signin")).stdout)
        self.assertEqual((answer["person"], answer["role"]), ("a-18", "agent"))
        with open(os.path.join(self.dir, "cookies.txt")) as f:
            cookie = [line.split("\t")[-1].strip() for line in f if "vocd_session" in line][0]
        me = json.loads(self.sh("curl -s --cacert data/dev-cert.pem -H 'Cookie: vocd_session=%s' "
                                "https://127.0.0.1:8443/api/v1/whoami" % cookie).stdout)
        self.assertEqual((me["person"], me["role"]), ("a-18", "agent"))
        # Taking access away ends the session's rights at the next request.
        self.edit("signin-after", "signin-before")
        self.check_and_reload()
        status = self.sh("curl -s -o /dev/null -w '%%{http_code}' --cacert data/dev-cert.pem -H 'Cookie: "
                         "vocd_session=%s' https://127.0.0.1:8443/api/v1/whoami" % cookie).stdout
        self.assertEqual(status, "401")

    def test_who_earns_points(self):
        """§12, after the steps above: a setting changed, entries and balances read, one reversed."""
        def entries():
            return json.loads(self.sh(block("points")).stdout)["items"]

        def of(evaluation, seconds=10):
            deadline = time.time() + seconds
            while time.time() < deadline:
                found = [e for e in entries() if e.get("evaluation") == evaluation["id"]]
                if found:
                    return found
                time.sleep(0.1)
            self.fail("no points for evaluation %s" % evaluation["id"])

        before = of(self.evaluate("g-pts-1", 5))
        self.assertEqual([(e["points"], e["policy"]) for e in before], [(2, "incentives/service_points")])
        self.edit("points-before", "points-after")
        self.check_and_reload()
        after = of(self.evaluate("g-pts-2", 5))
        self.assertEqual([e["points"] for e in after], [3])
        self.assertEqual([e["points"] for e in of({"id": before[0]["evaluation"]})], [2])
        balance = {r["person"]: r["balance"] for r in json.loads(self.sh(block("balances")).stdout)["items"]}
        reversal = json.loads(self.sh(block("reverse").replace("0000000000000001", after[0]["id"])).stdout)
        self.assertEqual((reversal["reverses"], reversal["points"]), (after[0]["id"], -3))
        again = {r["person"]: r["balance"] for r in json.loads(self.sh(block("balances")).stdout)["items"]}
        self.assertEqual(again["a-17"], balance["a-17"] - 3)
        month = datetime.datetime.now(CST).strftime("%Y-%m")
        board = json.loads(self.sh(block("leaderboard").replace("2026-12", month)).stdout)
        self.assertEqual(board["policy"], "incentives/monthly_leaderboard")
        self.assertIn("rows", board)
        award = json.loads(self.sh(block("award")).stdout)  # a quarter with no answers: no winners
        self.assertEqual(award["winners"], [])
        self.edit("points-after", "points-before")
        self.check_and_reload()

    def test_who_gets_reports(self):
        """§14, after the steps above: a monthly report scheduled as the guide writes it, then made now for
        last month against a fake relay in place of the guide's (the file arrives attached, and is fetched
        again as it was sent); asked again, refused; the tenant file put back."""
        relay = FakeServer(status=202)
        self.edit("report-people-before", "report-people-after")
        self.edit("report-before", "report-after")
        self.check_and_reload()
        now = datetime.datetime.now(CST)
        first = datetime.date(now.year + now.month // 12, now.month % 12 + 1, 1)
        if now.day == 1 and now.hour < 8:
            first = now.date()
        self.assertIn("tenant demo: scheduled report monthly-to-supervisors: next run %s 08:00 (local time)" % first,
                      self.read_log())
        runs = json.loads(self.sh(block("report-runs")).stdout)
        self.assertEqual(runs["items"], [])

        # Made now for last month, the relay being this test's; then the file fetched again.
        with open(self.tenant, encoding="utf-8") as f:
            text = f.read()
        with open(self.tenant, "w", encoding="utf-8") as f:
            f.write(text.replace("https://mail-relay.example.com/send", "http://127.0.0.1:%d/send" % relay.port))
        self.check_and_reload()
        last = (now.replace(day=1) - datetime.timedelta(days=1)).date()
        period = (last.replace(day=1).isoformat(), last.isoformat())
        asked = json.loads(self.sh(block("report-now")).stdout)
        self.assertEqual((asked["run"], asked["from"], asked["to"]), ("monthly-to-supervisors." + period[0],) + period)
        got = relay.wait_for(2, seconds=60)
        self.assertEqual(sorted(m["msg"]["to"] for m in got), ["li@demo.example", "zhou@demo.example"])
        for m in got:
            self.assertIn("（%s 至 %s）" % period, m["msg"]["subject"])
            self.assertEqual(m["msg"]["attachments"][0]["filename"], "figures-%s-%s.xlsx" % period)
        runs = json.loads(self.sh(block("report-runs")).stdout)["items"]
        self.assertEqual([(r["id"], r["status"]) for r in runs], [(asked["run"], "sent")])
        again = json.loads(self.sh(block("report-now")).stdout)
        self.assertIn("run " + asked["run"], again["error"]["message"])
        self.sh(block("report-file").replace("monthly-to-supervisors.2026-11-01", asked["run"]))
        with open(os.path.join(self.dir, "figures-%s-%s.xlsx" % period), "rb") as f:
            self.assertEqual(f.read(), base64.b64decode(got[0]["msg"]["attachments"][0]["content_base64"]))

        with open(self.tenant, "w", encoding="utf-8") as f:
            f.write(self.original)
        self.check_and_reload()
        relay.shutdown()
        relay.server_close()

    def wait_for_rule(self, evaluation, rule, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            t = self.ticket_of(evaluation, seconds=1)
            if t and rule in t["rules"]:
                return t
        self.fail("no ticket of %s for evaluation %s" % (rule, evaluation["id"]))

    @staticmethod
    def next_working_day_end():
        """18:00 of the first working day after today on the demo calendar (weekdays; October's holiday week)."""
        d = datetime.datetime.now(CST).date()
        holidays = {datetime.date(2026, 10, day) for day in range(1, 8)}
        while True:
            d += datetime.timedelta(days=1)
            if (d.weekday() < 5 and d not in holidays) or d == datetime.date(2026, 10, 10):
                return int(datetime.datetime(d.year, d.month, d.day, 18, 0, tzinfo=CST).timestamp() * 1000)
