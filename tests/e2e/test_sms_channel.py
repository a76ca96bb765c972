"""The SMS channel plugin in a running server, against a fake SMS gateway on loopback: invitations are
sent signed to the customer's phone, replies come back as answers, a failing gateway is retried and ends
as a dead letter."""
import hashlib
import hmac
import json
import os
import time
import urllib.parse

from fakeserver import FakeServer
from vocdtest import SOURCE, ServerTest, demo_tenant

DEMO = demo_tenant()


GATEWAY = FakeServer(status=200, refuse_field="text")
SECRET = "s3cret"


def sign(body):
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


class SmsChannelTest(ServerTest):
    TENANTS = {"acme": DEMO.replace("plugins = {\n}", """plugins = {
  ["channels/sms"] = { gateway_url = "http://127.0.0.1:%d/send", secret = "%s", brand = "【Acme】",
                       notice_version = "2026-11" },
}""" % (GATEWAY.port, SECRET))}
    TENANTS["remind"] = (TENANTS["acme"].replace("min_days_between = 0,", 'min_days_between = 0, remind_after = "2s",')
                         .replace("【Acme】", "【Remind】"))
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")
        cls.admin = cls.server.token("acme", "admin")

    def invite(self, external_id, phone, channel="sms", **extra):
        body = {"customer": {"external_id": external_id, "phone": phone}, "channel": channel}
        body.update(extra)
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=self.token, body=body)
        self.assertEqual(status, 201, inv)
        return inv

    def reply(self, phone, text, signature=None, tenant="acme"):
        body = json.dumps({"from": phone, "text": text}, ensure_ascii=False).encode()
        return self.server.request("POST", "/channels/sms/inbound?tenant=" + tenant, body=body,
                                   headers={"Content-Type": "application/json",
                                            "X-Signature": signature or sign(body)})

    def test_invitation_is_sent_and_a_reply_is_an_answer(self):
        before = len(GATEWAY.received)
        inv = self.invite("s-1", "138 1234 5678")
        sent = GATEWAY.wait_for(before + 1)[before]
        self.assertEqual(sent["path"], "/send")
        self.assertEqual(sent["msg"]["to"], "+8613812345678")
        self.assertEqual(sent["signature"], sign(sent["body"]))
        self.assertIn(inv["url"], sent["msg"]["text"])
        self.assertTrue(sent["msg"]["text"].startswith("【Acme】"))
        # The plugin's read of the phone is in the audit trail, with its purpose.
        auditor = self.server.token("acme", "auditor")
        entries = self.server.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
        reads = [e for e in entries if e["action"] == "pii.read" and e["record"]["id"] == "s-1"]
        self.assertEqual(len(reads), 1, reads)
        # And in the personal-data access log, with the plugin as who and its purpose as why.
        log = self.server.request("GET", "/api/v1/privacy/access-log?limit=500", token=auditor)[2]["items"]
        reads = [e for e in log if e["what"]["customer"] == "s-1"]
        self.assertEqual(len(reads), 1, reads)
        self.assertEqual((reads[0]["who"]["id"], reads[0]["what"]["fields"], reads[0]["route"]),
                         ("plugin:channels/sms", ["phone"], "vocd.contact"))
        self.assertTrue(reads[0]["why"])

        status, _, body = self.reply("+86 138-1234-5678", "1 太慢了")
        self.assertEqual((status, body), (200, "OK"))
        evs = self.server.request("GET", "/api/v1/evaluations?channel=sms", token=self.token)[2]["items"]
        ev = [e for e in evs if e.get("invitation") == inv["id"]]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["scores"], {"csat": 1})
        self.assertEqual(ev[0]["text"], "太慢了")
        self.assertTrue(ev[0]["consent"])
        # A second reply finds no open invitation: nothing more is stored.
        self.assertEqual(self.reply("13812345678", "5")[0], 200)
        evs = self.server.request("GET", "/api/v1/evaluations?channel=sms", token=self.token)[2]["items"]
        self.assertEqual(len([e for e in evs if e.get("invitation") == inv["id"]]), 1)

    def test_an_unanswered_invitation_is_reminded_once(self):
        token = self.server.token("remind", "integrator")
        before = len(GATEWAY.received)

        def invite(cid, phone):
            status, _, inv = self.server.request("POST", "/api/v1/invitations", token=token,
                                                 body={"customer": {"external_id": cid, "phone": phone},
                                                       "channel": "sms"})
            self.assertEqual(status, 201, inv)

        # r-1 answers by reply at once, well within the 2 s; r-2 does not.
        invite("r-1", "13100001111")
        body = json.dumps({"from": "13100001111", "text": "4"}).encode()
        status, _, _ = self.server.request("POST", "/channels/sms/inbound?tenant=remind", body=body,
                                           headers={"Content-Type": "application/json", "X-Signature": sign(body)})
        self.assertEqual(status, 200)
        invite("r-2", "13100002222")

        def sent_to():
            return sorted(r["msg"]["to"] for r in GATEWAY.received[before:] if "【Remind】" in r["msg"]["text"])

        deadline = time.time() + 60
        while time.time() < deadline and sent_to().count("+8613100002222") < 2:
            time.sleep(0.2)
        time.sleep(3)  # nothing more comes
        self.assertEqual(sent_to(), ["+8613100001111", "+8613100002222", "+8613100002222"])

    def test_a_reply_answers_only_the_newest_sms_invitation(self):
        web = self.invite("s-5", "13800005555", channel="web")
        sms = self.invite("s-5", "13800005555")
        self.assertEqual(self.reply("13800005555", "5")[0], 200)
        self.assertEqual(self.reply("13800005555", "5")[0], 200)  # again, or replayed
        evs = self.server.request("GET", "/api/v1/evaluations?limit=500", token=self.token)[2]["items"]
        answered = {e.get("invitation") for e in evs}
        self.assertIn(sms["id"], answered)
        self.assertNotIn(web["id"], answered)

    def test_forged_replies_are_refused(self):
        self.invite("s-2", "13900002222")
        status, _, body = self.reply("13900002222", "5", signature="00" * 32)
        self.assertEqual((status, body), (401, "bad signature"))
        self.assertEqual(self.reply("13900002222", "5", tenant="nobody")[0], 404)
        status, _, body = self.server.request("POST", "/channels/fax/inbound?tenant=acme", body="{}",
                                              headers={"Content-Type": "application/json"})
        self.assertEqual(status, 404)

    def test_a_refusing_gateway_is_retried_then_a_dead_letter(self):
        GATEWAY.refuse = "Please rate"  # the English message
        try:
            before = len(GATEWAY.received)
            self.invite("s-4", "13700004444", lang="en")
            letters = self.server.wait_for_dead_letters(self.admin)
            self.assertTrue(letters, "no dead letter after the retries")
            self.assertIn("answered 503", letters[0]["error"])
            attempts = [r for r in GATEWAY.received[before:] if "Please rate" in r["msg"]["text"]]
            self.assertGreater(len(attempts), 1)  # retried before giving up
        finally:
            GATEWAY.refuse = None

    def test_notify_texts_a_member_of_staff(self):
        """The core's "notify" handler, called through the admin route: the person's phone comes with the call,
        so no customer data is read; no phone is "not sent" for good; a refusing gateway fails the call (the
        core's worker would retry it)."""
        staff = {"person": "zhou", "name": "周敏", "phone": "+8613800000001", "email": "zhou@example.com"}

        def notify(nid, text, to=staff):
            note = {"id": nid, "channel": "sms", "lang": "zh-CN", "subject": "VIP 低分预警", "text": text,
                    "rule": "workflows/vip_low_csat", "alert": "0000000000000003", "ticket": "0000000000000001",
                    "to": to}
            return self.server.request("POST", "/api/v1/plugins/sms/call/notify", body=note, token=self.admin)

        def staff_messages(marker):
            return [r for r in GATEWAY.received if marker in r["msg"]["text"]]

        auditor = self.server.token("acme", "auditor")

        def pii_reads():
            entries = self.server.request("GET", "/api/v1/audit?limit=1000", token=auditor)[2]["entries"]
            return len([e for e in entries if e["action"] == "pii.read"])

        reads = pii_reads()
        status, _, body = notify("00000000000000a1", "VIP 客户评分 1，工单 0000000000000001（a1）")
        self.assertEqual((status, body), (200, {"result": {"sent": True}}), body)
        sent = staff_messages("（a1）")
        self.assertEqual(len(sent), 1, sent)
        self.assertEqual(sent[0]["path"], "/send")
        self.assertEqual(sent[0]["msg"], {"to": "+8613800000001", "from": "",
                                          "text": "【Acme】VIP 客户评分 1，工单 0000000000000001（a1）"})
        self.assertEqual(sent[0]["signature"], sign(sent[0]["body"]))
        self.assertEqual(pii_reads(), reads)  # the staff member's phone is not customer data read through vocd

        status, _, body = notify("00000000000000a2", "（a2）", to={"person": "wu", "email": "wu@example.com"})
        self.assertEqual((status, body), (200, {"result": {"sent": False, "reason": "no phone number for wu"}}))
        self.assertEqual(staff_messages("（a2）"), [])

        GATEWAY.refuse = "（a3）"
        try:
            status, _, body = notify("00000000000000a3", "（a3）")
        finally:
            GATEWAY.refuse = None
        self.assertEqual(status, 500, body)
        self.assertEqual(body["error"]["code"], "plugin_error")
        self.assertIn("the SMS gateway answered 503 for notification 00000000000000a3", body["error"]["message"])
        self.assertEqual(len(staff_messages("（a3）")), 1)
        # Only an admin tries a channel's notify by hand: an integrator could text anyone anything.
        status, _, body = self.server.request("POST", "/api/v1/plugins/sms/call/notify", token=self.token,
                                              body={"id": "00000000000000a4", "text": "（a4）", "to": staff})
        self.assertEqual(status, 403, body)
        self.assertEqual(staff_messages("（a4）"), [])
