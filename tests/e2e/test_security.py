"""As an attacker would: every route tried with every role (API tokens and signed-in sessions) and with
another tenant's credentials; bodies framed two ways; script and injection text in the fields."""
import json
import socket
import time
import unittest

from vocdtest import ServerTest

ROLES = ("admin", "supervisor", "agent", "auditor", "integrator")
ALL = set(ROLES)
STAFF = ALL - {"integrator"}
WRITERS = ALL - {"auditor"}

# What each role may call, written here independently of the server's table: the two must agree, so a
# route added without saying who may call it fails this test.
EXPECTED = {
    ("GET", "/healthz"): None,
    ("GET", "/metrics"): None,
    ("GET", "/api/v1/whoami"): ALL,
    ("POST", "/api/v1/session"): None,
    ("DELETE", "/api/v1/session"): ALL,
    ("GET", "/signin"): None,
    ("POST", "/signin"): None,
    ("POST", "/signout"): None,
    ("POST", "/api/v1/service-events"): WRITERS,
    ("GET", "/api/v1/service-events"): ALL,
    ("GET", "/api/v1/service-events/*"): ALL,
    ("POST", "/api/v1/invitations"): WRITERS,
    ("GET", "/api/v1/invitations/*"): ALL,
    ("GET", "/api/v1/invitations/*/qr"): ALL,
    ("GET", "/api/v1/customers/*"): ALL,
    ("POST", "/api/v1/customers/*/withdraw-consent"): {"admin", "supervisor"},
    ("GET", "/api/v1/customers/*/consents"): {"admin", "supervisor", "auditor"},
    ("GET", "/api/v1/customers/*/export"): {"admin", "auditor"},
    ("POST", "/api/v1/customers/*/erase"): {"admin", "auditor"},
    ("GET", "/api/v1/privacy/access-log"): {"admin", "auditor"},
    ("GET", "/api/v1/privacy/retention"): {"admin", "auditor"},
    ("POST", "/api/v1/evaluations"): {"admin", "integrator"},
    ("GET", "/api/v1/evaluations"): ALL,
    ("GET", "/api/v1/evaluations/*"): ALL,
    ("GET", "/api/v1/review-queue"): {"admin", "supervisor", "auditor"},
    ("POST", "/api/v1/review-queue/*"): {"admin", "auditor"},
    ("DELETE", "/api/v1/evaluations/*"): ALL,
    ("POST", "/api/v1/evaluations/*/replies"): {"admin", "supervisor"},
    ("POST", "/api/v1/evaluations/*/hide"): {"admin", "supervisor", "auditor"},
    ("POST", "/api/v1/evaluations/*/hide/decide"): {"admin", "auditor"},
    ("POST", "/api/v1/complaints"): WRITERS,
    ("GET", "/api/v1/tickets"): STAFF,
    ("GET", "/api/v1/tickets/*"): STAFF,
    ("POST", "/api/v1/tickets/*/transitions"): {"admin", "supervisor", "agent"},
    ("POST", "/api/v1/tickets/*/notes"): {"admin", "supervisor", "agent"},
    ("POST", "/api/v1/tickets/*/assign"): {"admin", "supervisor"},
    ("POST", "/api/v1/tickets/*/class"): {"admin", "supervisor"},
    ("POST", "/api/v1/rules/dry-run"): {"admin", "supervisor"},
    ("GET", "/api/v1/alerts"): STAFF,
    ("GET", "/api/v1/alerts/*"): STAFF,
    ("POST", "/api/v1/alerts/*/ack"): {"admin", "supervisor", "agent"},
    ("GET", "/api/v1/stats"): STAFF,
    ("GET", "/api/v1/topics"): STAFF,
    ("GET", "/dashboard"): None,
    ("GET", "/assets/*"): None,
    ("GET", "/wall/*"): None,
    ("POST", "/api/v1/evaluations/*/wall"): {"admin", "supervisor"},
    ("GET", "/api/v1/reports/*"): STAFF,
    ("GET", "/api/v1/report-runs"): {"admin", "auditor"},
    ("POST", "/api/v1/report-runs"): {"admin"},
    ("GET", "/api/v1/report-runs/*/file"): {"admin", "auditor"},
    ("GET", "/api/v1/points"): STAFF,
    ("GET", "/api/v1/points/balances"): STAFF,
    ("GET", "/api/v1/points/leaderboard"): STAFF,
    ("POST", "/api/v1/points/awards"): {"admin"},
    ("GET", "/api/v1/points/*"): STAFF,
    ("POST", "/api/v1/points/*/reverse"): {"admin", "supervisor"},
    ("GET", "/api/v1/audit/verify"): {"admin", "auditor"},
    ("GET", "/api/v1/audit"): {"admin", "auditor"},
    ("POST", "/api/v1/counter-codes"): {"admin", "supervisor"},
    ("GET", "/api/v1/counter-codes/*/qr"): ALL,
    ("GET", "/q/*"): None,
    ("POST", "/channels/*/inbound"): None,
    ("GET", "/s/*"): None,
    ("POST", "/s/*"): None,
    ("POST", "/api/v1/plugins/*/call/*"): {"admin", "integrator"},
    ("POST", "/api/v1/admin/reload"): {"admin"},
    ("GET", "/api/v1/admin/plugins"): {"admin"},
    ("GET", "/api/v1/admin/dead-letters"): {"admin"},
    ("POST", "/api/v1/admin/dead-letters/*/replay"): {"admin"},
}

