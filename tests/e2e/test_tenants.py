"""API tokens and tenant isolation: the tenant comes from the token; another tenant's data is a 404."""
import json

from vocdtest import ServerTest


class TenantTest(ServerTest):
    TENANTS = {"acme": 'name = "Acme 客服"\n', "globex": 'name = "Globex"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.server.token("acme", "admin")
        cls.globex = cls.server.token("globex", "admin")

    def post_event(self, token, **fields):
        body = {"type": "ticket_solved", "context": {"agent": "a-17", "team": "north"}}
        body.update(fields)
        return self.server.request("POST", "/api/v1/service-events", body=body, token=token)

    def test_whoami_names_the_tokens_tenant_and_role(self):
        status, _, body = self.server.request("GET", "/api/v1/whoami", token=self.acme)
        self.assertEqual(status, 200)
        self.assertEqual(body["tenant"], "acme")
        self.assertEqual(body["tenant_name"], "Acme 客服")
        self.assertEqual(body["role"], "admin")

    def test_token_is_shown_once_and_stored_hashed(self):
        listed = self.server.cli("token", "list", "--tenant", "acme").stdout
        self.assertNotIn(self.acme.split(".")[-1], listed)
        self.assertIn(self.acme.split(".")[2], listed)

    def test_other_tenants_record_is_404(self):
        status, _, created = self.post_event(self.acme, external_id="acme-only-1")
        self.assertEqual(status, 201)
        eid = created["id"]
        status, _, body = self.server.request("GET", "/api/v1/service-events/" + eid, token=self.acme)
        self.assertEqual(status, 200)
        self.assertEqual(body["context"]["agent"], "a-17")
        # Ids are per tenant: globex may have its own record under the same id, never acme's.
        status, _, body = self.server.request("GET", "/api/v1/service-events/" + eid, token=self.globex)
        self.assertNotIn("acme-only-1", json.dumps(body))
        self.assertNotIn(self.acme.split(".")[2], json.dumps(body))
        # An id acme has and globex does not: 404, exactly as for a record that does not exist.
        _, _, mine = self.server.request("GET", "/api/v1/service-events?limit=500", token=self.globex)
        highest = max([e["id"] for e in mine["items"]] + ["0"])
        while created["id"] <= highest:
            status, _, created = self.post_event(self.acme)
        status, _, body = self.server.request("GET", "/api/v1/service-events/" + created["id"], token=self.globex)
        self.assertEqual(status, 404)
        self.assertEqual(body, {"error": {"code": "not_found", "message": "no service event " + created["id"]}})

    def test_same_external_id_in_two_tenants_is_two_records(self):
        s1, _, a = self.post_event(self.acme, external_id="shared-42")
        s2, _, g = self.post_event(self.globex, external_id="shared-42")
        self.assertEqual((s1, s2), (201, 201))
        self.assertFalse(g["duplicate"])
        again, _, a2 = self.post_event(self.acme, external_id="shared-42")
        self.assertEqual(again, 200)
        self.assertTrue(a2["duplicate"])
        self.assertEqual(a2["id"], a["id"])

    def test_tampered_token_is_refused(self):
        prefix, tenant, tid, secret = self.acme.split(".")
        for forged in (".".join([prefix, "globex", tid, secret]),      # other tenant named
                       ".".join([prefix, tenant, tid, secret[:-1] + ("A" if secret[-1] != "A" else "B")]),
                       self.acme + "x", "vt1.acme", "", "Bearer"):
            status, _, body = self.server.request("GET", "/api/v1/whoami", token=forged)
            self.assertEqual(status, 401, forged)
            self.assertEqual(body["error"]["code"], "unauthorized")

    def test_revoked_token_is_refused(self):
        token = self.server.token("acme", "integrator")
        self.assertEqual(self.server.request("GET", "/api/v1/whoami", token=token)[0], 200)
        self.server.cli("token", "revoke", "--tenant", "acme", "--id", token.split(".")[2])
        self.assertEqual(self.server.request("GET", "/api/v1/whoami", token=token)[0], 401)

    def test_auditor_reads_but_cannot_write(self):
        auditor = self.server.token("acme", "auditor")
        status, _, body = self.post_event(auditor)
        self.assertEqual(status, 403)
        self.assertEqual(body["error"]["code"], "forbidden")
        self.assertEqual(self.server.request("GET", "/api/v1/service-events", token=auditor)[0], 200)

    def test_admin_routes_need_the_admin_role(self):
        agent = self.server.token("acme", "agent")
        for method, path in (("GET", "/api/v1/admin/plugins"), ("POST", "/api/v1/admin/reload"),
                             ("GET", "/api/v1/admin/dead-letters")):
            self.assertEqual(self.server.request(method, path, token=agent)[0], 403, path)

    def test_bad_input_names_the_field(self):
        cases = [
            ({"type": 5}, 422, "type"),
            ({}, 422, "type"),
            ({"type": "x", "colour": "red"}, 400, "colour"),
            ({"type": "x", "customer": {"phone": "13800001234"}}, 422, "customer.phone"),
            ({"type": "x", "context": {"agent": ""}}, 422, "context.agent"),
            ({"type": "x", "occurred_at": "yesterday"}, 422, "occurred_at"),
            ({"type": "<script>"}, 422, "type"),
        ]
        for body, want, field in cases:
            status, _, answer = self.server.request("POST", "/api/v1/service-events", body=body, token=self.acme)
            self.assertEqual(status, want, body)
            self.assertIn(field, answer["error"]["message"], body)
        status, _, answer = self.server.request("POST", "/api/v1/service-events", body="{not json",
                                                token=self.acme, headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"]["code"], "bad_json")

    def test_duplicate_fields_are_refused(self):
        # Checks read the first of two equal keys; the body is refused rather than the second stored.
        body = ('{"type":"visit","customer":{"external_id":"c1"},'
                '"customer":{"name":"Li Si","phone":"13900001111"}}')
        status, _, answer = self.server.request("POST", "/api/v1/service-events", body=body, token=self.acme,
                                                headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"]["code"], "duplicate_field")
        self.assertIn("customer", answer["error"]["message"])
        nested = '{"type":"visit","context":{"agent":"a","agent":"b"}}'
        status, _, answer = self.server.request("POST", "/api/v1/service-events", body=nested, token=self.acme,
                                                headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertNotIn("13900001111", json.dumps(self.server.request(
            "GET", "/api/v1/service-events?limit=500", token=self.acme)[2]))

    def test_listing_pages(self):
        ids = [self.post_event(self.globex, external_id="page-%d" % i)[2]["id"] for i in range(5)]
        status, _, page = self.server.request("GET", "/api/v1/service-events?limit=2&after=" + ids[0],
                                              token=self.globex)
        self.assertEqual(status, 200)
        self.assertEqual([e["id"] for e in page["items"]], ids[1:3])
        self.assertEqual(page["next_after"], ids[2])
