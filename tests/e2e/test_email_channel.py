"""The email channel plugin in a running server, against a fake mail relay on loopback: invitations are
sent signed to the customer's address in the invitation's language, the HTML part escapes what it inserts,
a refusing relay is retried and the send ends as a dead letter."""
import hashlib
import hmac
import json
import os
import time

from fakeserver import FakeServer
from vocdtest import SOURCE, ServerTest, demo_tenant

DEMO = demo_tenant()


RELAY = FakeServer(status=202, refuse_field="subject")
SECRET = "relay-secret-0123456789"


def sign(body):
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


class EmailChannelTest(ServerTest):
    TENANTS = {"acme": DEMO.replace("plugins = {\n}", """plugins = {
  ["channels/email"] = { relay_url = "http://127.0.0.1:%d/mail", secret = "%s",
                         from = "Acme <service@acme.example>", brand = "Acme & <Co>", one_click = "csat" },
}""" % (RELAY.port, SECRET))}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")
        cls.admin = cls.server.token("acme", "admin")

    def invite(self, external_id, email, **extra):
        body = {"customer": {"external_id": external_id, "email": email}, "channel": "email"}
        body.update(extra)
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.token, body=body)
        self.assertEqual(status, 201, inv)
        return inv

    def test_invitation_is_mailed_signed_and_escaped(self):
        before = len(RELAY.received)
        inv = self.invite("e-1", "Zhang.San@Example.com")
        sent = RELAY.wait_for(before + 1)[before]
        self.assertEqual(sent["path"], "/mail")
        self.assertEqual(sent["signature"], sign(sent["body"]))
        self.assertEqual(sent["key"], inv["id"])
        msg = sent["msg"]
        self.assertEqual(msg["to"].lower(), "zhang.san@example.com")
        self.assertEqual(msg["from"], "Acme <service@acme.example>")
        self.assertEqual(msg["subject"], "Acme & <Co>邀请您评价本次服务")
        self.assertIn(inv["url"], msg["text"])
        self.assertIn("Acme & <Co>", msg["text"])
        self.assertIn('<a href="%s">' % inv["url"], msg["html"])
        self.assertIn('<a href="%s?score=5">5</a>' % inv["url"], msg["html"])
        self.assertIn("Acme &amp; &lt;Co&gt;", msg["html"])
        self.assertNotIn("<Co>", msg["html"])
        # The one-click link opens the page with the score pre-selected; it records nothing by itself.
        path = inv["url"][inv["url"].index("/s/"):]
        status, _, page = self.server.request("GET", path + "?score=5")
        self.assertEqual(status, 200)
        evs = self.server.request("GET", "/api/v1/evaluations?channel=email", token=self.token)[2]["items"]
        self.assertEqual([e for e in evs if e.get("invitation") == inv["id"]], [])
        # The plugin's read of the address is in the audit trail, with its purpose.
        auditor = self.server.token("acme", "auditor")
        entries = self.server.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
        reads = [e for e in entries if e["action"] == "pii.read" and e["record"]["id"] == "e-1"]
        self.assertEqual(len(reads), 1, reads)

    def test_english_invitation_and_no_address(self):
        before = len(RELAY.received)
        self.invite("e-2", "li@example.com", lang="en")
        msg = RELAY.wait_for(before + 1)[before]["msg"]
        self.assertEqual(msg["subject"], "Acme & <Co>: how did we do?")
        self.assertIn("Thank you for choosing Acme & <Co>", msg["text"])
        # Without an address nothing is sent, and nothing is retried either.
        status, _, _ = self.server.request("POST", "/api/v1/invitations", token=self.token,
                                           body={"customer": {"external_id": "e-3", "phone": "13900003333"},
                                                 "channel": "email"})
        self.assertEqual(status, 201)
        marker = self.invite("e-4", "wang@example.com")  # delivered after e-3's event: e-3 was handled
        got = RELAY.wait_for(before + 2)
        self.assertEqual(got[before + 1]["key"], marker["id"])
        self.assertEqual(len(RELAY.received), before + 2)

    def test_no_inbound(self):
        status, _, _ = self.server.request("POST", "/channels/email/inbound?tenant=acme", body="{}",
                                           headers={"Content-Type": "application/json"})
        self.assertEqual(status, 404)

    def test_a_refusing_relay_is_retried_then_a_dead_letter(self):
        RELAY.refuse = "how did we do"  # the English subject
        try:
            before = len(RELAY.received)
            self.invite("e-5", "zhao@example.com", lang="en")
            letters = self.server.wait_for_dead_letters(self.admin)
            self.assertTrue(letters, "no dead letter after the retries")
            self.assertIn("the mail relay answered 503", letters[0]["error"])
            attempts = [r for r in RELAY.received[before:] if "how did we do" in r["msg"]["subject"]]
            self.assertGreater(len(attempts), 1)  # retried before giving up
            self.assertEqual(len({a["key"] for a in attempts}), 1)  # the same idempotency key each time
        finally:
            RELAY.refuse = None

    def test_notify_mails_a_member_of_staff(self):
        """The core's "notify" handler, called through the admin route: the person's address comes with the
        call, so no customer data is read; no address is "not sent" for good; a refusing relay fails the call
        (the core's worker would retry it)."""
        staff = {"person": "zhou", "name": "周敏", "phone": "+8613800000001", "email": "zhou@example.com"}

        def notify(nid, subject, text, to=staff):
            note = {"id": nid, "channel": "email", "lang": "en", "subject": subject, "text": text,
                    "rule": "workflows/vip_low_csat", "alert": "0000000000000003", "ticket": "0000000000000001",
                    "to": to}
            return self.server.request("POST", "/api/v1/plugins/email/call/notify", body=note, token=self.admin)

        def staff_mails(subject):
            return [r for r in RELAY.received if r["msg"]["subject"] == subject]

        auditor = self.server.token("acme", "auditor")

        def pii_reads():
            entries = self.server.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
            return len([e for e in entries if e["action"] == "pii.read"])

        reads = pii_reads()
        text = "VIP customer <c-9> scored 1 & left a comment\nTicket 0000000000000001"
        status, _, body = notify("00000000000000b1", "VIP low CSAT (b1)", text)
        self.assertEqual((status, body), (200, {"result": {"sent": True}}), body)
        sent = staff_mails("VIP low CSAT (b1)")
        self.assertEqual(len(sent), 1, sent)
        self.assertEqual(sent[0]["path"], "/mail")
        self.assertEqual(sent[0]["signature"], sign(sent[0]["body"]))
        self.assertEqual(sent[0]["key"], "00000000000000b1")
        msg = sent[0]["msg"]
        self.assertEqual(sorted(msg), ["from", "html", "subject", "text", "to"])
        self.assertEqual((msg["to"], msg["from"], msg["text"]), ("zhou@example.com", "Acme <service@acme.example>", text))
        self.assertIn("VIP customer &lt;c-9&gt; scored 1 &amp; left a comment<br>", msg["html"])
        self.assertNotIn("<c-9>", msg["html"])
        self.assertEqual(pii_reads(), reads)  # the staff member's address is not customer data read through vocd

        status, _, body = notify("00000000000000b2", "(b2)", "b2", to={"person": "wu", "phone": "+8613800000002"})
        self.assertEqual((status, body), (200, {"result": {"sent": False, "reason": "no email address for wu"}}))
        self.assertEqual(staff_mails("(b2)"), [])

        RELAY.refuse = "(b3)"
        try:
            status, _, body = notify("00000000000000b3", "(b3)", "b3")
        finally:
            RELAY.refuse = None
        self.assertEqual(status, 500, body)
        self.assertEqual(body["error"]["code"], "plugin_error")
        self.assertIn("the mail relay answered 503 for notification 00000000000000b3", body["error"]["message"])
        self.assertEqual(len(staff_mails("(b3)")), 1)
