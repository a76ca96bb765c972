"""The webhook channel plugin in a running server, against a fake app on loopback: invitations are posted
signed over timestamp and body, without personal data; answers posted back signed become evaluations, with
the core's per-item report; forged, stale and malformed requests are refused."""
import hashlib
import hmac
import json
import os
import time

from fakeserver import FakeServer
from vocdtest import SOURCE, ServerTest, demo_tenant

DEMO = demo_tenant()


APP = FakeServer(status=200)
SECRET = "webhook-secret-0123456789"


def sign(timestamp, body):
    return hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookChannelTest(ServerTest):
    TENANTS = {"acme": DEMO.replace("plugins = {\n}", """plugins = {
  ["channels/webhook"] = { url = "http://127.0.0.1:%d/hook", secret = "%s", channels = { "webhook", "app" } },
}""" % (APP.port, SECRET))}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")

    def invite(self, external_id, channel="webhook"):
        body = {"customer": {"external_id": external_id, "phone": "13812345678", "email": "a@example.com",
                             "name": "张三"}, "channel": channel, "lang": "en"}
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.token, body=body)
        self.assertEqual(status, 201, inv)
        return inv

    def post(self, doc, timestamp=None, signature=None, raw=None):
        body = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
        ts = timestamp or str(int(time.time()))
        return self.server.request("POST", "/channels/webhook/inbound?tenant=acme", body=body,
                                   headers={"Content-Type": "application/json", "X-Timestamp": ts,
                                            "X-Signature": signature or sign(ts, body)})

    def evaluations(self, invitation):
        items = self.server.request("GET", "/api/v1/evaluations?channel=webhook", token=self.token)[2]["items"]
        return [e for e in items if e.get("invitation") == invitation]

    def test_invitation_out_answer_in(self):
        before = len(APP.received)
        inv = self.invite("w-1")
        sent = APP.wait_for(before + 1)[before]
        self.assertEqual(sent["path"], "/hook")
        self.assertEqual(sent["signature"], sign(sent["timestamp"], sent["body"]))
        self.assertLess(abs(int(sent["timestamp"]) - time.time()), 60)
        self.assertEqual(sent["msg"], {"event": "invitation.created", "invitation": inv["id"], "customer": "w-1",
                                       "url": inv["url"], "lang": "en", "expires_at": inv["expires_at"]})
        for secret in (b"13812345678", b"a@example.com", "张三".encode()):
            self.assertNotIn(secret, sent["body"])

        answer = {"scores": {"csat": 4, "nps": 9}, "dimensions": {"speed": 5}, "tags": ["fast"], "text": "很好"}
        consent = {"notice_version": "2026-11", "time": int(time.time() * 1000), "channel": "app"}
        status, _, summary = self.post({"invitation": inv["id"], "answer": answer, "consent": consent})
        self.assertEqual((status, summary), (200, {"accepted": 1, "rejected": []}))
        ev = self.evaluations(inv["id"])
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["scores"], {"csat": 4, "nps": 9})
        self.assertEqual(ev[0]["tags"], ["fast"])
        self.assertEqual(ev[0]["text"], "很好")
        self.assertTrue(ev[0]["consent"])
        # The same request again (within the window) is answered, but stores nothing more.
        status, _, summary = self.post({"invitation": inv["id"], "answer": answer, "consent": consent})
        self.assertEqual(status, 200)
        self.assertEqual(summary["accepted"], 0)
        self.assertIn("already answered", summary["rejected"][0]["error"])
        self.assertEqual(len(self.evaluations(inv["id"])), 1)

    def test_other_channels_named_in_the_settings_go_out_too(self):
        before = len(APP.received)
        inv = self.invite("w-2", channel="app")
        self.assertEqual(APP.wait_for(before + 1)[before]["msg"]["invitation"], inv["id"])

    def test_a_list_gets_a_report_per_item(self):
        a, b = self.invite("w-3"), self.invite("w-4")
        consent = {"notice_version": "2026-11", "time": int(time.time() * 1000), "channel": "app"}
        status, _, summary = self.post([
            {"invitation": a["id"], "answer": {"scores": {"csat": 2}}, "consent": consent},
            {"invitation": b["id"], "answer": {"scores": {"csat": 9}}, "consent": consent},
            {"invitation": "0000000000000000", "answer": {"scores": {"csat": 3}}, "consent": consent},
            {"invitation": b["id"], "answer": {"scores": {"csat": 3}}},
        ])
        self.assertEqual(status, 200)
        self.assertEqual(summary["accepted"], 1)
        rejected = {r["index"]: r["error"] for r in summary["rejected"]}
        self.assertEqual(sorted(rejected), [1, 2, 3])
        self.assertIn("csat", rejected[1])
        self.assertIn("no such invitation", rejected[2])
        self.assertIn("consent", rejected[3])
        self.assertEqual(len(self.evaluations(a["id"])), 1)
        self.assertEqual(self.evaluations(b["id"]), [])

    def test_forged_stale_and_malformed_requests_are_refused(self):
        inv = self.invite("w-5")
        doc = {"invitation": inv["id"], "answer": {"scores": {"csat": 5}},
               "consent": {"notice_version": "2026-11", "time": int(time.time() * 1000), "channel": "app"}}
        body = json.dumps(doc).encode()
        ts = str(int(time.time()))
        status, _, err = self.post(doc, signature=hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())
        self.assertEqual((status, err), (401, {"error": "X-Signature: does not match"}))
        old = str(int(time.time()) - 3600)
        status, _, err = self.post(doc, timestamp=old, signature=sign(old, body))  # a replay an hour later
        self.assertEqual((status, err), (401, {"error": "X-Timestamp: more than 300 seconds from now"}))
        status, _, err = self.post(None, raw=b"{not json")
        self.assertEqual(status, 400)
        self.assertTrue(err["error"].startswith("body: not JSON"), err)
        status, _, err = self.post([doc, "x"])
        self.assertEqual((status, err), (400, {"error": "item 1: expected an object {invitation, answer, consent}"}))
        self.assertEqual(self.evaluations(inv["id"]), [])
        # Still answerable with a good request.
        self.assertEqual(self.post(doc, timestamp=ts)[2], {"accepted": 1, "rejected": []})

    def test_notify_posts_to_the_app_without_contact_details(self):
        """The core's "notify" handler, called through the admin route: posted signed like an invitation, with
        the person's id and name but never their phone or email; a refusing app fails the call (the core's
        worker would retry it)."""
        staff = {"person": "zhou", "name": "周敏", "phone": "+8613800000001", "email": "zhou@example.com"}
        admin = self.server.token("acme", "admin")

        def notify(nid, text, to=staff):
            note = {"id": nid, "channel": "webhook", "lang": "zh-CN", "subject": "VIP 低分预警", "text": text,
                    "rule": "workflows/vip_low_csat", "alert": "0000000000000003", "ticket": "0000000000000001",
                    "evaluation": "00000000000000e1", "to": to}
            return self.server.request("POST", "/api/v1/plugins/webhook/call/notify", body=note, token=admin)

        def notifications(nid):
            return [r for r in APP.received if r["msg"].get("event") == "notification" and r["msg"].get("id") == nid]

        status, _, body = notify("00000000000000c1", "VIP 客户评分 1，工单 0000000000000001")
        self.assertEqual((status, body), (200, {"result": {"sent": True}}), body)
        sent = notifications("00000000000000c1")
        self.assertEqual(len(sent), 1, sent)
        self.assertEqual(sent[0]["path"], "/hook")
        self.assertEqual(sent[0]["signature"], sign(sent[0]["timestamp"], sent[0]["body"]))
        self.assertLess(abs(int(sent[0]["timestamp"]) - time.time()), 60)
        self.assertEqual(sent[0]["msg"], {"event": "notification", "id": "00000000000000c1", "person": "zhou",
                                          "name": "周敏", "subject": "VIP 低分预警",
                                          "text": "VIP 客户评分 1，工单 0000000000000001", "lang": "zh-CN",
                                          "rule": "workflows/vip_low_csat", "alert": "0000000000000003",
                                          "ticket": "0000000000000001", "evaluation": "00000000000000e1"})
        for secret in (b"+8613800000001", b"8613800000001", b"zhou@example.com"):
            self.assertNotIn(secret, sent[0]["body"])

        # Nothing of the person is needed: someone without contact details is notified all the same.
        status, _, body = notify("00000000000000c2", "c2", to={"person": "wu"})
        self.assertEqual((status, body), (200, {"result": {"sent": True}}))
        self.assertEqual(notifications("00000000000000c2")[0]["msg"]["person"], "wu")

        APP.refuse = "(c3)"
        try:
            status, _, body = notify("00000000000000c3", "(c3)")
        finally:
            APP.refuse = None
        self.assertEqual(status, 500, body)
        self.assertEqual(body["error"]["code"], "plugin_error")
        self.assertIn("the webhook answered 503 for notification 00000000000000c3", body["error"]["message"])
        self.assertEqual(len(notifications("00000000000000c3")), 1)
