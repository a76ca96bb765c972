"""Incentives end to end, with the shipped policies in a real server: a month of answers and tickets gives
each agent the points the policy files say (nothing for a suspect answer until an auditor clears it, a
deduction only for a complaint the ticket confirmed, a bonus for a ticket resolved in time, a compliment by
name); an agent sees their own entries and why, a supervisor their team's, and reverses one with a note; the
leaderboard matches a Wilson lower bound computed here; customers are thanked the same whatever score they
gave, a referral rewards the referrer, and the coupon reaches the customer by SMS. Then the quarterly award,
over answers given in the previous quarter (the server's clock moved back with libfaketime), matches the
figures computed here and is recorded once. Last, policies that try to reward a score or grant what the
core forbids."""
import datetime
import json
import math
import os
import time
import unittest

from fakeserver import FakeServer
from vocdtest import FIXTURES, SOURCE, Server, ServerTest

SMS = FakeServer()
CONSENT = {"notice_version": "2026-01", "time": 1767225600000, "channel": "app"}
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

ORGANISATION = """
organisation = { ["region:east"] = { ["store:s-1"] = { "team:care", "team:sales" } } }
"""
PEOPLE = """
people = {
  zhou = { name = "周敏", access = "admin" },
  li = { name = "李强", roles = { "supervisor" }, manages = { "team:care" }, access = "supervisor", scope = "team:care" },
  sun = { name = "孙丽", manages = { "team:sales" }, access = "supervisor", scope = "team:sales" },
  ["a-17"] = { name = "王芳", team = "care", manager = "li", access = "agent" },
  ["a-18"] = { name = "赵磊", team = "care", manager = "li", access = "agent" },
  ["b-01"] = { name = "Chen Wei", team = "sales", manager = "sun", access = "agent" },
}
"""
# Bursts by device only (each answer below has a browser of its own, but for the burst that is meant),
# no near-duplicate check, no incentive-period spike: the figures stay what this test says.
AUTHENTICITY = """
authenticity = { burst_per_ip = 0, burst_per_device = 3, duplicate_distance = 0, incentive = false }
calendar = { utc_offset = "+08:00", hours = { weekdays = { "00:00-24:00" }, saturday = { "00:00-24:00" },
                                               sunday = { "00:00-24:00" } } }
"""
PLUGINS = """
plugins = {
  ["channels/sms"] = { gateway_url = "http://127.0.0.1:%d/sms", secret = "sms-secret", notice_version = "v1" },
  ["workflows/negative_evaluation"] = true,
  ["incentives/service_points"] = { csat_at_least = 4, points_good = 2, points_compliment = 5 },
  ["incentives/confirmed_complaint"] = { points = 3 },
  ["incentives/sla_bonus"] = { points = 3, attribute_to = "assignee" },
  ["incentives/monthly_leaderboard"] = { min_answers = 3 },
  ["incentives/voice_of_customer_award"] = { winners = 2, min_answers = 5, points = 500 },
  ["incentives/customer_thanks"] = { participation_points = 10, detail_min_chars = 30,
                                     detail_coupon = { value = 5 }, referral_coupon = { value = 20 } },
}
""" % SMS.port
TENANT = 'name = "Acme"\n' + ORGANISATION + PEOPLE + AUTHENTICITY + PLUGINS


def wait_for(fn, seconds=20):
    """fn()'s value once truthy, else its last value after \\p seconds."""
    deadline = time.time() + seconds
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.1)


def wilson_lower(good, n, z=1.96):
    if n == 0:
        return 0.0
    p = good / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z * z / n))


def beijing_month(offset_days=0):
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=offset_days)
    return "%04d-%02d" % (now.year, now.month)


class Ledger:
    """Reads the points API as one token."""

    def __init__(self, server, token):
        self.server, self.token = server, token

    def entries(self, query=""):
        status, _, body = self.server.request("GET", "/api/v1/points?limit=500" + query, token=self.token)
        assert status == 200, body
        return body["items"]

    def balances(self):
        status, _, body = self.server.request("GET", "/api/v1/points/balances?month=" + beijing_month(), token=self.token)
        assert status == 200, body
        return {r["person"]: r for r in body["items"]}


