"""Authenticity end to end: a burst of near-identical five-star answers from one address is stored in full and
flagged with its reasons, the review queue lists the flagged answers, an auditor confirms one and clears another
with a note (never changing them), other roles cannot decide, and lists can leave suspect answers out."""
import urllib.parse

from vocdtest import ServerTest, demo_tenant

CONSENT = {"notice_version": "2026-11", "time": 1795000000000, "channel": "app"}
BROWSER = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"}
PRAISE = ["服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！",
          "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评！！",
          "服务非常好 客服态度热情 问题很快就解决了 非常满意 五星好评",
          "服务非常好，客服态度热情，问题很快就解决啦，非常满意，五星好评！",
          "服务很好，客服态度热情，问题很快就解决了，非常满意，五星好评！",
          "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评~",
          "服务非常好，客服态度热情，问题很快就解决了，非常满意，五星好评。"]


class AuthenticityTest(ServerTest):
    TENANTS = {
        "acme": 'name = "Acme"\npeople = { ["a-17"] = { name = "王芳", team = "care" } }\n'
                'authenticity = { burst_minutes = 10, burst_per_ip = 3, burst_per_device = 4 }\n',
        # The same burst from an address the tenant trusts (its own integration server) is not a burst.
        "trusting": 'name = "Trusting"\nauthenticity = { trusted_addresses = { "127.0.0.1" }, duplicate_distance = 0 }\n',
        # The demo survey: 2 metrics, 4 dimensions, tags and an open question, 5 s each to read.
        "pages": demo_tenant() + '\nauthenticity = { seconds_per_question = 5 }\n',
        "history": 'name = "History"\nauthenticity = { burst_per_ip = 0, burst_per_device = 0, duplicate_distance = 0,'
                   ' history_min_answers = 3, history_gap = 0.5 }\n',
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.integrator = s.token("acme", "integrator")
        cls.auditor = s.token("acme", "auditor")
        cls.supervisor = s.token("acme", "supervisor")
        cls.agent = s.cli("token", "create", "--tenant", "acme", "--role", "agent", "--person", "a-17").stdout.strip()
        # The burst: seven near-identical five-star answers for one agent, one address, one browser.
        cls.ids = []
        for i, text in enumerate(PRAISE):
            status, _, body = s.request("POST", "/api/v1/evaluations", token=cls.integrator, headers=BROWSER,
                                        body={"customer": "c-%d" % i, "context": {"agent": "a-17", "team": "care"},
                                              "consent": CONSENT, "answer": {"scores": {"csat": 5}, "text": text}})
            assert status == 201, body
            cls.ids.append(body["id"])

    def get(self, eid, token=None):
        status, _, ev = self.server.request("GET", "/api/v1/evaluations/" + eid, token=token or self.supervisor)
        self.assertEqual(status, 200, ev)
        return ev

    def listed(self, query, token=None):
        status, _, body = self.server.request("GET", "/api/v1/evaluations?limit=500" + query, token=token or self.supervisor)
        self.assertEqual(status, 200, body)
        return [e["id"] for e in body["items"]]

    def queue(self, state="open", token=None):
        status, _, body = self.server.request("GET", "/api/v1/review-queue?state=" + state, token=token or self.auditor)
        self.assertEqual(status, 200, body)
        return body["items"]

    def decide(self, eid, body, token=None):
        return self.server.request("POST", "/api/v1/review-queue/" + eid, token=token or self.auditor, body=body)

    def codes(self, ev):
        return [s["code"] for s in ev["signals"]]

    def test_1_burst_is_stored_and_flagged_with_reasons(self):
        self.assertEqual(len(set(self.ids)), 7)
        self.assertEqual(set(self.listed("")) & set(self.ids), set(self.ids))  # nothing lost
        first = self.get(self.ids[0])
        self.assertIs(first["suspect"], False)
        self.assertEqual(first["signals"], [])
        self.assertNotIn("review", first)
        for n, eid in enumerate(self.ids[1:], start=2):
            ev = self.get(eid)
            self.assertIs(ev["suspect"], True, ev)
            self.assertEqual(ev["scores"], {"csat": 5})  # kept as given
            self.assertIn("near_duplicate", self.codes(ev))
            for s in ev["signals"]:
                self.assertTrue(s["reason"], s)
            if n > 3:
                burst = [s for s in ev["signals"] if s["code"] == "ip_burst"]
                self.assertEqual(len(burst), 1, ev["signals"])
                self.assertIn("%d answers from address 127.0.0.1 within 10 minutes (limit 3)" % n, burst[0]["reason"])
            else:
                self.assertNotIn("ip_burst", self.codes(ev))
            self.assertEqual(n > 4, "device_burst" in self.codes(ev), ev["signals"])
            self.assertIsNone(ev["review"])

    def test_2_review_queue_confirm_and_clear(self):
        open_ids = [e["id"] for e in self.queue()]
        self.assertEqual(open_ids, self.ids[1:])
        self.assertTrue(all(e["signals"] and e["review"] is None for e in self.queue()))
        self.assertEqual([e["id"] for e in self.queue(token=self.supervisor)], self.ids[1:])
        # Paged like other lists.
        status, _, page = self.server.request("GET", "/api/v1/review-queue?limit=2", token=self.auditor)
        self.assertEqual(([e["id"] for e in page["items"]], page["next_after"]), (self.ids[1:3], self.ids[2]))
        status, _, page = self.server.request("GET", "/api/v1/review-queue?limit=2&after=" + self.ids[2], token=self.auditor)
        self.assertEqual([e["id"] for e in page["items"]], self.ids[3:5])
        # Agents neither read the queue nor decide.
        status, _, _ = self.server.request("GET", "/api/v1/review-queue", token=self.agent)
        self.assertEqual(status, 403)
        status, _, _ = self.decide(self.ids[1], {"decision": "confirm", "note": "mine"}, token=self.agent)
        self.assertEqual(status, 403)
        status, _, _ = self.decide(self.ids[1], {"decision": "confirm", "note": "x"}, token=self.supervisor)
        self.assertEqual(status, 403)
        # Bad decisions and unknown or unflagged answers.
        for body in ({"decision": "delete", "note": "x"}, {"decision": "confirm"}, {"decision": "clear", "note": ""}):
            status, _, err = self.decide(self.ids[1], body)
            self.assertEqual(status, 422, (body, err))
        status, _, err = self.decide(self.ids[1], {"decision": "confirm", "note": "x", "score": 1})
        self.assertEqual(status, 400, err)
        status, _, err = self.decide("9999999999999999", {"decision": "confirm", "note": "x"})
        self.assertEqual(status, 404, err)
        status, _, err = self.decide(self.ids[0], {"decision": "confirm", "note": "x"})
        self.assertEqual(status, 404, err)
        self.assertIn("not flagged", err["error"]["message"])

        before = self.get(self.ids[1])
        status, _, review = self.decide(self.ids[1], {"decision": "confirm", "note": "同一台手机连续刷好评"})
        self.assertEqual(status, 201, review)
        self.assertEqual((review["decision"], review["note"]), ("confirmed", "同一台手机连续刷好评"))
        status, _, err = self.decide(self.ids[1], {"decision": "clear", "note": "changed my mind"})
        self.assertEqual(status, 409, err)
        status, _, review = self.decide(self.ids[2], {"decision": "clear", "note": "family members, called them back"})
        self.assertEqual(status, 201, review)

        # The evaluations are as they were; the decision is shown beside them.
        after = self.get(self.ids[1])
        self.assertEqual(after["review"]["decision"], "confirmed")
        for key in ("scores", "text", "signals", "suspect", "created_at", "source"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual(self.get(self.ids[2])["review"]["note"], "family members, called them back")
        self.assertEqual([e["id"] for e in self.queue()], self.ids[3:])
        confirmed = self.queue("confirmed")
        self.assertEqual([e["id"] for e in confirmed], [self.ids[1]])
        self.assertEqual(confirmed[0]["review"]["note"], "同一台手机连续刷好评")
        self.assertEqual([e["id"] for e in self.queue("cleared")], [self.ids[2]])
        status, _, _ = self.server.request("GET", "/api/v1/review-queue?state=maybe", token=self.auditor)
        self.assertEqual(status, 400)
        # Audited.
        status, _, audit = self.server.request("GET", "/api/v1/audit?limit=1000", token=self.auditor)
        self.assertEqual(status, 200, audit)
        actions = [(e["action"], e["record"]["id"]) for e in audit["entries"] if e["record"]["type"] == "review"]
        self.assertIn(("review.confirm", self.ids[1]), actions)
        self.assertIn(("review.clear", self.ids[2]), actions)

    def test_3_with_and_without_suspect_answers(self):
        everything = self.listed("")
        without = self.listed("&suspect=exclude")
        only = self.listed("&suspect=only")
        self.assertIn(self.ids[0], without)
        self.assertEqual(sorted(without + only), sorted(everything))
        # Cleared (ids[2]) counts as clean again; confirmed (ids[1]) and undecided ones stay out.
        self.assertIn(self.ids[2], without)
        for eid in [self.ids[1]] + self.ids[3:]:
            self.assertNotIn(eid, without)
            self.assertIn(eid, only)
        status, _, _ = self.server.request("GET", "/api/v1/evaluations?suspect=maybe", token=self.supervisor)
        self.assertEqual(status, 400)

    def test_trusted_address_is_not_a_burst(self):
        token = self.server.token("trusting", "integrator")
        for i in range(6):
            status, _, body = self.server.request("POST", "/api/v1/evaluations", token=token,
                                                  body={"context": {"agent": "b-1"}, "answer": {"scores": {"csat": 5}}})
            self.assertEqual(status, 201, body)
        status, _, ev = self.server.request("GET", "/api/v1/evaluations/" + body["id"], token=token)
        self.assertEqual(ev["signals"], [])
        self.assertIs(ev["suspect"], False)

    def test_rating_unlike_the_customers_history(self):
        token = self.server.token("history", "integrator")
        ids = []
        for csat in (1, 2, 1, 5):
            status, _, body = self.server.request("POST", "/api/v1/evaluations", token=token,
                                                  body={"customer": "h-1", "consent": CONSENT,
                                                        "answer": {"scores": {"csat": csat}}})
            self.assertEqual(status, 201, body)
            ids.append(body["id"])
        evs = [self.server.request("GET", "/api/v1/evaluations/" + i, token=token)[2] for i in ids]
        self.assertEqual([e["suspect"] for e in evs], [False, False, False, True])
        self.assertEqual(self.codes(evs[3]), ["unlike_history"])
        self.assertIn("CSAT 5, while this customer's 3 earlier answers average 1.3", evs[3]["signals"][0]["reason"])

    def test_survey_page_answered_too_fast(self):
        token = self.server.token("pages", "integrator")
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=token,
                                             body={"customer": {"external_id": "p-1"}, "context": {"agent": "a-17"},
                                                   "channel": "sms"})
        self.assertEqual(status, 201, inv)
        path = urllib.parse.urlparse(inv["url"]).path
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        self.assertEqual(self.server.request("GET", path)[0], 200)
        for fields in ({"step": "consent", "agree": "yes"}, {"step": "answer", "csat": "5", "nps": "10"}):
            status, _, page = self.server.request("POST", path, body=urllib.parse.urlencode(fields), headers=form)
            self.assertEqual(status, 200, page)
        status, _, inv = self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=token)
        ev = self.server.request("GET", "/api/v1/evaluations/" + inv["evaluation"], token=token)[2]
        self.assertIs(ev["suspect"], True, ev)
        self.assertEqual(self.codes(ev), ["too_fast"])
        self.assertIn("its 8 questions take at least 40 s to read (5 s each)", ev["signals"][0]["reason"])
        # A correction is a new version with signals of its own; the first stays in the queue as it was.
        status, _, page = self.server.request("POST", path, body="step=correct&csat=4&nps=8", headers=form)
        self.assertEqual(status, 200, page[-400:])
        status, _, inv = self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=token)
        self.assertNotEqual(inv["evaluation"], ev["id"])
        auditor = self.server.token("pages", "auditor")
        queued = self.queue(token=auditor)
        self.assertEqual([e["id"] for e in queued], [ev["id"], inv["evaluation"]])
        self.assertEqual(queued[0]["scores"], {"csat": 5, "nps": 10})
        self.assertEqual(queued[1]["previous"], ev["id"])
        status, _, review = self.decide(ev["id"], {"decision": "clear", "note": "corrected by the customer"}, token=auditor)
        self.assertEqual(status, 201, review)
        self.assertEqual(review["role"], "auditor")
