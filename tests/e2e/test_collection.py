"""Collection end to end: an invitation, the survey page with its consent step, the answer stored once,
personal data encrypted at rest and masked in output, no deletion, and the audit chain verified."""
import glob
import os
import urllib.parse

from vocdtest import Server, ServerTest, demo_tenant

DEMO = demo_tenant()

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class CollectionTest(ServerTest):
    TENANTS = {"acme": DEMO, "globex": 'name = "<b>Globex</b>"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")
        cls.globex = cls.server.token("globex", "integrator")

    def invite(self, external_id, token=None, **customer):
        customer = dict({"external_id": external_id}, **customer)
        status, _, body = self.server.request("POST", "/api/v1/invitations", token=token or self.token,
                                              body={"customer": customer, "context": {"agent": "a-17", "type": "repair"},
                                                    "channel": "sms"})
        self.assertEqual(status, 201, body)
        return body, urllib.parse.urlparse(body["url"]).path

    def post(self, path, fields, headers=None):
        return self.server.request("POST", path, body=urllib.parse.urlencode(fields, doseq=True),
                                   headers=dict(FORM, **(headers or {})))

    def evaluations(self, token=None):
        return self.server.request("GET", "/api/v1/evaluations?limit=500", token=token or self.token)[2]["items"]

    def test_invite_consent_answer_once(self):
        inv, path = self.invite("c-100", tier="vip", name="张三丰", phone="138 1234 5678", email="Zhang@Example.com")
        self.assertEqual(len(inv["id"]), 16)
        # Opening the link shows the privacy notice first, and records nothing but "opened".
        status, headers, page = self.server.request("GET", path)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn("为改进服务", page)
        self.assertIn('name="agree" value="yes"', page)
        self.assertNotIn('name="csat"', page)
        self.assertEqual(self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=self.token)[2]["state"],
                         "opened")
        # Consent, then the questions.
        status, _, page = self.post(path, {"step": "consent", "agree": "yes", "lang": "zh-CN"})
        self.assertEqual(status, 200)
        self.assertIn('name="csat"', page)
        self.assertIn("响应速度", page)
        # A one-click rating link only pre-selects; a GET still stores nothing.
        status, _, page = self.server.request("GET", path + "?score=5")
        self.assertIn('value="5" checked', page)
        before = len(self.evaluations())
        # A bad answer is refused with the field named, and nothing is stored.
        status, _, page = self.post(path, {"step": "answer", "csat": "9"})
        self.assertEqual(status, 422)
        self.assertIn("scores.csat: expected a whole number from 1 to 5, got 9", page)
        self.assertEqual(len(self.evaluations()), before)
        # The answer.
        status, _, page = self.post(path, {"step": "answer", "lang": "en", "csat": "4", "nps": "9", "dim_speed": "5",
                                           "tag": ["fast", "friendly"], "text": "师傅很热情"})
        self.assertEqual(status, 200)
        self.assertIn("Thank you", page)
        # Only once.
        status, _, page = self.post(path, {"step": "answer", "csat": "1"})
        self.assertEqual(status, 409)
        self.assertEqual(self.server.request("GET", path)[0], 409)

        ev = [e for e in self.evaluations() if e.get("invitation") == inv["id"]]
        self.assertEqual(len(ev), 1)
        ev = ev[0]
        self.assertEqual(ev["scores"], {"csat": 4, "nps": 9})
        self.assertEqual(ev["dimensions"], {"speed": 5})
        self.assertEqual(ev["tags"], ["fast", "friendly"])
        self.assertEqual(ev["text"], "师傅很热情")
        self.assertEqual(ev["channel"], "sms")
        self.assertTrue(ev["consent"])
        self.assertEqual(ev["source"]["ip"], "127.0.0.1")
        self.assertIn("seconds_to_submit", ev["source"])
        # Read back with personal data masked.
        status, _, one = self.server.request("GET", "/api/v1/evaluations/" + ev["id"], token=self.token)
        self.assertEqual(one["customer"], {"external_id": "c-100", "tier": "vip", "name": "张**",
                                           "phone": "138****5678", "email": "z****@example.com"})
        # Never deleted.
        status, _, body = self.server.request("DELETE", "/api/v1/evaluations/" + ev["id"], token=self.token)
        self.assertEqual(status, 405)
        self.assertIn("never deleted", body["error"]["message"])
        self.assertEqual(self.server.request("GET", "/api/v1/evaluations/" + ev["id"], token=self.token)[0], 200)

    def test_declining_consent_keeps_nothing(self):
        inv, path = self.invite("c-101", phone="13900001111")
        self.server.request("GET", path)
        status, _, page = self.post(path, {"step": "consent", "agree": "no"})
        self.assertIn("不会保存您的评价", page)
        # Without consent the questions are not accepted.
        status, _, page = self.post(path, {"step": "answer", "csat": "5"})
        self.assertEqual(status, 400)
        self.assertIn('name="agree"', page)
        self.assertFalse([e for e in self.evaluations() if e.get("invitation") == inv["id"]])

    def test_long_text_and_odd_scores_from_the_form(self):
        inv, path = self.invite("c-106")
        self.post(path, {"step": "consent", "agree": "yes"})
        self.post(path, {"step": "consent", "agree": "yes"})  # twice: one consent
        status, _, page = self.post(path, {"step": "answer", "csat": "abc"})
        self.assertEqual(status, 422)
        self.assertIn("scores.csat: expected a whole number from 1 to 5, got text", page)
        too_long = "很" * 2001
        status, _, page = self.post(path, {"step": "answer", "csat": "3", "text": too_long})
        self.assertEqual(status, 422)
        self.assertIn("text: at most 2000 characters, got 2001", page)
        text = "服务" * 1000  # 2000 characters, 6000 bytes: kept whole
        status, _, page = self.post(path, {"step": "answer", "csat": "3", "text": text})
        self.assertEqual(status, 200, page[-500:])
        ev = [e for e in self.evaluations() if e.get("invitation") == inv["id"]][0]
        self.assertEqual(ev["text"], text)
        consents = {e.get("consent") for e in self.evaluations() if e.get("invitation") == inv["id"]}
        self.assertEqual(len(consents), 1)

    def test_withdrawing_consent_erases_personal_data_and_keeps_scores(self):
        inv, path = self.invite("c-108", name="李四", phone="13500001111", email="li@example.com")
        self.post(path, {"step": "consent", "agree": "yes"})
        status, _, page = self.post(path, {"step": "answer", "csat": "2"})
        self.assertIn('name="step" value="withdraw"', page)
        # Still offered when the link is opened again after answering.
        status, _, page = self.server.request("GET", path)
        self.assertEqual(status, 409)
        self.assertIn('value="withdraw"', page)
        status, _, page = self.post(path, {"step": "withdraw"})
        self.assertEqual(status, 200)
        self.assertIn("已撤回同意", page)
        status, _, c = self.server.request("GET", "/api/v1/customers/c-108", token=self.token)
        self.assertEqual(c, {"external_id": "c-108", "consent_withdrawn": True})
        ev = [e for e in self.evaluations() if e.get("invitation") == inv["id"]][0]
        self.assertEqual(ev["scores"], {"csat": 2})
        # Over the API too, for a withdrawal received elsewhere.
        self.invite("c-109", phone="13500002222")
        supervisor = self.server.token("acme", "supervisor")
        status, _, body = self.server.request("POST", "/api/v1/customers/c-109/withdraw-consent", token=supervisor)
        self.assertEqual(status, 200, body)
        self.assertNotIn("phone", self.server.request("GET", "/api/v1/customers/c-109", token=self.token)[2])
        self.assertEqual(self.server.request("POST", "/api/v1/customers/nobody/withdraw-consent",
                                             token=supervisor)[0], 404)
        self.assertEqual(self.server.request("POST", "/api/v1/customers/c-109/withdraw-consent",
                                             token=self.token)[0], 403)

    def test_a_customer_corrects_their_answer_as_a_new_version(self):
        inv, path = self.invite("c-110")
        self.post(path, {"step": "consent", "agree": "yes"})
        status, _, page = self.post(path, {"step": "answer", "csat": "1", "text": "太慢"})
        self.assertIn('value="edit"', page)
        # Reopening the link: answered, and a correction is offered.
        status, _, page = self.server.request("GET", path)
        self.assertEqual(status, 409)
        self.assertIn('value="edit"', page)
        status, _, page = self.post(path, {"step": "edit"})
        self.assertEqual(status, 200)
        self.assertIn('name="step" value="correct"', page)
        status, _, page = self.post(path, {"step": "correct", "csat": "4", "text": "后来解决了"})
        self.assertEqual(status, 200, page[-400:])
        # Both versions are kept; the list shows the current one; the first is marked superseded.
        current = [e for e in self.evaluations() if e.get("invitation") == inv["id"]]
        self.assertEqual(len(current), 1)
        self.assertEqual((current[0]["version"], current[0]["scores"]), (2, {"csat": 4}))
        everything = self.server.request("GET", "/api/v1/evaluations?limit=500&versions=all", token=self.token)[2]
        both = sorted((e["version"], e["scores"]["csat"]) for e in everything["items"] if e.get("invitation") == inv["id"])
        self.assertEqual(both, [(1, 1), (2, 4)])
        first = current[0]["previous"]
        status, _, one = self.server.request("GET", "/api/v1/evaluations/" + first, token=self.token)
        self.assertEqual((one["scores"], one["text"], one["superseded_by"]), ({"csat": 1}, "太慢", current[0]["id"]))
        status, _, two = self.server.request("GET", "/api/v1/evaluations/" + current[0]["id"], token=self.token)
        self.assertEqual(two["earlier_versions"], [first])
        # A plain second answer is still refused.
        self.assertEqual(self.post(path, {"step": "answer", "csat": "5"})[0], 409)

    def test_a_withdrawn_consent_is_not_used_again(self):
        inv, path = self.invite("c-111", phone="13600003333")
        self.post(path, {"step": "consent", "agree": "yes"})
        supervisor = self.server.token("acme", "supervisor")
        self.assertEqual(self.server.request("POST", "/api/v1/customers/c-111/withdraw-consent",
                                             token=supervisor)[0], 200)
        self.invite("c-111", phone="13600003333")  # the organisation sends their phone again
        status, _, page = self.post(path, {"step": "answer", "csat": "5"})
        self.assertEqual(status, 400)
        self.assertIn('name="agree"', page)  # asked for consent again
        self.assertFalse([e for e in self.evaluations() if e.get("invitation") == inv["id"]])
        self.post(path, {"step": "consent", "agree": "yes"})
        self.assertEqual(self.post(path, {"step": "answer", "csat": "5"})[0], 200)

    def test_head_does_not_open(self):
        inv, path = self.invite("c-107")
        self.assertEqual(self.server.request("HEAD", path)[0], 200)
        self.assertEqual(self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=self.token)[2]["state"],
                         "sent")

    def test_language_follows_the_browser_or_the_switch(self):
        _, path = self.invite("c-102")
        status, _, page = self.server.request("GET", path, headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.assertIn('<html lang="en">', page)
        self.assertIn("Before we start", page)
        status, _, page = self.server.request("GET", path + "?lang=zh-CN", headers={"Accept-Language": "en"})
        self.assertIn('<html lang="zh-CN">', page)

    def test_forged_altered_and_other_tenant_links(self):
        inv, path = self.invite("c-103")
        token = path[len("/s/"):]
        tenant, iid, exp, mac = token.split(".")
        for bad in (".".join([tenant, iid, str(int(exp) + 86400), mac]),
                    ".".join([tenant, iid[:-1] + ("0" if iid[-1] != "0" else "1"), exp, mac]),
                    ".".join(["globex", iid, exp, mac]),
                    ".".join([tenant, iid, exp, mac[:-2] + "AA"]),
                    "nonsense", "acme.1.2.3"):
            status, headers, page = self.server.request("GET", "/s/" + bad)
            self.assertEqual(status, 404, bad)
            self.assertIn("not valid" if "lang=\"en\"" in page else "链接无效", page)
            status, _, _ = self.post("/s/" + bad, {"step": "answer", "csat": "5"})
            self.assertEqual(status, 404, bad)

    def test_tenant_text_is_escaped(self):
        inv, path = self.invite("g-1", token=self.globex)
        status, _, page = self.server.request("GET", path)
        self.assertIn("&lt;b&gt;Globex&lt;/b&gt;", page)
        self.assertNotIn("<b>Globex", page)

    def test_server_to_server_answers(self):
        # A customer with personal data on record needs a consent record.
        inv, _ = self.invite("c-104", phone="13700002222")
        body = {"invitation": inv["id"], "answer": {"scores": {"csat": 2}, "text": "太慢了"}}
        status, _, answer = self.server.request("POST", "/api/v1/evaluations", token=self.token, body=body)
        self.assertEqual(status, 422)
        self.assertIn("consent", answer["error"]["message"])
        body["consent"] = {"notice_version": "2026-11", "time": 1795000000000, "channel": "phone"}
        status, _, answer = self.server.request("POST", "/api/v1/evaluations", token=self.token, body=body)
        self.assertEqual(status, 201, answer)
        status, _, again = self.server.request("POST", "/api/v1/evaluations", token=self.token, body=body)
        self.assertEqual(status, 409)
        # Without an invitation or personal data, an answer needs no consent.
        status, _, answer = self.server.request("POST", "/api/v1/evaluations", token=self.token,
                                                body={"context": {"agent": "a-9"}, "channel": "kiosk",
                                                      "answer": {"scores": {"csat": 5}}})
        self.assertEqual(status, 201, answer)
        for bad, want in (({"answer": {"scores": {"csat": 0}}}, "answer.scores.csat"),
                          ({"answer": {"scores": {"csat": 5}, "mood": "x"}}, "answer.mood"),
                          ({}, "answer"),
                          ({"answer": {"scores": {"csat": 5}}, "invitation": "ffffffffffffffff"}, "invitation"),
                          ({"answer": {"scores": {"csat": 5}}, "colour": 1}, "colour")):
            status, _, answer = self.server.request("POST", "/api/v1/evaluations", token=self.token, body=bad)
            self.assertIn(status, (400, 404, 422), bad)
            self.assertIn(want, answer["error"]["message"] + answer["error"]["code"], bad)
        # Another tenant cannot answer acme's invitation.
        status, _, _ = self.server.request("POST", "/api/v1/evaluations", token=self.globex,
                                           body={"invitation": inv["id"], "answer": {"scores": {"csat": 5}}})
        self.assertEqual(status, 404)

    def test_replies_and_hiding_leave_the_evaluation_as_it_was(self):
        status, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.token,
                                            body={"context": {"agent": "a-3"}, "answer": {"scores": {"csat": 1},
                                                                                         "text": "骂人的话"}})
        self.assertEqual(status, 201)
        eid = ev["id"]
        supervisor = self.server.token("acme", "supervisor")
        agent = self.server.token("acme", "agent")
        before = self.server.request("GET", "/api/v1/evaluations/" + eid, token=self.token)[2]
        status, _, reply = self.server.request("POST", "/api/v1/evaluations/%s/replies" % eid, token=supervisor,
                                               body={"text": "非常抱歉，我们已安排回访。<script>"})
        self.assertEqual(status, 201, reply)
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/replies" % eid, token=agent,
                                             body={"text": "x"})[0], 403)
        # Hiding: only for a reason from the closed list, never for being negative.
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/hide" % eid, token=supervisor,
                                              body={"reason": "negative"})
        self.assertEqual(status, 422)
        self.assertIn("never hidden for being negative", body["error"]["message"])
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/hide" % eid, token=agent,
                                             body={"reason": "harassment"})[0], 403)
        # A negative evaluation is hidden only once a second person approves.
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/hide" % eid, token=supervisor,
                                              body={"reason": "harassment", "note": "insults staff"})
        self.assertEqual(status, 202, body)
        self.assertFalse(body["hidden"])
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/hide" % eid, token=supervisor,
                                             body={"reason": "harassment"})[0], 409)
        self.assertNotIn("hidden", self.server.request("GET", "/api/v1/evaluations/" + eid, token=self.token)[2])
        decide = "/api/v1/evaluations/%s/hide/decide" % eid
        self.assertEqual(self.server.request("POST", decide, token=supervisor, body={"decision": "approve"})[0], 403)
        auditor = self.server.token("acme", "auditor")
        self.assertEqual(self.server.request("POST", decide, token=auditor, body={"decision": "maybe"})[0], 422)
        status, _, body = self.server.request("POST", decide, token=auditor,
                                              body={"decision": "approve", "note": "checked: insults"})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["hidden"])
        self.assertEqual(self.server.request("POST", decide, token=auditor, body={"decision": "approve"})[0], 409)
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/hide" % eid, token=supervisor,
                                             body={"reason": "harassment"})[0], 409)
        after = self.server.request("GET", "/api/v1/evaluations/" + eid, token=self.token)[2]
        self.assertEqual(after["hidden"]["reason"], "harassment")
        self.assertEqual(after["hidden"]["by"]["role"], "supervisor")
        self.assertEqual(after["hidden"]["approved_by"]["role"], "auditor")
        self.assertIn("骚扰", after["hidden"]["placeholder"]["zh-CN"])
        self.assertIn("harassment", after["hidden"]["placeholder"]["en"])
        self.assertEqual([r["text"] for r in after["replies"]], ["非常抱歉，我们已安排回访。<script>"])
        for key in ("scores", "text", "created_at", "context"):
            self.assertEqual(after[key], before[key])
        self.assertIn(eid, [e["id"] for e in self.evaluations()])
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/ffffffffffffffff/hide", token=supervisor,
                                             body={"reason": "harassment"})[0], 404)

    def test_hiding_a_positive_evaluation_needs_no_second_person_and_a_rejected_request_hides_nothing(self):
        supervisor, auditor = self.server.token("acme", "supervisor"), self.server.token("acme", "auditor")
        ids = []
        for csat in (5, 2):
            status, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.token,
                                                body={"context": {"agent": "a-3"}, "answer": {"scores": {"csat": csat}}})
            self.assertEqual(status, 201, ev)
            ids.append(ev["id"])
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/hide" % ids[0], token=auditor,
                                              body={"reason": "third_party_personal_data"})
        self.assertEqual((status, body["hidden"]), (200, True))
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/hide" % ids[1], token=supervisor,
                                             body={"reason": "illegal_content"})[0], 202)
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/hide/decide" % ids[1], token=auditor,
                                              body={"decision": "reject", "note": "nothing illegal in it"})
        self.assertEqual((status, body["hidden"]), (200, False))
        after = self.server.request("GET", "/api/v1/evaluations/" + ids[1], token=self.token)[2]
        self.assertNotIn("hidden", after)
        self.assertEqual(after["hide_request"]["state"], "rejected")
        # Asked again, it awaits a decision again.
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations/%s/hide" % ids[1], token=supervisor,
                                             body={"reason": "illegal_content"})[0], 202)

    def test_bad_invitations_are_refused_with_the_field(self):
        for body, want in (({}, "customer"),
                           ({"customer": {}}, "customer.external_id"),
                           ({"customer": {"external_id": "c 1"}}, "customer.external_id"),
                           ({"customer": {"external_id": "c1", "phone": "12"}}, "customer.phone"),
                           ({"customer": {"external_id": "c1", "email": "no-at"}}, "customer.email"),
                           ({"customer": {"external_id": "c1"}, "context": {"colour": "x"}}, "context.colour"),
                           ({"customer": {"external_id": "c1"}, "lang": "fr"}, "lang"),
                           # ids are kept in clear: a phone or an email is not one
                           ({"customer": {"external_id": "13812345678"}}, "not a phone number or email"),
                           ({"customer": {"external_id": "zhang.wei@example.com"}}, "customer.external_id")):
            status, _, answer = self.server.request("POST", "/api/v1/invitations", token=self.token, body=body)
            self.assertIn(status, (400, 422), body)
            self.assertIn(want, answer["error"]["message"], body)

    def test_audit_chain_verifies(self):
        for i in range(3):
            self.invite("c-105-%d" % i)
        auditor = self.server.token("acme", "auditor")
        status, _, report = self.server.request("GET", "/api/v1/audit/verify", token=auditor)
        self.assertEqual(status, 200)
        self.assertTrue(report["ok"], report)
        self.assertGreater(report["entries"], 0)
        status, _, listing = self.server.request("GET", "/api/v1/audit?limit=5", token=auditor)
        self.assertEqual(status, 200)
        self.assertEqual(len(listing["entries"]), 5)
        self.assertEqual(self.server.request("GET", "/api/v1/audit/verify", token=self.token)[0], 403)
        p = self.server.cli("audit", "verify")
        self.assertIn("acme: ok", p.stdout)