PEOPLE = "\n".join('  %s = { access = "%s" },' % (r, r) for r in ROLES)
TENANT = 'name = "Acme"\npeople = {\n%s\n}\n' % PEOPLE
PASSWORD = "a long enough passphrase"


def concrete(path, ids):
    """The route's path with its '*' segments filled with ids of acme's records."""
    parts = path.split("/")
    for i, p in enumerate(parts):
        if p == "*":
            parts[i] = ids.get(parts[i - 1], "0000000000000001")
    return "/".join(parts)


class RouteTableTest(ServerTest):
    TENANTS = {"acme": TENANT, "globex": 'name = "Globex"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.tokens = {r: s.token("acme", r) for r in ROLES}
        cls.globex = {r: s.token("globex", r) for r in ROLES}
        admin = cls.tokens["admin"]
        ev = s.request("POST", "/api/v1/evaluations", token=admin,
                       body={"context": {"agent": "agent"}, "answer": {"scores": {"csat": 4}, "text": "ok"}})[2]
        t = s.request("POST", "/api/v1/complaints", token=admin,
                      body={"channel": "phone", "text": "x", "category": "waiting", "context": {"agent": "agent"}})[2]
        se = s.request("POST", "/api/v1/service-events", token=admin,
                       body={"type": "repair", "external_id": "se-1", "context": {"agent": "agent"}})[2]
        cls.ids = {"evaluations": ev["id"], "tickets": t["id"], "service-events": se["id"]}
        cls.sessions = {}
        for role in ROLES:
            s.cli("user", "password", "--tenant", "acme", "--person", role, input=PASSWORD + "\n")
            status, headers, body = s.request("POST", "/api/v1/session",
                                              body={"tenant": "acme", "person": role, "password": PASSWORD})
            assert status == 201, body
            cookie = headers["Set-Cookie"].split(";")[0]
            cls.sessions[role] = {"Cookie": cookie, "X-CSRF-Token": body["csrf"]}

    def call(self, method, path, **kw):
        body = {} if method == "POST" else None
        return self.server.request(method, path, body=body, **kw)

    def test_the_table_is_the_one_expected(self):
        table = json.loads(self.server.cli("routes").stdout)
        got = {(r["method"], r["path"]): (None if r["public"] else set(r["roles"])) for r in table}
        self.assertEqual(got, EXPECTED)

    def test_every_route_with_every_role(self):
        for (method, path), allowed in EXPECTED.items():
            if allowed is None or (method, path) == ("DELETE", "/api/v1/session"):
                continue
            url = concrete(path, self.ids)
            self.assertEqual(self.call(method, url)[0], 401, url)
            for role in ROLES:
                for how, kw in (("token", {"token": self.tokens[role]}), ("session", {"headers": self.sessions[role]})):
                    status, _, body = self.call(method, url, **kw)
                    if role in allowed:
                        self.assertNotIn(status, (401, 403), (method, url, role, how, body))
                    else:
                        self.assertEqual(status, 403, (method, url, role, how, body))

    def test_another_tenants_credentials_reach_nothing(self):
        for (method, path), allowed in EXPECTED.items():
            if allowed is None or "*" not in path or method != "GET":
                continue
            url = concrete(path, self.ids)
            status, _, _ = self.call(method, url, token=self.globex["admin"])
            self.assertIn(status, (404, 403), url)
        for kind, eid in self.ids.items():
            self.assertEqual(self.call("GET", "/api/v1/%s/%s" % (kind, eid), token=self.tokens["admin"])[0], 200)
        # Changing the tenant written in a token or session breaks it rather than moving it.
        forged = self.globex["admin"].replace("vt1.globex.", "vt1.acme.")
        self.assertEqual(self.call("GET", "/api/v1/evaluations", token=forged)[0], 401)
        cookie = self.sessions["admin"]["Cookie"].replace("vs1.acme.", "vs1.globex.")
        self.assertEqual(self.call("GET", "/api/v1/whoami", headers={"Cookie": cookie})[0], 401)
        # Nothing of acme's in globex's lists.
        for kind in ("evaluations", "tickets", "service-events"):
            items = self.call("GET", "/api/v1/" + kind, token=self.globex["admin"])[2]["items"]
            self.assertEqual(items, [], kind)


class HostileInputTest(ServerTest):
    TENANTS = {"acme": 'name = "<script>alert(1)</script> & Co"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.server.token("acme", "admin")

    def raw(self, request):
        """Sends \\p request as bytes; returns what came back before the server closed (or 5 s passed)."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with self.server.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1") as s:
                s.sendall(request)
                got = b""
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            return got, True
                        got += chunk
                except (socket.timeout, TimeoutError):
                    return got, False

    def test_a_body_framed_two_ways_is_refused_and_the_connection_closed(self):
        smuggled = b"GET /api/v1/evaluations HTTP/1.1\r\nHost: x\r\n\r\n"
        chunked = b"0\r\n\r\n" + smuggled
        for framing in (b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(chunked),
                        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                        b"Content-Length: %d\r\nContent-Length: 5\r\n" % len(chunked)):
            got, closed = self.raw(b"POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                   self.admin.encode() + b"\r\nContent-Type: application/json\r\n" + framing +
                                   b"\r\n" + chunked)
            self.assertTrue(got.startswith(b"HTTP/1.1 400"), got[:200])
            self.assertIn(b"more than once", got)
            self.assertTrue(closed, "the connection must be closed after refusing")
            self.assertEqual(got.count(b"HTTP/1.1 "), 1, "the smuggled request must not be answered")
        # Nothing was stored.
        self.assertEqual(self.server.request("GET", "/api/v1/tickets", token=self.admin)[2]["items"], [])

    def test_bodies_nested_too_deep_are_refused(self):
        deep = {"context": {"agent": "a-1"}, "answer": {"scores": {"csat": 5}}}
        node = deep["answer"]
        for _ in range(70):
            node["x"] = {"x": 1, "x2": 2}
            node = node["x"]
        status, _, body = self.server.request("POST", "/api/v1/evaluations", token=self.admin, body=deep)
        self.assertEqual(status, 400)
        self.assertIn("more than 64 deep", body["error"]["message"])
        # A duplicate name deep down is not let through by going deeper than the check looks.
        text = '{"context": {"agent": "a-1"}, "answer": {"scores": {"csat": 5}, "x": %s}}' % (
            '{"a": ' * 70 + '{"b": 1, "b": 2}' + '}' * 70)
        self.assertEqual(self.server.request("POST", "/api/v1/evaluations", token=self.admin, body=text,
                                             headers={"Content-Type": "application/json"})[0], 400)

    def test_script_and_injection_text_is_kept_as_text_and_escaped_in_pages(self):
        nasty = "<script>alert('x')</script>\"'; DROP TABLE evaluations; -- \u202e ${7*7} {{7*7}} %00"
        status, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.admin,
                                            body={"context": {"agent": "a-1"},
                                                  "answer": {"scores": {"csat": 5}, "text": nasty}})
        self.assertEqual(status, 201, ev)
        back = self.server.request("GET", "/api/v1/evaluations/" + ev["id"], token=self.admin)[2]
        self.assertEqual(back["text"], nasty)
        status, _, body = self.server.request("POST", "/api/v1/complaints", token=self.admin,
                                              body={"channel": "phone", "text": nasty, "category": "waiting",
                                                    "context": {"agent": "<b>x</b>"}})
        self.assertIn(status, (201, 422), body)
        # The sign-in page echoes the organisation it was asked for: escaped.
        page = self.server.request("GET", "/signin?tenant=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")[2]
        self.assertNotIn("<script>alert(1)", page)
        self.assertIn("&lt;script&gt;", page)
        # A customer-facing page with the tenant's own name in it: escaped too.
        inv = self.server.request("POST", "/api/v1/invitations", token=self.admin,
                                  body={"customer": {"external_id": "c-1"}})[2]
        page = self.server.request("GET", "/s/" + inv["url"].split("/s/")[1])[2]
        self.assertNotIn("<script>alert(1)</script>", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", page)


class ExpiredLinkTest(ServerTest):
    """Forged, altered and other tenants' links are in test_collection; here a link past its time."""
    TENANTS = {"acme": 'name = "Acme"\ninvitations = { expires_after = "2s" }\n'}

    def test_an_expired_link_takes_no_answer(self):
        admin = self.server.token("acme", "admin")
        inv = self.server.request("POST", "/api/v1/invitations", token=admin,
                                  body={"customer": {"external_id": "c-1"}})[2]
        path = "/s/" + inv["url"].split("/s/")[1]
        self.assertEqual(self.server.request("GET", path)[0], 200)
        time.sleep(3)
        self.assertEqual(self.server.request("GET", path)[0], 410)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for step in ("step=consent&agree=yes", "step=answer&csat=5"):
            self.assertEqual(self.server.request("POST", path, body=step, headers=form)[0], 410, step)
        self.assertEqual(self.server.request("GET", "/api/v1/evaluations", token=admin)[2]["items"], [])


if __name__ == "__main__":
    unittest.main()
