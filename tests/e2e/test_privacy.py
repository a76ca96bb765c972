"""Privacy rights end to end: consent records, withdrawal and erasure that destroy the customer's key and keep
the scores, unmasked reads and exports with their reason in the access log, who may do what, and retention."""
import json
import time
import unittest
import urllib.parse

from vocdtest import Server, ServerTest, demo_tenant

DEMO = demo_tenant()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class PrivacyTest(ServerTest):
    TENANTS = {"acme": DEMO, "globex": 'name = "Globex"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.integrator = s.token("acme", "integrator")
        cls.admin = s.token("acme", "admin")
        cls.auditor = s.token("acme", "auditor")
        cls.supervisor = s.token("acme", "supervisor")
        cls.agent = s.token("acme", "agent")
        cls.globex = s.token("globex", "auditor")

    def get(self, path, token):
        return self.server.request("GET", path, token=token)

    def answered_customer(self, cid, csat, **personal):
        """A customer invited with personal data, who consents on the survey page and answers."""
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.integrator,
                                             body={"customer": dict({"external_id": cid}, **personal),
                                                   "context": {"agent": "a-1"}, "channel": "sms"})
        self.assertEqual(status, 201, inv)
        path = urllib.parse.urlparse(inv["url"]).path
        form = lambda f: self.server.request("POST", path, body=urllib.parse.urlencode(f), headers=FORM)
        self.assertEqual(form({"step": "consent", "agree": "yes"})[0], 200)
        self.assertEqual(form({"step": "answer", "csat": str(csat), "text": "ok"})[0], 200)
        return inv, path, form

    def scores_of(self, invitation):
        items = self.get("/api/v1/evaluations?limit=500", self.admin)[2]["items"]
        return [e["scores"] for e in items if e.get("invitation") == invitation["id"]]

    def access_log(self, token=None):
        status, _, body = self.get("/api/v1/privacy/access-log?limit=500", token or self.auditor)
        self.assertEqual(status, 200, body)
        return body["items"]

    def test_consents_and_withdrawal_keep_the_scores_only(self):
        inv, path, form = self.answered_customer("p-1", 2, name="王五", phone="13811112222", email="wang@example.com")
        status, _, consents = self.get("/api/v1/customers/p-1/consents", self.supervisor)
        self.assertEqual(status, 200, consents)
        self.assertEqual(len(consents["items"]), 1)
        given = consents["items"][0]
        self.assertEqual((given["customer"], given["purpose"], given["channel"], given["invitation"]),
                         ("p-1", "service_evaluation", "sms", inv["id"]))
        self.assertTrue(given["notice_version"])
        self.assertGreater(given["time"], 0)
        # In clear before, for an admin.
        status, _, c = self.get("/api/v1/customers/p-1?unmasked=1", self.admin)
        self.assertEqual(status, 200, c)
        self.assertEqual((c["name"], c["phone"], c["email"]), ("王五", "+8613811112222", "wang@example.com"))
        # Withdrawn through the survey link.
        self.assertEqual(form({"step": "withdraw"})[0], 200)
        status, _, masked = self.get("/api/v1/customers/p-1", self.admin)
        self.assertEqual(masked, {"external_id": "p-1", "consent_withdrawn": True})
        status, _, c = self.get("/api/v1/customers/p-1?unmasked=1&reason=check+withdrawal", self.auditor)
        self.assertEqual(status, 200, c)
        for field in ("name", "phone", "email"):
            self.assertNotIn(field, c)
        self.assertIn("consent_withdrawn_at", c)
        # The export holds no personal data either; the sealed values are gone with the key.
        export = json.loads(self.server.cli("privacy", "export", "--tenant", "acme", "--customer", "p-1",
                                            "--reason", "verify withdrawal").stdout)
        self.assertNotIn("phone", export["customer"])
        self.assertNotIn("13811112222", json.dumps(export, ensure_ascii=False))
        self.assertNotIn("王五", json.dumps(export, ensure_ascii=False))
        # Scores stay, for statistics; the withdrawal is a consent record of its own.
        self.assertEqual(self.scores_of(inv), [{"csat": 2}])
        self.assertEqual([e["scores"] for e in export["evaluations"]], [{"csat": 2}])
        actions = [c.get("action", "give") for c in self.get("/api/v1/customers/p-1/consents", self.auditor)[2]["items"]]
        self.assertEqual(actions, ["give", "withdraw"])
        # The withdrawal is audited (the blind indexes going with it are unit-tested in test_privacy.c).
        audit = self.get("/api/v1/audit?limit=1000", self.auditor)[2]["entries"]
        self.assertIn("customer.withdraw", [e["action"] for e in audit if e["record"]["id"] == "p-1"])

    def test_export_by_cli_and_api_is_access_logged(self):
        inv, _, _ = self.answered_customer("p-2", 5, name="Alice Smith", phone="+44 20 7946 0958")
        status, _, body = self.server.request("POST", "/api/v1/evaluations/%s/replies" % self.scores_and_id(inv),
                                              token=self.admin, body={"text": "谢谢"})
        self.assertIn(status, (200, 201), body)
        status, _, complaint = self.server.request("POST", "/api/v1/complaints", token=self.integrator,
                                                   body={"customer": {"external_id": "p-2"}, "category": "delivery",
                                                         "summary": "late", "text": "两周没到",
                                                         "channel": "phone"})
        self.assertEqual(status, 201, complaint)
        p = self.server.cli("privacy", "export", "--tenant", "acme", "--customer", "p-2", "--reason", "art. 45 request 17")
        export = json.loads(p.stdout)
        self.assertEqual(export["tenant"], "acme")
        self.assertEqual((export["customer"]["name"], export["customer"]["phone"]), ("Alice Smith", "+442079460958"))
        self.assertEqual([i["id"] for i in export["invitations"]], [inv["id"]])
        self.assertEqual(len(export["consents"]), 1)
        self.assertEqual([e["scores"] for e in export["evaluations"]], [{"csat": 5}])
        self.assertEqual([r["text"] for r in export["replies"]], ["谢谢"])
        self.assertEqual([t["id"] for t in export["tickets"]], [complaint["id"]])
        # The API's, for an auditor: a reason is required.
        status, _, body = self.get("/api/v1/customers/p-2/export", self.auditor)
        self.assertEqual(status, 422, body)
        self.assertIn("reason", body["error"]["message"])
        status, _, api_export = self.get("/api/v1/customers/p-2/export?reason=request+18", self.auditor)
        self.assertEqual(status, 200, api_export)
        self.assertEqual(api_export["customer"]["name"], "Alice Smith")
        self.assertEqual(api_export["evaluations"], export["evaluations"])
        self.assertEqual(self.get("/api/v1/customers/nobody/export?reason=x", self.auditor)[0], 404)
        # Both exports are in the access log with who, why and how much; the CLI's by the operator.
        mine = [e for e in self.access_log() if e["what"]["customer"] == "p-2"]
        self.assertEqual([(e["action"], e["why"]) for e in mine],
                         [("export", "art. 45 request 17"), ("export", "request 18")])
        self.assertEqual(mine[0]["who"]["kind"], "user")
        self.assertEqual(mine[0]["route"], "cli privacy export")
        self.assertEqual((mine[1]["who"]["kind"], mine[1]["who"]["role"]), ("token", "auditor"))
        self.assertEqual(mine[1]["route"], "GET /api/v1/customers/p-2/export")
        self.assertEqual(mine[1]["how_much"]["fields"], 2)
        self.assertGreaterEqual(mine[1]["how_much"]["records"], 5)  # customer, consent, invitation, evaluation, reply
        # The CLI reads the same log.
        text = self.server.cli("privacy", "access-log", "--tenant", "acme").stdout
        self.assertIn("request 18", text)
        # And each entry is in the audit chain, which still verifies.
        audit = self.get("/api/v1/audit?limit=1000", self.auditor)[2]["entries"]
        self.assertEqual(len([e for e in audit if e["action"] == "privacy.export"]), len(
            [e for e in self.access_log() if e["action"] == "export"]))
        self.assertTrue(self.get("/api/v1/audit/verify", self.auditor)[2]["ok"])

    def scores_and_id(self, inv):
        items = self.get("/api/v1/evaluations?limit=500", self.admin)[2]["items"]
        return [e["id"] for e in items if e.get("invitation") == inv["id"]][0]

    def test_unmasked_reads_need_a_role_and_a_reason_and_are_logged(self):
        self.answered_customer("p-3", 4, name="赵六", email="zhao@example.com")
        # Masked reads are not logged.
        before = len(self.access_log())
        self.assertEqual(self.get("/api/v1/customers/p-3", self.agent)[2]["name"], "赵*")
        self.assertEqual(len(self.access_log()), before)
        # Supervisors and auditors say why; without a reason, 422 and nothing logged.
        status, _, body = self.get("/api/v1/customers/p-3?unmasked=1", self.supervisor)
        self.assertEqual(status, 422, body)
        self.assertEqual(len(self.access_log()), before)
        status, _, c = self.get("/api/v1/customers/p-3?unmasked=1&reason=" + urllib.parse.quote("回访核实"),
                                self.supervisor)
        self.assertEqual(status, 200, c)
        self.assertEqual((c["name"], c["email"]), ("赵六", "zhao@example.com"))
        entry = self.access_log()[-1]
        self.assertEqual((entry["action"], entry["why"], entry["what"]["customer"]), ("read", "回访核实", "p-3"))
        self.assertEqual(sorted(entry["what"]["fields"]), ["email", "name"])
        self.assertEqual(entry["how_much"], {"records": 1, "fields": 2})
        self.assertEqual(entry["who"]["role"], "supervisor")
        self.assertEqual(entry["route"], "GET /api/v1/customers/p-3")
        self.assertTrue(entry["who"]["id"])
        self.assertGreater(entry["time"], 0)
        # Agents and integrators get nothing unmasked, no export, no erasure, no access log.
        for token in (self.agent, self.integrator):
            self.assertEqual(self.get("/api/v1/customers/p-3?unmasked=1&reason=x", token)[0], 403)
            self.assertEqual(self.get("/api/v1/customers/p-3/export?reason=x", token)[0], 403)
            self.assertEqual(self.server.request("POST", "/api/v1/customers/p-3/erase", token=token,
                                                 body={"reason": "x"})[0], 403)
            self.assertEqual(self.get("/api/v1/privacy/access-log", token)[0], 403)
        self.assertEqual(self.get("/api/v1/privacy/access-log", self.supervisor)[0], 403)
        self.assertEqual(len(self.access_log()), before + 1)
        # Another tenant sees neither the customer nor the log entries.
        self.assertEqual(self.get("/api/v1/customers/p-3?unmasked=1&reason=x", self.globex)[0], 404)
        self.assertEqual(self.get("/api/v1/privacy/access-log", self.globex)[2]["items"], [])

    def test_erasure_by_api_and_cli_is_idempotent(self):
        inv, _, _ = self.answered_customer("p-4", 3, name="钱七", phone="13922223333")
        self.assertEqual(self.server.request("POST", "/api/v1/customers/p-4/erase", token=self.admin, body={})[0], 422)
        status, _, body = self.server.request("POST", "/api/v1/customers/p-4/erase", token=self.auditor,
                                              body={"reason": "customer asked by phone, case 881"})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["erased"], body["already_erased"]), (True, False))
        self.assertEqual(self.get("/api/v1/customers/p-4", self.admin)[2], {"external_id": "p-4", "erased": True})
        c = self.get("/api/v1/customers/p-4?unmasked=1", self.admin)[2]
        self.assertNotIn("phone", c)
        self.assertEqual(c["erase_reason"], "customer asked by phone, case 881")
        self.assertEqual(self.scores_of(inv), [{"csat": 3}])
        # Again: nothing left to erase.
        status, _, body = self.server.request("POST", "/api/v1/customers/p-4/erase", token=self.admin,
                                              body={"reason": "again"})
        self.assertEqual(body["already_erased"], True)
        p = self.server.cli("privacy", "erase", "--tenant", "acme", "--customer", "p-4", "--reason", "again")
        self.assertIn("already erased", p.stdout)
        # The CLI erases too, and needs a reason.
        self.answered_customer("p-5", 4, phone="13933334444")
        p = self.server.cli("privacy", "erase", "--tenant", "acme", "--customer", "p-5", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--reason", p.stderr)
        p = self.server.cli("privacy", "erase", "--tenant", "acme", "--customer", "p-5", "--reason", "request 19")
        self.assertIn("personal data erased", p.stdout)
        self.assertNotIn("phone", self.get("/api/v1/customers/p-5?unmasked=1", self.admin)[2])
        self.assertEqual(self.server.cli("privacy", "erase", "--tenant", "acme", "--customer", "nobody",
                                         "--reason", "x", check=False).returncode, 1)
        audit = self.get("/api/v1/audit?limit=1000", self.auditor)[2]["entries"]
        erasures = [e for e in audit if e["action"] == "customer.erase"]
        self.assertEqual(sorted(e["record"]["id"] for e in erasures), ["p-4", "p-5"])
        self.assertEqual(self.server.request("POST", "/api/v1/customers/nobody/erase", token=self.admin,
                                             body={"reason": "x"})[0], 404)


class RetentionTest(ServerTest):
    TENANTS = {"acme": DEMO.replace("plugins = {\n}", 'plugins = {\n}\nprivacy = { retention = "3s elapsed" }\n')}

    def test_retention_anonymises_customers_past_the_limit(self):
        s = self.server
        integrator, auditor = s.token("acme", "integrator"), s.token("acme", "auditor")
        invite = lambda cid: s.request("POST", "/api/v1/invitations", token=integrator,
                                       body={"customer": {"external_id": cid, "phone": "13855556666"},
                                             "channel": "sms"})
        self.assertEqual(invite("old-1")[0], 201)
        time.sleep(4)
        self.assertEqual(invite("new-1")[0], 201)
        p = s.cli("privacy", "retention", "--tenant", "acme")
        self.assertIn("1 customer(s)", p.stdout)
        self.assertEqual(s.request("GET", "/api/v1/customers/old-1", token=auditor)[2],
                         {"external_id": "old-1", "erased": True})
        self.assertEqual(s.request("GET", "/api/v1/customers/new-1", token=auditor)[2]["phone"], "138****6666")
        # Each run is kept with what it did, in the audit trail; the first ran on the bus at start.
        runs = s.request("GET", "/api/v1/privacy/retention", token=auditor)[2]["items"]
        self.assertGreaterEqual(len(runs), 2)
        self.assertEqual((runs[-1]["anonymised"], runs[-1]["customers"]), (1, ["old-1"]))
        audit = s.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
        by = [(e["actor"]["kind"], e["actor"]["id"]) for e in audit if e["action"] == "privacy.retention"]
        self.assertIn(("system", "retention"), by)
        self.assertEqual(len(by), len(runs))
        # The scheduled run does the same on its own: a reload sets it due now.
        self.assertEqual(invite("old-2")[0], 201)
        time.sleep(4)
        s.reload()
        deadline = time.time() + 20
        while s.request("GET", "/api/v1/customers/old-2", token=auditor)[2].get("erased") is not True:
            self.assertLess(time.time(), deadline, "the scheduled retention run did not anonymise old-2")
            time.sleep(0.2)
        audit = s.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
        self.assertIn(("system", "retention"), [(e["actor"]["kind"], e["actor"]["id"]) for e in audit
                                                if e["action"] == "customer.erase" and e["record"]["id"] == "old-2"])

    def test_a_bad_retention_setting_is_named(self):
        bad = Server({"acme": 'privacy = { retention_days = "a year" }\n'})
        self.addCleanup(bad.cleanup)
        p = bad.cli("check", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("privacy.retention_days: expected a whole number of days", p.stderr)


if __name__ == "__main__":
    unittest.main()