class PersonalDataAtRestTest(ServerTest):
    TENANTS = {"acme": DEMO}

    def test_no_phone_or_email_in_the_database_file(self):
        token = self.server.token("acme", "integrator")
        people = [("1380013%04d" % i, "person%d@example.com" % i) for i in range(50)]
        for i, (phone, email) in enumerate(people):
            status, _, body = self.server.request("POST", "/api/v1/invitations", token=token,
                                                  body={"customer": {"external_id": "p-%d" % i, "phone": phone,
                                                                     "email": email, "name": "王小明"}})
            self.assertEqual(status, 201, body)
        self.assertEqual(self.server.stop(), 0)
        data = b""
        for name in glob.glob(os.path.join(self.server.data, "*.mdb")):
            with open(name, "rb") as f:
                data += f.read()
        self.assertGreater(len(data), 0)
        for phone, email in people:
            for secret in (phone, "86" + phone, email):
                self.assertNotIn(secret.encode(), data)
        self.assertNotIn("王小明".encode(), data)
        self.assertIn(b"p-7", data)  # the search itself works: customer ids are in clear
        self.server.start()


class ListingAndThrottlingTest(ServerTest):
    TENANTS = {"acme": DEMO.replace("min_days_between = 0,", "min_days_between = 30, correction_hours = 0,")}

    def test_evaluations_are_filtered(self):
        token = self.server.token("acme", "integrator")
        rows = [("a-1", "north", 5, 10, ["fast"], "很好"), ("a-1", "south", 2, 3, ["slow"], ""),
                ("a-2", "north", 4, 8, [], "ok"), ("a-2", "south", 1, 0, ["slow", "unsolved"], "太慢")]
        for agent, team, csat, nps, tags, text in rows:
            answer = {"scores": {"csat": csat, "nps": nps}, "tags": tags}
            if text:
                answer["text"] = text
            status, _, body = self.server.request("POST", "/api/v1/evaluations", token=token,
                                                  body={"context": {"agent": agent, "team": team}, "channel": "kiosk",
                                                        "answer": answer})
            self.assertEqual(status, 201, body)

        def agents(query):
            status, _, body = self.server.request("GET", "/api/v1/evaluations?" + query, token=token)
            self.assertEqual(status, 200, body)
            return [(e["context"]["agent"], e["context"]["team"]) for e in body["items"]]

        self.assertEqual(agents("agent=a-1"), [("a-1", "north"), ("a-1", "south")])
        self.assertEqual(agents("team=south&csat_max=2"), [("a-1", "south"), ("a-2", "south")])
        self.assertEqual(agents("csat_min=4&nps_min=9"), [("a-1", "north")])
        self.assertEqual(agents("tag=slow"), [("a-1", "south"), ("a-2", "south")])
        self.assertEqual(agents("has_text=false"), [("a-1", "south")])
        self.assertEqual(agents("channel=web"), [])
        self.assertEqual(len(agents("from=0&to=99999999999999")), 4)
        self.assertEqual(agents("to=0"), [])
        # Pages of filtered results.
        status, _, page = self.server.request("GET", "/api/v1/evaluations?team=south&limit=1", token=token)
        self.assertEqual(len(page["items"]), 1)
        status, _, rest = self.server.request("GET", "/api/v1/evaluations?team=south&limit=1&after=" +
                                              page["next_after"], token=token)
        self.assertEqual([e["context"]["agent"] for e in rest["items"]], ["a-2"])
        for bad in ("csat_min=x", "from=yesterday", "has_text=maybe", "limit=0"):
            self.assertEqual(self.server.request("GET", "/api/v1/evaluations?" + bad, token=token)[0], 400, bad)

    def test_no_corrections_when_the_tenant_allows_none(self):
        token = self.server.token("acme", "integrator")
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=token,
                                             body={"customer": {"external_id": "n-1"}})
        path = urllib.parse.urlparse(inv["url"]).path
        self.server.request("POST", path, body="step=consent&agree=yes", headers=FORM)
        status, _, page = self.server.request("POST", path, body="step=answer&csat=2", headers=FORM)
        self.assertEqual(status, 200)
        self.assertNotIn('value="edit"', page)
        self.assertIn('value="withdraw"', page)
        status, _, page = self.server.request("POST", path, body="step=correct&csat=5", headers=FORM)
        self.assertEqual(status, 409)

    def test_one_invitation_per_customer_in_the_period(self):
        token = self.server.token("acme", "integrator")
        body = {"customer": {"external_id": "t-1", "phone": "13600001111"}, "channel": "sms"}
        self.assertEqual(self.server.request("POST", "/api/v1/invitations", token=token, body=body)[0], 201)
        body["channel"] = "email"  # across channels
        status, _, answer = self.server.request("POST", "/api/v1/invitations", token=token, body=body)
        self.assertEqual(status, 429)
        self.assertEqual(answer["error"]["code"], "too_many_invitations")
        self.assertIn("30 days", answer["error"]["message"])
        body["customer"]["external_id"] = "t-2"
        self.assertEqual(self.server.request("POST", "/api/v1/invitations", token=token, body=body)[0], 201)
