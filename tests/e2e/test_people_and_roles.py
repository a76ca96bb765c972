"""People and roles: signing in to the web pages (passwords, sessions in cookies, lock-out, sign-out) and the
organisation tree that scopes what each person sees."""
import http.cookies
import unittest
import urllib.parse

from vocdtest import ServerTest

TENANT = """\
    name = "Acme"
    organisation = {
      ["brand:lumen"] = {
        ["region:east"] = { ["store:s-1"] = { "team:care" }, ["dealer:d-01"] = {} },
        ["region:west"] = { ["store:s-9"] = {} },
      },
    }
    people = {
      boss = { name = "Boss", access = "admin" },
      east = { name = "East lead", access = "supervisor", scope = "region:east" },
      west = { name = "West lead", access = "supervisor", scope = "region:west" },
      ["a-1"] = { name = "Agent one", access = "agent", team = "care" },
      ["a-2"] = { name = "Agent two", access = "agent", team = "care" },
      audit = { name = "Auditor", access = "auditor" },
      nobody = { name = "Not a user" },
    }
"""
PASSWORD = "correct horse battery staple"


def session_cookie(headers):
    cookie = http.cookies.SimpleCookie()
    cookie.load(headers.get("Set-Cookie", ""))
    return cookie["vocd_session"] if "vocd_session" in cookie else None


