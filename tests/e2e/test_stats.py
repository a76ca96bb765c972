"""The stats API against figures computed here from the raw evaluations: CSAT share and mean, NPS, CES, their
intervals and warnings, per agent, team and channel, by day, with and without suspect answers, compared with
the period before; tickets by class and state, deadlines met and unhappy customers won back; what each role
may see; and the rollups rebuilt from the evaluations by `vocd rollups rebuild` equal to the ones kept as
answers arrived."""
import datetime
import math
import os
import urllib.parse

from vocdtest import Server, ServerTest

CONSENT = {"notice_version": "2026-01", "time": 1767225600000, "channel": "app"}
TZ = datetime.timezone(datetime.timedelta(hours=8))

TENANT = """name = "Acme"
organisation = { ["region:east"] = { ["store:s-1"] = { "team:care", "team:sales" } } }
people = {
  li = { name = "李强", access = "supervisor", scope = "team:care" },
  wu = { name = "吴敏", access = "supervisor", scope = "region:east" },
  ["a-17"] = { name = "王芳", team = "care", access = "agent" },
  ["a-18"] = { name = "赵磊", team = "care", access = "agent" },
  ["b-01"] = { name = "Chen Wei", team = "sales", access = "agent" },
}
survey = { metrics = { "csat", "nps", "ces" },
           dimensions = { { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Speed" } },
                          { id = "attitude", scale = 10, label = { ["zh-CN"] = "服务态度", en = "Attitude" } } } }
authenticity = { burst_per_ip = 0, burst_per_device = 6, duplicate_distance = 0, incentive = false }
calendar = { utc_offset = "+08:00", hours = { weekdays = { "00:00-24:00" }, saturday = { "00:00-24:00" },
                                               sunday = { "00:00-24:00" } } }
plugins = { ["workflows/negative_evaluation"] = true }
"""


def wilson(good, n, z=1.96):
    if n == 0:
        return (0.0, 0.0)
    p = good / n
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = max(0.0, (centre - spread) / (1 + z * z / n))
    p2 = (n - good) / n
    centre2, spread2 = p2 + z * z / (2 * n), z * math.sqrt(p2 * (1 - p2) / n + z * z / (4 * n * n))
    return (100 * lo, 100 * (1 - max(0.0, (centre2 - spread2) / (1 + z * z / n))))


def figures(evs):
    """CSAT share and mean, NPS and its mean, CES mean of the given evaluations, as the API rounds them."""
    csat = [e["scores"]["csat"] for e in evs if "csat" in e["scores"]]
    nps = [e["scores"]["nps"] for e in evs if "nps" in e["scores"]]
    ces = [e["scores"]["ces"] for e in evs if "ces" in e["scores"]]
    out = {"answers": len(evs)}
    if csat:
        good = sum(1 for s in csat if s >= 4)
        out["csat"] = round(100 * good / len(csat), 1)
        out["csat_ci"] = [round(v, 1) for v in wilson(good, len(csat))]
        out["csat_mean"] = round(sum(csat) / len(csat), 2)
    if nps:
        out["nps"] = round(100 * (sum(1 for s in nps if s >= 9) - sum(1 for s in nps if s <= 6)) / len(nps), 1)
        out["nps_mean"] = round(sum(nps) / len(nps), 2)
    if ces:
        out["ces_mean"] = round(sum(ces) / len(ces), 2)
    for d in ("speed", "attitude"):  # the survey's dimensions: a mean with its normal interval
        v = [e["dimensions"][d] for e in evs if d in e.get("dimensions", {})]
        if v:
            mean = sum(v) / len(v)
            var = sum((x - mean) ** 2 for x in v) / (len(v) - 1) if len(v) > 1 else 0
            half = 1.96 * math.sqrt(var / len(v))
            out[d + "_mean"] = round(mean, 2)
            out[d + "_ci"] = [round(mean - half, 2), round(mean + half, 2)]
            out[d + "_n"] = len(v)
    return out