class IncentivesTest(ServerTest):
    TENANTS = {"acme": TENANT}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.auditor = s.token("acme", "auditor")
        cls.integrator = s.token("acme", "integrator")
        cls.li = s.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "li").stdout.strip()
        cls.sun = s.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "sun").stdout.strip()
        cls.a17 = s.cli("token", "create", "--tenant", "acme", "--role", "agent", "--person", "a-17").stdout.strip()
        cls.answers = []  # (evaluation, agent, csat) as given
        cls.browser = 0
        # The month: a-17 serves nineteen customers (one unhappy, one who thanks her by name), a-18 three
        # lucky ones, b-01 in sales five. Every answer from a browser of its own.
        for i, csat in enumerate([5] * 15 + [4, 4, 2]):
            cls.answer("care-%d" % i, "a-17", "care", csat)
        cls.answer("care-thanks", "a-17", "care", 5, text="非常感谢王芳，耐心又专业，问题一次就解决了。")
        for i in range(3):
            cls.answer("lucky-%d" % i, "a-18", "care", 5)
        for i, csat in enumerate([5, 4, 3, 5, 5]):
            cls.answer("sales-%d" % i, "b-01", "sales", csat)
        # A burst from one phone: four five-star answers for a-18; the fourth is flagged suspect.
        cls.burst = [cls.answer("burst-%d" % i, "a-18", "care", 5, browser="one phone") for i in range(4)]

    @classmethod
    def answer(cls, customer, agent, team, csat, text=None, browser=None):
        cls.browser += 1
        body = {"customer": customer, "context": {"agent": agent, "team": team}, "consent": CONSENT,
                "answer": {"scores": {"csat": csat}}}
        if text:
            body["answer"]["text"] = text
        ua = "Mozilla/5.0 (device %s)" % (browser or cls.browser)
        status, _, ev = cls.server.request("POST", "/api/v1/evaluations", token=cls.integrator, body=body,
                                           headers={"User-Agent": ua})
        assert status == 201, ev
        cls.answers.append((ev["id"], agent, csat))
        return ev["id"]

    def evaluation(self, eid):
        return self.server.request("GET", "/api/v1/evaluations/" + eid, token=self.admin)[2]

    def suspect_ids(self):
        return {eid for eid, _, _ in self.answers if self.evaluation(eid).get("suspect")}

    def expected_points(self, cleared=()):
        """What the policy files say, computed here from the answers as given."""
        suspect = self.suspect_ids() - set(cleared)
        points = {"a-17": 0, "a-18": 0, "b-01": 0}
        for eid, agent, csat in self.answers:
            if csat >= 4 and eid not in suspect:
                points[agent] += 2
        points["a-17"] += 5  # thanked by name
        return points

    def test_1_a_month_gives_the_points_the_policies_say(self):
        ledger = Ledger(self.server, self.admin)
        suspect = self.suspect_ids()
        self.assertEqual(suspect, {self.burst[3]}, "the fourth answer of the burst, and only it, is suspect")
        expected = self.expected_points()
        got = wait_for(lambda: (b := {p: r["balance"] for p, r in ledger.balances().items() if p in expected})
                       == expected and b)
        self.assertEqual({p: r["balance"] for p, r in ledger.balances().items() if p in expected}, expected)
        # Nothing for the suspect answer, and no deduction for the bad score (no confirmed complaint yet).
        self.assertEqual([e for e in ledger.entries() if e.get("evaluation") == self.burst[3]], [])
        self.assertTrue(all(e["points"] > 0 for e in ledger.entries("&policy=incentives/service_points")))
        # The compliment: to the person named, with its reason in both languages.
        compliment = [e for e in ledger.entries() if e["key"].startswith("compliment:")]
        self.assertEqual([(e["person"], e["points"]) for e in compliment], [("a-17", 5)])
        self.assertIn("zh-CN", compliment[0]["reason"])
        self.assertIn("en", compliment[0]["reason"])
        self.assertEqual(compliment[0]["policy"], "incentives/service_points")
        self.assertEqual(compliment[0]["policy_version"], "1.1.0")

        # An auditor clears the suspect answer: its points come now, once.
        status, _, _ = self.server.request("POST", "/api/v1/review-queue/" + self.burst[3], token=self.auditor,
                                           body={"decision": "clear", "note": "a family's phone, four real visits"})
        self.assertEqual(status, 201)
        expected = self.expected_points(cleared={self.burst[3]})
        wait_for(lambda: ledger.balances()["a-18"]["balance"] == expected["a-18"])
        self.assertEqual(ledger.balances()["a-18"]["balance"], expected["a-18"])
        made = [e for e in ledger.entries("&policy=incentives/service_points") if e.get("evaluation") == self.burst[3]]
        self.assertEqual([(e["points"], e["held_until_cleared"]) for e in made], [(2, self.burst[3])])

    def test_2_a_confirmed_complaint_costs_points_and_a_timely_resolution_earns_them(self):
        ledger = Ledger(self.server, self.admin)
        unhappy = [eid for eid, agent, csat in self.answers if csat == 2][0]
        tickets = wait_for(lambda: [t for t in self.server.request("GET", "/api/v1/tickets?limit=500",
                                                                   token=self.admin)[2]["items"]
                                    if t.get("evaluation") == unhappy])
        self.assertEqual(len(tickets), 1)
        ticket = tickets[0]
        before = {p: r["balance"] for p, r in ledger.balances().items()}
        # "confirmed" only when resolving, and only true or false.
        for body in ({"to": "acknowledged", "confirmed": True},
                     {"to": "resolved", "resolution": "refunded", "confirmed": "yes"}):
            status, _, err = self.server.request("POST", "/api/v1/tickets/%s/transitions" % ticket["id"],
                                                 token=self.admin, body=body)
            self.assertEqual(status, 422, err)
        status, _, t = self.server.request("POST", "/api/v1/tickets/%s/transitions" % ticket["id"], token=self.admin,
                                           body={"to": "resolved", "resolution": "refunded the double charge",
                                                 "confirmed": True})
        self.assertEqual(status, 200, t)
        self.assertIs(t["confirmed"], True)
        assignee = t["assignee"]
        expected = dict(before)
        expected["a-17"] -= 3          # the agent who served, for the complaint the ticket confirmed
        expected[assignee] += 3        # whoever resolved it within its deadline
        wait_for(lambda: {p: r["balance"] for p, r in ledger.balances().items()} == expected)
        self.assertEqual({p: r["balance"] for p, r in ledger.balances().items()}, expected)
        deduction = [e for e in ledger.entries() if e.get("ticket") == ticket["id"] and e["points"] < 0]
        self.assertEqual([(e["person"], e["points"], e["policy"]) for e in deduction],
                         [("a-17", -3, "incentives/confirmed_complaint")])

    def test_3_each_sees_their_own_and_a_supervisor_reverses_with_a_note(self):
        mine = Ledger(self.server, self.a17).entries()
        self.assertTrue(mine)
        self.assertEqual({e["person"] for e in mine}, {"a-17"})
        self.assertTrue(all(e["reason"] and e["policy"] for e in mine))
        team = {e["person"] for e in Ledger(self.server, self.li).entries()}
        self.assertEqual(team, {"a-17", "a-18"})
        self.assertEqual({e["person"] for e in Ledger(self.server, self.sun).entries()}, {"b-01"})
        self.assertEqual(set(Ledger(self.server, self.a17).balances()), {"a-17"})
        # No customer's reward among them: those are for who sees the whole tenant.
        self.assertTrue(all("customer" not in e for e in Ledger(self.server, self.li).entries()))

        compliment = [e for e in mine if e["key"].startswith("compliment:")][0]
        path = "/api/v1/points/%s/reverse" % compliment["id"]
        # Out of scope: 404 for sales' supervisor; an agent may not; a note is required.
        self.assertEqual(self.server.request("POST", path, token=self.sun, body={"note": "x"})[0], 404)
        self.assertEqual(self.server.request("POST", path, token=self.a17, body={"note": "x"})[0], 403)
        self.assertEqual(self.server.request("POST", path, token=self.li, body={})[0], 422)
        before = Ledger(self.server, self.li).balances()["a-17"]["balance"]
        note = "顾客表扬的是另一位同事 / the customer meant a colleague"
        status, _, rev = self.server.request("POST", path, token=self.li, body={"note": note})
        self.assertEqual(status, 201, rev)
        self.assertEqual((rev["person"], rev["points"], rev["reverses"], rev["note"]), ("a-17", -5, compliment["id"], note))
        self.assertEqual(rev["by"]["person"], "li")
        self.assertEqual(self.server.request("POST", path, token=self.li, body={"note": "again"})[0], 409)
        self.assertEqual(Ledger(self.server, self.li).balances()["a-17"]["balance"], before - 5)
        # The agent sees the reversal and its reason; the entry itself is unchanged, marked reversed.
        status, _, e = self.server.request("GET", "/api/v1/points/" + compliment["id"], token=self.a17)
        self.assertEqual((status, e["points"], e["reversed_by"]), (200, 5, rev["id"]))
        self.assertIn(note, [x.get("note") for x in Ledger(self.server, self.a17).entries()])
        # And the audit chain holds the reversal.
        status, _, audit = self.server.request("GET", "/api/v1/audit?limit=1000", token=self.admin)
        self.assertIn("points.reverse", [a["action"] for a in audit["entries"]])
        self.assertTrue(self.server.request("GET", "/api/v1/audit/verify", token=self.admin)[2]["ok"])

    def test_4_the_leaderboard_ranks_by_a_lower_bound_not_a_raw_average(self):
        status, _, board = self.server.request("GET", "/api/v1/points/leaderboard?month=" + beijing_month(),
                                               token=self.li)
        self.assertEqual(status, 200, board)
        self.assertEqual(board["policy"], "incentives/monthly_leaderboard")
        self.assertEqual({r["person"] for r in board["rows"]}, {"a-17", "a-18"})  # li's team only
        # Computed here: CSAT 4-5 out of CSAT answers, suspect answers not cleared left out (none left).
        counts = {}
        for eid, agent, csat in self.answers:
            good, n = counts.get(agent, (0, 0))
            counts[agent] = (good + (csat >= 4), n + 1)
        care = sorted(("a-17", "a-18"), key=lambda p: -wilson_lower(*counts[p]))
        self.assertEqual([r["person"] for r in board["rows"]], care)
        for r in board["rows"]:
            self.assertAlmostEqual(r["score"], wilson_lower(*counts[r["person"]]), places=3)
            self.assertEqual((r["csat_good"], r["csat_answers"]), counts[r["person"]])
        # Seven of seven five-star answers do not beat eighteen of nineteen good ones.
        self.assertEqual(counts["a-18"], (7, 7))
        self.assertEqual(counts["a-17"], (18, 19))
        self.assertEqual(board["rows"][0]["person"], "a-17")
        self.assertEqual([r["rank"] for r in board["rows"]], [1, 2])
        # A month is asked for as such.
        self.assertEqual(self.server.request("GET", "/api/v1/points/leaderboard?month=2026-13", token=self.li)[0], 400)
        self.assertEqual(self.server.request("GET", "/api/v1/points/leaderboard", token=self.li)[0], 400)

    def test_5_customers_are_thanked_the_same_whatever_score_they_gave(self):
        ledger = Ledger(self.server, self.admin)
        text = "门店环境整洁，店员讲解清楚，排队时间大约十分钟，希望周末多开一个收银台。"
        low = self.answer("same-1", "b-01", "sales", 1, text=text)
        high = self.answer("same-5", "b-01", "sales", 5, text=text)

        def rewards(eid):
            return sorted((e["points"], (e.get("coupon") or {}).get("value"), e["key"].split(":")[0])
                          for e in ledger.entries("&policy=incentives/customer_thanks") if e.get("evaluation") == eid)

        wait_for(lambda: len(rewards(low)) == 2 and len(rewards(high)) == 2)
        self.assertEqual(rewards(low), [(0, 5, "detail"), (10, None, "answer")])
        self.assertEqual(rewards(low), rewards(high))
        # A short answer gets the thanks for taking part only; padding is not detail.
        short = self.answer("short", "b-01", "sales", 3, text="好" * 60)
        wait_for(lambda: rewards(short))
        self.assertEqual(rewards(short), [(10, None, "answer")])

    def test_6_a_referral_rewards_the_referrer_and_the_coupon_goes_by_sms(self):
        ledger = Ledger(self.server, self.admin)
        SMS.received.clear()
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.admin, body={
            "customer": {"external_id": "c-new", "phone": "13812345678", "referred_by": "c-old"},
            "context": {"team": "sales", "agent": "b-01"}, "channel": "sms"})
        self.assertEqual(status, 201, inv)
        status, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.integrator,
                                            headers={"User-Agent": "referral"},
                                            body={"invitation": inv["id"], "consent": CONSENT,
                                                  "answer": {"scores": {"csat": 3}}})
        self.assertEqual(status, 201, ev)
        referral = wait_for(lambda: [e for e in ledger.entries("&customer=c-old")])
        self.assertEqual([(e["key"], e["coupon"]["value"], e["coupon"]["currency"]) for e in referral],
                         [("referral:c-new", 20, "CNY")])
        self.assertRegex(referral[0]["coupon"]["code"], r"^[A-HJKMNP-Z2-9]{10}$")
        # The new customer is thanked by SMS on the number they gave.
        thanks = wait_for(lambda: [r["msg"] for r in SMS.received if "积分" in json.dumps(r["msg"], ensure_ascii=False)])
        self.assertEqual(len(thanks), 1, SMS.received)
        self.assertEqual(thanks[0]["to"], "+8613812345678")
        self.assertIn("10", thanks[0]["text"])
        # Referring yourself is ignored; a bad referrer id is refused.
        status, _, err = self.server.request("POST", "/api/v1/invitations", token=self.admin, body={
            "customer": {"external_id": "c-2", "referred_by": "13812345678@x"}, "channel": "web"})
        self.assertEqual(status, 422, err)

    def test_7_incentive_policies_are_not_called_from_outside(self):
        status, _, err = self.server.request("POST", "/api/v1/plugins/customer_thanks/call/answer", token=self.admin,
                                             body={"evaluation": self.answers[0][0], "customer": "care-0"})
        self.assertEqual(status, 403, err)
        # The award needs the quarter to be over.
        now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
        quarter = "%d-Q%d" % (now.year, (now.month - 1) // 3 + 1)
        status, _, err = self.server.request("POST", "/api/v1/points/awards", token=self.admin, body={"quarter": quarter})
        self.assertEqual(status, 409, err)
        self.assertEqual(self.server.request("POST", "/api/v1/points/awards", token=self.li,
                                             body={"quarter": quarter})[0], 403)


def previous_quarter():
    """The previous quarter's name, and how many seconds back its middle is from now."""
    tz = datetime.timezone(datetime.timedelta(hours=8))
    now = datetime.datetime.now(tz)
    start = datetime.datetime(now.year, (now.month - 1) // 3 * 3 + 1, 1, tzinfo=tz)
    middle = start - datetime.timedelta(days=45)
    return "%d-Q%d" % (middle.year, (middle.month - 1) // 3 + 1), int((now - middle).total_seconds())


class QuarterlyAwardTest(unittest.TestCase):
    """Answers given last quarter (the server's clock set back), the award run once the quarter is over."""

    def test_the_award_matches_the_quarter_figures_and_is_recorded_once(self):
        self.assertTrue(os.path.exists(FAKETIME), "needs libfaketime (Debian: faketime), installed by scripts/setup")
        quarter, back = previous_quarter()
        server = Server({"acme": TENANT}, 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins"))
        try:
            env = {"LD_PRELOAD": FAKETIME, "FAKETIME": "-%d" % back, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                   "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
            server.start(env=env)
            integrator = server.token("acme", "integrator")
            # b-01: 6 of 6; a-17: 19 of 20; a-18: 28 of 32; zhou is nobody's agent. At least 5 answers count.
            given = {"b-01": [5] * 6, "a-17": [5] * 19 + [3], "a-18": [5] * 28 + [2] * 4}
            n = 0
            for agent, scores in given.items():
                for csat in scores:
                    n += 1
                    status, _, ev = server.request("POST", "/api/v1/evaluations", token=integrator,
                                                   headers={"User-Agent": "award %d" % n},
                                                   body={"customer": "q-%d" % n, "context": {"agent": agent},
                                                         "consent": CONSENT, "answer": {"scores": {"csat": csat}}})
                    self.assertEqual(status, 201, ev)
            server.stop()
            server.start()  # the real clock: the quarter is over
            admin = server.token("acme", "admin")
            status, _, award = server.request("POST", "/api/v1/points/awards", token=admin, body={"quarter": quarter})
            self.assertEqual(status, 201, award)
            ranked = sorted(given, key=lambda p: -wilson_lower(sum(s >= 4 for s in given[p]), len(given[p])))
            self.assertEqual([w["person"] for w in award["winners"]], ranked[:2])
            self.assertEqual(ranked[:2], ["a-17", "a-18"])  # 6 of 6 is not enough to beat either
            for w in award["winners"]:
                self.assertEqual((w["points"], w["award"], w["policy"]),
                                 (500, quarter, "incentives/voice_of_customer_award"))
                self.assertIn(quarter, json.dumps(w["reason"], ensure_ascii=False))
            status, _, again = server.request("POST", "/api/v1/points/awards", token=admin, body={"quarter": quarter})
            self.assertEqual(status, 200, again)
            self.assertEqual([w["id"] for w in again["winners"]], [w["id"] for w in award["winners"]])
            balances = {r["person"]: r["balance"] for r in
                        server.request("GET", "/api/v1/points/balances", token=admin)[2]["items"]}
            # The quarter's service points (2 for each CSAT 4-5) and the award.
            self.assertEqual(balances["a-17"], 19 * 2 + 500)
            self.assertEqual(balances["a-18"], 28 * 2 + 500)
            self.assertEqual(balances["b-01"], 6 * 2)
        finally:
            server.cleanup()


class InducementTest(ServerTest):
    """Fixture policies that try what the core forbids."""
    TENANTS = {"acme": 'name = "Acme"\npeople = { ["a-17"] = { name = "王芳" } }\n'
                       'authenticity = { burst_per_ip = 0, burst_per_device = 1, duplicate_distance = 0 }\n'
                       'plugins = { ["incentives/peek_score"] = true, ["incentives/grabby"] = true }\n'}

    def post(self, customer, csat, ua):
        status, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.server.token("acme", "integrator"),
                                            headers={"User-Agent": ua},
                                            body={"customer": customer, "context": {"agent": "a-17"},
                                                  "consent": CONSENT, "answer": {"scores": {"csat": csat}}})
        self.assertEqual(status, 201, ev)
        return ev["id"]

    def test_a_reward_policy_that_reads_the_score_fails_and_grants_nothing(self):
        admin = self.server.token("acme", "admin")
        eid = self.post("c-1", 5, "one")
        plugins = wait_for(lambda: [p for p in self.server.request("GET", "/api/v1/admin/plugins", token=admin)[2]["plugins"]
                                    if p["name"] == "peek_score" and p.get("last_error")])
        self.assertTrue(plugins, "the policy's failure is reported")
        err = plugins[0]["last_error"]
        self.assertIn("customer reward policies are not given scores or text (no inducement)", err["message"])
        self.assertEqual(err["line"], 5)
        entries = self.server.request("GET", "/api/v1/points?policy=incentives/peek_score", token=admin)[2]["items"]
        self.assertEqual(entries, [])
        self.assertTrue(eid)

    def test_the_core_refuses_suspect_points_bad_score_deductions_and_staff_rewards(self):
        self.post("c-2", 1, "same")
        suspect = self.post("c-3", 5, "same")  # a second answer from one device: suspect
        log = wait_for(lambda: "told %s" % suspect in self.server.read_log() and self.server.read_log())
        line = [l for l in log.splitlines() if "told %s" % suspect in l][0]
        self.assertIn("plus=suspect", line)
        self.assertIn("minus=not confirmed", line)  # a bad score alone costs nothing, suspect or not
        self.assertIn("only customer policies may call it", line)
        first = [l for l in log.splitlines() if "told " in l and "plus=" in l and "told %s" % suspect not in l][0]
        self.assertIn("plus=granted", first)
        self.assertIn("minus=not confirmed", first)
        # The point asked for the suspect answer was held by the core: made when an auditor clears it.
        admin = self.server.token("acme", "admin")

        def plus_for_suspect():
            return [e for e in self.server.request("GET", "/api/v1/points?policy=incentives/grabby",
                                                   token=admin)[2]["items"] if e.get("evaluation") == suspect]

        self.assertEqual(plus_for_suspect(), [])
        status, _, _ = self.server.request("POST", "/api/v1/review-queue/" + suspect,
                                           token=self.server.token("acme", "auditor"),
                                           body={"decision": "clear", "note": "two visits, one phone"})
        self.assertEqual(status, 201)
        made = wait_for(plus_for_suspect)
        self.assertEqual([(e["points"], e["key"], e["held_until_cleared"]) for e in made],
                         [(1, "plus:" + suspect, suspect)])

    def test_a_customer_policy_that_hooks_events_does_not_load(self):
        tenant_file = os.path.join(self.server.dir, "conf", "tenants", "other.lua")
        with open(tenant_file, "w") as f:
            f.write('name = "Other"\nplugins = { ["incentives/hooks_answers"] = true }\n')
        try:
            p = self.server.cli("check", check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("a customer reward policy may not hook events", p.stdout + p.stderr)
        finally:
            os.remove(tenant_file)


if __name__ == "__main__":
    unittest.main()