class SignInTest(ServerTest):
    TENANTS = {"acme": TENANT, "globex": 'name = "Globex"\npeople = { boss = { access = "admin" } }\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for person in ("boss", "east", "a-1", "audit", "west"):
            cls.server.cli("user", "password", "--tenant", "acme", "--person", person, input=PASSWORD + "\n")
        cls.server.cli("user", "password", "--tenant", "globex", "--person", "boss", input=PASSWORD + "\n")

    def sign_in(self, person, password=PASSWORD, tenant="acme"):
        return self.server.request("POST", "/api/v1/session",
                                   body={"tenant": tenant, "person": person, "password": password})

    def audit(self):
        auditor = self.server.token("acme", "auditor")
        return self.server.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]

    def as_session(self, method, path, cookie, csrf=None, body=None):
        headers = {"Cookie": "vocd_session=" + cookie}
        if csrf:
            headers["X-CSRF-Token"] = csrf
        return self.server.request(method, path, body=body, headers=headers)

    def test_password_rules_and_who_may_have_one(self):
        p = self.server.cli("user", "password", "--tenant", "acme", "--person", "a-2", input="short\n", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("at least 12", p.stderr)
        p = self.server.cli("user", "password", "--tenant", "acme", "--person", "nobody", input=PASSWORD + "\n",
                            check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("access", p.stderr)
        # Only the hash is kept: the audit trail records that it was set, never the password.
        audit = self.audit()
        self.assertIn("auth.password_set", [e["action"] for e in audit])
        self.assertNotIn(PASSWORD, str(audit))

    def test_sign_in_sets_a_secure_cookie_and_acts_as_the_person(self):
        status, headers, body = self.sign_in("east")
        self.assertEqual(status, 201, body)
        self.assertEqual((body["person"], body["role"]), ("east", "supervisor"))
        raw = headers["Set-Cookie"]
        for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, raw)
        cookie = session_cookie(headers).value
        status, _, me = self.as_session("GET", "/api/v1/whoami", cookie)
        self.assertEqual(status, 200, me)
        self.assertEqual((me["person"], me["role"], me["scope"]), ("east", "supervisor", "region:east"))
        # A change through the session must carry the anti-forgery value a foreign page cannot read.
        complaint = {"channel": "phone", "text": "x", "category": "waiting", "context": {"store": "s-1"}}
        status, _, err = self.as_session("POST", "/api/v1/complaints", cookie, body=complaint)
        self.assertEqual(status, 403)
        self.assertEqual(err["error"]["code"], "csrf")
        status, _, _ = self.as_session("POST", "/api/v1/complaints", cookie, csrf="x" * 43, body=complaint)
        self.assertEqual(status, 403)
        status, _, ticket = self.as_session("POST", "/api/v1/complaints", cookie, csrf=body["csrf"], body=complaint)
        self.assertEqual(status, 201, ticket)
        # The audit trail names the person, not a token.
        opened = [e for e in self.audit() if e["record"]["id"] == ticket["id"] and e["action"] == "ticket.open"]
        self.assertTrue(opened and opened[0]["actor"]["id"] == "east", opened)
        # Signing out ends the session for good.
        status, headers, _ = self.as_session("DELETE", "/api/v1/session", cookie, csrf=body["csrf"])
        self.assertEqual(status, 200)
        self.assertEqual(session_cookie(headers).value, "")
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", cookie)[0], 401)

    def test_wrong_passwords_lock_the_person_out(self):
        status, _, err = self.sign_in("west", "wrong password 1")
        self.assertEqual(status, 401)
        # An unknown person, a person who may not sign in and another tenant's name get the same answer.
        for who, tenant in (("ghost", "acme"), ("nobody", "acme"), ("west", "globex"), ("west", "nosuch")):
            s, _, e = self.sign_in(who, tenant=tenant)
            self.assertEqual((s, e["error"]["message"]), (401, err["error"]["message"]), who)
        for i in range(2, 5):
            self.assertEqual(self.sign_in("west", "wrong password %d" % i)[0], 401)
        status, _, err = self.sign_in("west", "wrong password 5")
        self.assertEqual(status, 429)
        self.assertEqual(err["error"]["code"], "locked")
        # Locked: even the right password is refused, and no password is tried.
        self.assertEqual(self.sign_in("west")[0], 429)
        actions = [e["action"] for e in self.audit() if e["record"]["id"] == "west"]
        self.assertEqual(actions.count("auth.signin_failed"), 4)
        self.assertEqual(actions.count("auth.lockout"), 1)
        # An admin lets them back in by setting a new password.
        self.server.cli("user", "password", "--tenant", "acme", "--person", "west", input=PASSWORD + "\n")
        self.assertEqual(self.sign_in("west")[0], 201)

    def test_the_sign_in_page(self):
        status, headers, page = self.server.request("GET", "/signin?tenant=acme")
        self.assertEqual(status, 200)
        self.assertIn('name="password"', page)
        self.assertIn("登录", page)
        self.assertIn("Sign in", self.server.request("GET", "/signin?lang=en")[2])
        form = urllib.parse.urlencode({"tenant": "acme", "person": "a-1", "password": "nope nope nope"})
        status, _, page = self.server.request("POST", "/signin", body=form,
                                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 401)
        self.assertIn("不正确", page)
        form = urllib.parse.urlencode({"tenant": "acme", "person": "a-1", "password": PASSWORD})
        status, headers, page = self.server.request("POST", "/signin", body=form,
                                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200, page)
        cookie = session_cookie(headers).value
        self.assertIn("a-1", page)
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", cookie)[2]["role"], "agent")
        status, headers, _ = self.server.request("POST", "/signout", headers={"Cookie": "vocd_session=" + cookie})
        self.assertEqual(status, 200)
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", cookie)[0], 401)

    def test_staff_answering_from_the_device_they_signed_in_from_is_flagged(self):
        browser = {"User-Agent": "StaffBrowser/1.0 (test)"}
        status, _, _ = self.server.request("POST", "/api/v1/session", headers=browser,
                                           body={"tenant": "acme", "person": "a-1", "password": PASSWORD})
        self.assertEqual(status, 201)
        admin = self.server.token("acme", "admin")
        inv = self.server.request("POST", "/api/v1/invitations", token=admin,
                                  body={"customer": {"external_id": "c-own"}, "context": {"agent": "a-1"}})[2]
        path = "/s/" + inv["url"].split("/s/")[1]
        form = dict(browser, **{"Content-Type": "application/x-www-form-urlencoded"})
        self.server.request("POST", path, body="step=consent&agree=yes", headers=form)
        self.assertEqual(self.server.request("POST", path, body="step=answer&csat=5", headers=form)[0], 200)
        ev = self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=admin)[2]["evaluation"]
        ev = self.server.request("GET", "/api/v1/evaluations/" + ev, token=admin)[2]
        self.assertTrue(ev["suspect"])
        self.assertIn("staff_device", [s["code"] for s in ev["signals"]])
        self.assertIn("a-1", [s["reason"] for s in ev["signals"] if s["code"] == "staff_device"][0])

    def test_a_session_of_one_tenant_is_nothing_in_another(self):
        status, headers, _ = self.sign_in("boss", tenant="globex")
        self.assertEqual(status, 201)
        cookie = session_cookie(headers).value
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", cookie)[2]["tenant"], "globex")
        # The tenant is in the cookie's text, but changing it breaks it.
        forged = cookie.replace("vs1.globex.", "vs1.acme.")
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", forged)[0], 401)
        altered = cookie[:-1] + ("A" if cookie[-1] != "A" else "B")  # never the same text by chance
        self.assertEqual(self.as_session("GET", "/api/v1/whoami", altered)[0], 401)