class Figures:
    """Asking for stats, and the figures they should have."""

    def stats(self, token=None, **query):
        status, _, body = self.server.request("GET", "/api/v1/stats?" + urllib.parse.urlencode(query),
                                              token=token or self.admin)
        return status, body

    def evaluations(self):
        status, _, body = self.server.request("GET", "/api/v1/evaluations?limit=500", token=self.admin)
        self.assertEqual(status, 200)
        return body["items"]

    def assert_figures(self, got, evs):
        want = figures(evs)
        self.assertEqual(got["answers"]["value"], want["answers"])
        for m in ("csat", "csat_mean", "nps", "nps_mean", "ces_mean"):
            if m in want:
                self.assertEqual(got[m]["value"], want[m], m)
            else:
                self.assertIsNone(got[m]["value"], m)
        if "csat" in want:
            self.assertEqual(got["csat"]["ci"], want["csat_ci"])
        for d in ("speed", "attitude"):  # where the tenant's survey asks them
            if d + "_mean" in want:
                self.assertEqual((got[d + "_mean"]["value"], got[d + "_mean"]["n"], got[d + "_mean"]["ci"]),
                                 (want[d + "_mean"], want[d + "_n"], want[d + "_ci"]), d)
            elif d + "_mean" in got:
                self.assertIsNone(got[d + "_mean"]["value"], d)


