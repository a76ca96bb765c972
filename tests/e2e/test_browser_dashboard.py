"""The dashboard and the review wall in a real browser: Debian's chromium driven by playwright-core
(tests/browser/dashboard.mjs) as a supervisor opens the dashboard: the sign-in hint without a session, the
trend and the breakdown of their team drawn by Chart.js with the figures the API gives, a drill-down from a
bar to the evaluations behind it, the tickets and the leaderboard; then the public wall of picked answers
with the organisation's reply. A customer's text written as markup stays text everywhere. Screenshots go
to $VOCD_ARTIFACTS."""
import datetime
import json
import os
import subprocess

from vocdtest import SOURCE, VOCD, ServerTest, browser_node

SCRIPT = os.path.join(SOURCE, "tests", "browser", "dashboard.mjs")
CHROMIUM = os.environ.get("VOCD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("VOCD_ARTIFACTS") or os.path.join(os.path.dirname(os.path.abspath(VOCD)),
                                                               "test-artifacts", "browser")
HOSTILE = '<img src=x onerror="window.__xss=1">太棒了 <script>window.__xss=2</script>'
TZ = datetime.timezone(datetime.timedelta(hours=8))

TENANT = """name = "Acme 客服"
organisation = { ["region:east"] = { ["store:s-1"] = { "team:care", "team:sales" } } }
people = {
  li = { name = "李强", access = "supervisor", scope = "team:care" },
  ["a-17"] = { name = "王芳", team = "care" },
  ["a-18"] = { name = "赵磊", team = "care" },
  ["b-01"] = { name = "Chen Wei", team = "sales" },
}
survey = { metrics = { "csat" },
           dimensions = { { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Response speed" } },
                          { id = "attitude", scale = 10, label = { ["zh-CN"] = "服务态度", en = "Attitude" } } } }
authenticity = { trusted_addresses = { "127.0.0.1" } }
plugins = {
  ["workflows/negative_evaluation"] = true,
  ["incentives/monthly_leaderboard"] = { min_answers = 1 },
}
"""


class BrowserDashboardTest(ServerTest):
    TENANTS = {"acme": TENANT}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        cls.node = browser_node(CHROMIUM)
        os.makedirs(ARTIFACTS, exist_ok=True)
        super().setUpClass()
        s = cls.server
        integrator, cls.admin = s.token("acme", "integrator"), s.token("acme", "admin")
        cls.li = s.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "li").stdout.strip()
        cls.ids = {}
        # The care team's dimensions: speed 5, 3 and 4 (mean 4), attitude 9; sales' speed 1 is not theirs.
        for key, agent, team, csat, text, dims in (
                ("hostile", "a-17", "care", 5, HOSTILE, {"speed": 5}), ("a17-4", "a-17", "care", 4, "", {"speed": 3}),
                ("a17-2", "a-17", "care", 2, "排队时间太长", {}), ("a18-1", "a-18", "care", 5, "很好", {"speed": 4, "attitude": 9}),
                ("a18-2", "a-18", "care", 5, "", {}), ("b01", "b-01", "sales", 3, "", {"speed": 1})):
            answer = {"scores": {"csat": csat}, "dimensions": dims}
            if text:
                answer["text"] = text
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=integrator,
                                  body={"customer": "c-" + key, "context": {"agent": agent, "team": team},
                                        "answer": answer})
            assert st == 201, ev
            cls.ids[key] = ev["id"]

    def wall(self, key, show=True, token=None):
        return self.server.request("POST", "/api/v1/evaluations/%s/wall" % self.ids[key], token=token or self.li,
                                   body={"show": show})

    def test_picking_for_the_wall(self):
        self.assertEqual(self.wall("a17-2")[0], 422)  # not positive
        self.assertEqual(self.wall("b01")[0], 404)    # outside li's team
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/wall" % self.ids["a18-1"],
                                             token=self.li, body={"show": "yes"})[0], 422)
        status, _, body = self.wall("a18-2")
        self.assertEqual((status, body["on_wall"]), (200, True))
        self.assertEqual(self.wall("a18-2", show=False)[0], 200)
        page = self.server.request("GET", "/wall/acme")
        self.assertEqual(page[0], 200)
        self.assertIn("default-src 'none'", page[1]["Content-Security-Policy"])
        self.assertEqual(self.server.request("GET", "/wall/nobody")[0], 404)
        # The files the dashboard needs, served by vocd itself.
        for name, kind in (("chart.umd.js", "text/javascript"), ("dashboard.js", "text/javascript"),
                           ("dashboard.css", "text/css")):
            status, headers, _ = self.server.request("GET", "/assets/" + name)
            self.assertEqual((status, headers["Content-Type"].split(";")[0]), (200, kind))
        self.assertEqual(self.server.request("GET", "/assets/secret.key")[0], 404)
        self.assertIn("script-src 'self'", self.server.request("GET", "/dashboard")[1]["Content-Security-Policy"])

    def test_a_supervisor_in_chromium(self):
        for key in ("hostile", "a18-1"):
            status, _, body = self.wall(key)
            self.assertEqual(status, 200, body)
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/replies" % self.ids["a18-1"],
                                              token=self.admin, body={"text": "谢谢您的支持！"})
        self.assertEqual(status, 201, body)
        month = datetime.datetime.now(TZ).strftime("%Y-%m")
        spec = {
            "base": "https://127.0.0.1:%d" % self.server.port, "token": self.li, "tenant": "acme",
            "cert": os.path.join(self.server.data, "dev-cert.pem"), "artifacts": ARTIFACTS, "chromium": CHROMIUM,
            "expect": {
                "month": month, "csat": 80.0, "keyword": "排队", "agents": ["a-17", "a-18"], "hostile": HOSTILE,
                "drill": {"agent": "a-17", "rows": 3}, "leaderboard": ["赵磊", "王芳"],
                "dimensions": {"labels": ["Response speed", "Attitude"], "means": [4, 9]},
                "wall": {"cards": 2, "reply": "谢谢您的支持！"},
            },
        }
        p = subprocess.run([self.node, SCRIPT, json.dumps(spec)], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, "the supervisor's visit failed:\n" + p.stdout + p.stderr)
        print("\ndashboard screenshots: %s" % json.loads(p.stdout.strip().splitlines()[-1])["screenshots"], flush=True)