class ScopeTest(ServerTest):
    TENANTS = {"acme": TENANT}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.integrator = s.token("acme", "integrator")
        token = lambda role, person: s.cli("token", "create", "--tenant", "acme", "--role", role,
                                           "--person", person).stdout.strip()
        cls.east, cls.west, cls.a1, cls.a2 = (token("supervisor", "east"), token("supervisor", "west"),
                                              token("agent", "a-1"), token("agent", "a-2"))
        cls.auditor = s.token("acme", "auditor")
        cls.ids = {}
        for name, context in (("s1_a1", {"store": "s-1", "team": "care", "agent": "a-1"}),
                              ("s1_a2", {"store": "s-1", "team": "care", "agent": "a-2"}),
                              ("d01", {"dealer": "d-01", "agent": "x-9"}),
                              ("s9", {"store": "s-9", "agent": "x-8"}),
                              ("unplaced", {"agent": "x-7"})):
            status, _, ev = s.request("POST", "/api/v1/evaluations", token=cls.integrator,
                                      body={"context": context, "answer": {"scores": {"csat": 2}}})
            assert status == 201, ev
            cls.ids[name] = ev["id"]

    def seen(self, token):
        items = self.server.request("GET", "/api/v1/evaluations?limit=500", token=token)[2]["items"]
        return {name for name, eid in self.ids.items() if eid in [e["id"] for e in items]}

    def test_each_sees_their_part_of_the_tree(self):
        everything = set(self.ids)
        self.assertEqual(self.seen(self.admin), everything)
        self.assertEqual(self.seen(self.auditor), everything)
        self.assertEqual(self.seen(self.east), {"s1_a1", "s1_a2", "d01"})
        self.assertEqual(self.seen(self.west), {"s9"})
        self.assertEqual(self.seen(self.a1), {"s1_a1"})
        self.assertEqual(self.seen(self.a2), {"s1_a2"})
        self.assertEqual(self.seen(self.server.token("acme", "agent")), set())

    def test_out_of_sight_is_not_found(self):
        for token, name, status in ((self.west, "s1_a1", 404), (self.east, "s1_a1", 200), (self.a2, "s1_a1", 404),
                                    (self.a1, "s1_a1", 200), (self.east, "unplaced", 404)):
            got = self.server.request("GET", "/api/v1/evaluations/" + self.ids[name], token=token)[0]
            self.assertEqual(got, status, (name, status))

    def test_tickets_follow_the_same_tree(self):
        status, _, t = self.server.request("POST", "/api/v1/complaints", token=self.admin,
                                           body={"channel": "phone", "text": "x", "category": "waiting",
                                                 "context": {"store": "s-9"}})
        self.assertEqual(status, 201, t)
        self.assertEqual(self.server.request("GET", "/api/v1/tickets/" + t["id"], token=self.west)[0], 200)
        self.assertEqual(self.server.request("GET", "/api/v1/tickets/" + t["id"], token=self.east)[0], 404)
        status, _, _ = self.server.request("POST", "/api/v1/tickets/%s/assign" % t["id"], token=self.east,
                                           body={"to": {"person": "east"}})
        self.assertEqual(status, 404)
        listed = self.server.request("GET", "/api/v1/tickets?limit=500", token=self.east)[2]["items"]
        self.assertNotIn(t["id"], [x["id"] for x in listed])

    def test_a_scope_outside_the_tree_is_refused(self):
        self.server.write_tenant("bad", 'people = { x = { access = "supervisor", scope = "store:nowhere" } }\n')
        p = self.server.cli("check", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("people.x.scope", p.stdout + p.stderr)
        self.server.write_tenant("bad", 'organisation = { ["team:a"] = { "store:b" } }\n')
        p = self.server.cli("check", check=False)
        self.assertIn("cannot be inside", p.stdout + p.stderr)
        self.server.write_tenant("bad", 'people = { x = { access = "boss" } }\n')
        p = self.server.cli("check", check=False)
        self.assertIn("people.x.access", p.stdout + p.stderr)
        import os
        os.remove(os.path.join(self.server.dir, "conf", "tenants", "bad.lua"))


if __name__ == "__main__":
    unittest.main()