class StatsTest(Figures, ServerTest):
    TENANTS = {"acme": TENANT}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(__import__("vocdtest").SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.integrator = s.token("acme", "integrator")
        cls.li = s.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "li").stdout.strip()
        cls.a17 = s.cli("token", "create", "--tenant", "acme", "--role", "agent", "--person", "a-17").stdout.strip()
        n = 0
        given = [("a-17", "care", "web", {"csat": 5, "nps": 10, "ces": 2}, {"speed": 5, "attitude": 9}),
                 ("a-17", "care", "web", {"csat": 4, "nps": 8}, {"speed": 4}),
                 ("a-17", "care", "sms", {"csat": 2, "nps": 3, "ces": 6}, {"speed": 1, "attitude": 2}),
                 ("a-17", "care", "sms", {"csat": 5, "nps": 9}, {}),
                 ("a-18", "care", "web", {"csat": 3, "nps": 7, "ces": 4}, {"attitude": 10}),
                 ("a-18", "care", "web", {"csat": 1, "nps": 0}, {"speed": 2, "attitude": 1}),
                 ("b-01", "sales", "app", {"csat": 5, "nps": 10, "ces": 1}, {"speed": 5}),
                 ("b-01", "sales", "app", {"csat": 4}, {"speed": 3, "attitude": 7}),
                 ("b-01", "sales", "web", {"csat": 3, "nps": 6}, {})]
        for agent, team, channel, scores, dims in given:
            n += 1
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=cls.integrator, headers={"User-Agent": "ua %d" % n},
                                  body={"customer": "c-%d" % n, "context": {"agent": agent, "team": team},
                                        "channel": channel, "consent": CONSENT,
                                        "answer": {"scores": scores, "dimensions": dims}})
            assert st == 201, ev
        # A burst from one phone: the seventh answer is suspect (burst_per_device = 6).
        for i in range(7):
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=cls.integrator, headers={"User-Agent": "one phone"},
                                  body={"customer": "burst-%d" % i, "context": {"agent": "b-01", "team": "sales"},
                                        "channel": "web", "consent": CONSENT,
                                        "answer": {"scores": {"csat": 5, "nps": 10}, "dimensions": {"speed": 1}}})
            assert st == 201, ev
        cls.today = datetime.datetime.now(TZ).strftime("%Y-%m-%d")

    def test_totals_with_and_without_suspect_answers(self):
        evs = self.evaluations()
        suspect = [e for e in evs if e.get("suspect")]
        self.assertEqual(len(suspect), 1)
        status, body = self.stats()
        self.assertEqual(status, 200, body)
        total = body["groups"][0]["total"]
        self.assert_figures(total, [e for e in evs if not e.get("suspect")])
        self.assertEqual(body["groups"][0]["suspect_answers"], 1)
        self.assertIn("warning", total["csat"])  # 15 answers: too few to compare
        self.assert_figures(self.stats(suspect="include")[1]["groups"][0]["total"], evs)
        self.assert_figures(self.stats(suspect="only")[1]["groups"][0]["total"], suspect)
        self.assertNotIn("warning", self.stats(min_sample=5)[1]["groups"][0]["total"]["csat"])

    def test_groups_filters_and_days(self):
        evs = [e for e in self.evaluations() if not e.get("suspect")]
        status, body = self.stats(group_by="agent")
        self.assertEqual(status, 200, body)
        self.assertEqual([g["value"] for g in body["groups"]], ["a-17", "a-18", "b-01"])
        for g in body["groups"]:
            self.assert_figures(g["total"], [e for e in evs if e["context"].get("agent") == g["value"]])
        for g in self.stats(group_by="channel")[1]["groups"]:
            self.assert_figures(g["total"], [e for e in evs if e["channel"] == g["value"]])
        care = self.stats(team="care")[1]
        self.assertEqual(care["filter"], {"team": "care"})
        self.assert_figures(care["groups"][0]["total"], [e for e in evs if e["context"].get("team") == "care"])
        # By day over a week: everything today, nothing on the other days.
        week_ago = (datetime.datetime.now(TZ) - datetime.timedelta(days=6)).strftime("%Y-%m-%d")
        days = self.stats(interval="day", **{"from": week_ago})[1]["groups"][0]["buckets"]
        self.assertEqual(len(days), 7)
        self.assertEqual([b["figures"]["answers"]["value"] for b in days], [0] * 6 + [len(evs)])
        self.assertEqual(days[-1]["from"], self.today)
        self.assertIsNone(days[0]["figures"]["csat"]["value"])
        # The period before had nothing: no change to report.
        compared = self.stats(compare="previous")[1]["groups"][0]
        self.assertEqual(compared["previous"]["figures"]["answers"]["value"], 0)
        self.assertNotIn("csat", compared["change"])

    def test_bad_queries_are_refused_clearly(self):
        for query, word in (({"interval": "year"}, "interval"), ({"from": "2026-02-30"}, "from"),
                            ({"metrics": "csat,happiness"}, "metrics"), ({"metrics": "mood_mean"}, "speed_mean"),
                            ({"group_by": "mood"}, "group_by"),
                            ({"from": "2024-01-01"}, "731"), ({"suspect": "maybe"}, "suspect")):
            status, body = self.stats(**query)
            self.assertEqual(status, 400, (query, body))
            self.assertIn(word, body["error"]["message"])

    def test_each_role_sees_its_scope(self):
        evs = [e for e in self.evaluations() if not e.get("suspect")]
        status, mine = self.stats(token=self.a17)
        self.assertEqual((status, mine["filter"]), (200, {"agent": "a-17"}))
        self.assert_figures(mine["groups"][0]["total"], [e for e in evs if e["context"]["agent"] == "a-17"])
        self.assertEqual(self.stats(token=self.a17, group_by="agent")[0], 403)
        self.assertEqual(self.stats(token=self.a17, agent="a-18")[0], 403)
        status, team = self.stats(token=self.li)
        self.assertEqual((status, team["filter"]), (200, {"team": "care"}))
        self.assertEqual(self.stats(token=self.li, team="sales")[0], 403)
        agents = self.stats(token=self.li, group_by="agent")[1]
        self.assertEqual([g["value"] for g in agents["groups"]], ["a-17", "a-18"])
        # The region's manager: the answers name only teams, and the region's figures hold its whole subtree
        # (the organisation tree as it was when they answered).
        wu = self.server.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "wu").stdout.strip()
        status, region = self.stats(token=wu)
        self.assertEqual((status, region["filter"]), (200, {"region": "east"}))
        self.assert_figures(region["groups"][0]["total"], evs)
        self.assert_figures(self.stats(store="s-1")[1]["groups"][0]["total"], evs)
        self.assertEqual([g["value"] for g in self.stats(token=wu, group_by="team")[1]["groups"]], ["care", "sales"])

    def test_filters_together_and_with_a_grouping(self):
        """Combinations the rollups do not keep are counted from the evaluations: the same figures."""
        self.invite("f", "a-17", "app", 3, 1)
        evs = self.evaluations()
        clean = [e for e in evs if not e.get("suspect")]
        care = [e for e in clean if e["context"].get("team") == "care"]
        status, body = self.stats(team="care", group_by="channel", compare="previous", interval="day")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["filter"], {"team": "care"})
        self.assertEqual([g["value"] for g in body["groups"]], sorted({e["channel"] for e in care}))
        for g in body["groups"]:
            rows = [e for e in care if e["channel"] == g["value"]]
            self.assert_figures(g["total"], rows)
            self.assert_figures(g["buckets"][-1]["figures"], rows)  # all of them today
            self.assertEqual(g["previous"]["figures"]["answers"]["value"], 0)
        status, body = self.stats(team="care", channel="web")
        self.assertEqual((status, body["filter"]), (200, {"team": "care", "channel": "web"}))
        self.assert_figures(body["groups"][0]["total"], [e for e in care if e["channel"] == "web"])
        # Suspect answers are kept apart the same way: the burst on b-01's web answers.
        only = self.stats(team="sales", channel="web", suspect="only")[1]["groups"][0]
        self.assert_figures(only["total"], [e for e in evs if e.get("suspect")])
        self.assertEqual(only["suspect_answers"], 1)
        # Invitations too: a-17's three through the app, one answered.
        rate = self.stats(agent="a-17", channel="app", metrics="response_rate")[1]["groups"][0]["total"]["response_rate"]
        self.assertEqual((rate["value"], rate["n"]), (33.3, 3))
        # The same figure from the rollups (one filter) and from the records (a filter and a grouping).
        kept = self.stats(agent="a-17")[1]["groups"][0]["total"]
        counted = self.stats(agent="a-17", group_by="team")[1]["groups"]
        self.assertEqual([g["total"] for g in counted], [kept])
        # A supervisor: their team by channel; an agent: their own answers through one channel.
        status, body = self.stats(token=self.li, group_by="channel")
        self.assertEqual((status, body["filter"]), (200, {"team": "care"}))
        self.assertEqual([g["value"] for g in body["groups"]], sorted({e["channel"] for e in care}))
        self.assertEqual(self.stats(token=self.li, group_by="channel", agent="b-01")[0], 403)
        status, body = self.stats(token=self.a17, channel="sms")
        self.assertEqual((status, body["filter"]), (200, {"channel": "sms", "agent": "a-17"}))
        self.assert_figures(body["groups"][0]["total"],
                            [e for e in clean if e["context"]["agent"] == "a-17" and e["channel"] == "sms"])

    def test_tickets_deadlines_and_recovery(self):
        # Each CSAT 1-2 opened a ticket (negative_evaluation); resolve one and see the counts move.
        status, _, listed = self.server.request("GET", "/api/v1/tickets?limit=500", token=self.admin)
        tickets = listed["items"]
        self.assertGreaterEqual(len(tickets), 2)
        t = tickets[0]
        status, _, changed = self.server.request("POST", "/api/v1/tickets/%s/transitions" % t["id"], token=self.admin,
                                                 body={"to": "resolved", "resolution": "called back and refunded"})
        self.assertEqual(status, 200, changed)
        status, body = self.stats(metrics="answers,tickets")
        self.assertEqual(status, 200, body)
        k = body["tickets"]
        self.assertEqual(k["opened"], len(tickets))
        self.assertEqual(sum(k["by_class"].values()), len(tickets))
        self.assertEqual(sum(k["by_state"].values()), len(tickets))
        self.assertEqual(k["by_state"]["received"], len(tickets) - 1)
        self.assertEqual(k["sla"]["resolve"]["n"], 1)
        self.assertEqual((k["sla"]["resolve"]["met"], k["sla"]["resolve"]["value"]), (1, 100.0))
        self.assertEqual(k["recovery"]["n"], len([x for x in tickets if x["detractor"]]))
        # The region's tickets: its teams', though the tickets name only teams.
        self.assertEqual(self.stats(metrics="answers,tickets", region="east")[1]["tickets"]["opened"], len(tickets))

    invitations = 0  # sent by the tests so far

    def invite(self, prefix, agent, channel, n, answered, tier="regular"):
        """n invitations for the agent through the channel, the first `answered` of them answered."""
        for i in range(n):
            st, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.admin,
                                             body={"customer": {"external_id": "%s-%d" % (prefix, i), "tier": tier},
                                                   "context": {"agent": agent, "team": "care"}, "channel": channel})
            self.assertEqual(st, 201, inv)
            type(self).invitations += 1
            if i < answered:
                st, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.integrator,
                                                headers={"User-Agent": "invited " + inv["id"]},
                                                body={"invitation": inv["id"], "answer": {"scores": {"csat": 4}}})
                self.assertEqual(st, 201, ev)

    def test_response_rate_of_the_invitations_sent(self):
        # Three invitations for a-18 by SMS, two answered: 66.7% of the invitations sent in the period.
        self.invite("r", "a-18", "sms", 3, 2, tier="VIP")
        rate = self.stats(agent="a-18", metrics="response_rate")[1]["groups"][0]["total"]["response_rate"]
        self.assertEqual((rate["value"], rate["n"]), (66.7, 3))
        self.assertEqual(rate["ci"], [round(v, 1) for v in wilson(2, 3)])
        by_channel = {g["value"]: g["total"]["response_rate"]
                      for g in self.stats(group_by="channel", metrics="response_rate")[1]["groups"]}
        self.assertEqual(by_channel["sms"]["n"], 3)
        self.assertIsNone(self.stats(agent="b-01", metrics="response_rate")[1]["groups"][0]["total"]["response_rate"]["value"])
        # Their customers are VIPs: the answers count under the tier the customer had when answering.
        vip = self.stats(tier="VIP", metrics="answers,csat")[1]["groups"][0]["total"]
        self.assertEqual((vip["answers"]["value"], vip["csat"]["value"]), (2, 100.0))
        self.assertIn("VIP", [g["value"] for g in self.stats(group_by="tier")[1]["groups"]])

    def test_rebuilt_rollups_equal_the_kept_ones(self):
        self.invite("rb", "a-17", "email", 2, 1)
        queries = [{"interval": "day"}, {"group_by": "agent"}, {"group_by": "team"}, {"group_by": "channel"},
                   {"suspect": "include", "group_by": "agent"}, {"suspect": "only"},
                   {"metrics": "response_rate", "group_by": "agent"}]
        before = [self.stats(**q)[1] for q in queries]
        out = self.server.cli("rollups", "rebuild", "--tenant", "acme").stdout
        evs = self.evaluations()
        self.assertIn("%d evaluations counted (1 of them suspect)" % len(evs), out)
        self.assertIn(", %d invitations," % self.invitations, out)
        after = [self.stats(**q)[1] for q in queries]
        self.assertEqual(after, before)
        self.assertEqual(self.server.cli("rollups", "rebuild", "--tenant", "nobody", check=False).returncode, 1)


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def month_start(today, back):
    """The first day of the month \p back months before \p today's."""
    m = today.year * 12 + today.month - 1 - back
    return datetime.date(m // 12, m % 12 + 1, 1)


def month_end(first):
    return month_start(first, -1) - datetime.timedelta(days=1)


class MonthsTest(Figures, ServerTest):
    """Answers over four past months (the server's clock moved with libfaketime): figures of periods made of
    whole months and of months cut at either end, read from the month and the day counters, equal those computed
    here from the evaluations, and again after `vocd rollups rebuild`."""
    TENANTS = {"acme": TENANT}
    SETTINGS = StatsTest.SETTINGS

    @classmethod
    def setUpClass(cls):
        assert os.path.exists(FAKETIME), "needs libfaketime (Debian: faketime), installed by scripts/setup"
        cls.server = s = Server(cls.TENANTS, cls.SETTINGS)
        clock = os.path.join(s.dir, "clock")
        with open(clock, "w") as f:
            f.write("+0\n")
        s.start(env={"LD_PRELOAD": FAKETIME, "FAKETIME_TIMESTAMP_FILE": clock, "FAKETIME_NO_CACHE": "1",
                     "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                     "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"})
        cls.admin = s.token("acme", "admin")
        integrator = s.token("acme", "integrator")
        today = datetime.datetime.now(TZ).date()
        cls.m = [month_start(today, back) for back in (5, 4, 3, 2)]
        last = month_end(cls.m[1]).day
        # (month, day, agent, scores): on first, middle and last days of months.
        given = [(0, 10, "a-17", {"csat": 5, "nps": 9, "ces": 2}), (0, 25, "a-18", {"csat": 2, "nps": 3}),
                 (1, 1, "a-17", {"csat": 4, "nps": 8}), (1, 15, "b-01", {"csat": 3, "nps": 6, "ces": 5}),
                 (1, last, "a-18", {"csat": 5, "nps": 9}), (2, 3, "a-17", {"csat": 1, "nps": 0}),
                 (2, 20, "b-01", {"csat": 5, "nps": 10}), (2, 20, "a-17", {"csat": 4, "ces": 3}),
                 (3, 5, "a-18", {"csat": 4, "nps": 7}), (3, 28, "a-17", {"csat": 2, "nps": 5})]
        for n, (month, day, agent, scores) in enumerate(given):
            at = datetime.datetime.combine(cls.m[month].replace(day=day), datetime.time(10), TZ)
            with open(clock, "w") as f:
                f.write("-%d\n" % int(datetime.datetime.now(TZ).timestamp() - at.timestamp()))
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=integrator, headers={"User-Agent": "m %d" % n},
                                  body={"customer": "m-%d" % n, "context": {"agent": agent, "team": "care"},
                                        "channel": "web", "consent": CONSENT, "answer": {"scores": scores}})
            assert st == 201, ev
        with open(clock, "w") as f:
            f.write("+0\n")

    def in_period(self, evs, first, last):
        day = lambda e: datetime.datetime.fromtimestamp(e["created_at"] / 1000, TZ).date()
        return [e for e in evs if first <= day(e) <= last]

    def periods(self):
        m = self.m
        return [(m[0].replace(day=20), m[3].replace(day=10)),  # cut at both ends
                (m[1], month_end(m[2])),  # whole months only
                (m[1].replace(day=2), month_end(m[1]) - datetime.timedelta(days=1)),  # within one month
                (m[1], month_end(m[1])),  # one whole month
                (m[0], m[3].replace(day=27))]  # whole months, then cut

    def test_periods_across_months(self):
        evs = self.evaluations()
        self.assertEqual(len(evs), 10)
        for first, last in self.periods():
            period = {"from": first.isoformat(), "to": last.isoformat()}
            status, body = self.stats(group_by="agent", **period)
            self.assertEqual(status, 200, body)
            inside = self.in_period(evs, first, last)
            for g in body["groups"]:
                self.assert_figures(g["total"], [e for e in inside if e["context"]["agent"] == g["value"]])
            self.assert_figures(self.stats(**period)[1]["groups"][0]["total"], inside)
        months = self.stats(interval="month", **{"from": self.m[0].isoformat(),
                                                 "to": month_end(self.m[3]).isoformat()})[1]["groups"][0]["buckets"]
        self.assertEqual([b["from"] for b in months], [m.isoformat() for m in self.m])
        self.assertEqual([b["figures"]["answers"]["value"] for b in months], [2, 3, 3, 2])  # on their days
        for b, first in zip(months, self.m):
            self.assert_figures(b["figures"], self.in_period(evs, first, month_end(first)))

    def test_rebuilt_months_equal_the_kept_ones(self):
        queries = [dict(group_by="agent", **{"from": a.isoformat(), "to": b.isoformat()}) for a, b in self.periods()]
        queries.append({"interval": "month", "from": self.m[0].isoformat(), "to": month_end(self.m[3]).isoformat()})
        before = [self.stats(**q)[1] for q in queries]
        self.assertIn("10 evaluations counted", self.server.cli("rollups", "rebuild", "--tenant", "acme").stdout)
        self.assertEqual([self.stats(**q)[1] for q in queries], before)
