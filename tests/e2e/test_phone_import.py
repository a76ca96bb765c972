"""The call centre import (channel plugin phone_import) in a running server: a signed CSV upload becomes
evaluations with a phone consent each; a file with unreadable rows is refused whole with their line numbers;
rows the core refuses are reported by index, which a dry run maps to lines; forged, oversized and non-UTF-8
uploads are refused; a second tenant uses a shared token instead of a signature."""
import datetime
import hashlib
import hmac
import json
import os
import time

from vocdtest import SOURCE, ServerTest, demo_tenant

DEMO = demo_tenant()

SECRET = "import-secret-0123456789"
TOKEN = "bravo-upload-token-0123456789"


def sign(timestamp, body):
    return hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def called(minutes_ago=60):
    """A call time as a call centre writes it: local time (+08:00) without a zone."""
    t = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(minutes=minutes_ago)
    return t.strftime("%Y-%m-%d %H:%M")


class PhoneImportTest(ServerTest):
    TENANTS = {
        "acme": DEMO.replace("plugins = {\n}", """plugins = {
  ["channels/phone_import"] = { secret = "%s", notice_version = "2026-11",
                                columns = { invitation = "工单号", csat = "满意度", text = "客户原话" },
                                dimensions = { speed = "响应速度" } },
}""" % SECRET),
        "bravo": DEMO.replace("plugins = {\n}", """plugins = {
  ["channels/phone_import"] = { auth = "token", token = "%s", notice_version = "2026-11" },
}""" % TOKEN),
    }
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")

    def invite(self, external_id, phone, tenant="acme"):
        token = self.token if tenant == "acme" else self.server.token(tenant, "integrator")
        body = {"customer": {"external_id": external_id, "phone": phone}, "channel": "phone"}
        status, _, inv = self.server.request("POST", "/api/v1/invitations", token=token, body=body)
        self.assertEqual(status, 201, inv)
        return inv

    def upload(self, text, query="", timestamp=None, signature=None, headers=None, tenant="acme"):
        body = text if isinstance(text, bytes) else text.encode()
        ts = timestamp or str(int(time.time()))
        h = headers if headers is not None else {"X-Timestamp": ts, "X-Signature": signature or sign(ts, body)}
        h = dict(h, **{"Content-Type": "text/csv; charset=utf-8"})
        return self.server.request("POST", "/channels/phone_import/inbound?tenant=" + tenant + query, body=body,
                                   headers=h)

    def evaluations(self, invitation, tenant_token=None):
        items = self.server.request("GET", "/api/v1/evaluations?channel=phone_import",
                                    token=tenant_token or self.token)[2]["items"]
        return [e for e in items if e.get("invitation") == invitation]

    def test_a_clean_file_becomes_evaluations(self):
        a, b = self.invite("p-1", "13800000001"), self.invite("p-2", "13800000002")
        c = self.invite("p-3", "13800000003")
        csv = ("\ufeff坐席,工单号,phone,满意度,nps,响应速度,tags,客户原话,called_at\r\n"
               f"小王,{a['id']},,5,10,5,fast；friendly,\"很满意，\"\"谢谢\"\"\",{called()}\r\n"
               f"小李,{b['id']},,2,,1,slow,\"等了很久\r\n第二次才接通\",{called(30)}\r\n"
               f"小张,,138 0000 0003,4,,,,,{called(10)}\r\n")
        status, _, summary = self.upload(csv)
        self.assertEqual((status, summary), (200, {"accepted": 3, "rejected": []}))
        ev = self.evaluations(a["id"])[0]
        self.assertEqual(ev["scores"], {"csat": 5, "nps": 10})
        self.assertEqual(ev["dimensions"], {"speed": 5})
        self.assertEqual(ev["tags"], ["fast", "friendly"])
        self.assertEqual(ev["text"], '很满意，"谢谢"')
        self.assertTrue(ev["consent"])
        self.assertEqual(self.evaluations(b["id"])[0]["text"], "等了很久\r\n第二次才接通")
        self.assertEqual(self.evaluations(c["id"])[0]["scores"], {"csat": 4})

    def test_unreadable_rows_refuse_the_whole_file_by_line(self):
        a, b = self.invite("p-4", "13800000004"), self.invite("p-5", "13800000005")
        head = "工单号,满意度,响应速度,客户原话,called_at\n"
        csv = (head + f"{a['id']},5,,\"两行\n文字\",{called()}\n"
               f"{b['id']},7,,,{called()}\n"
               f"{b['id']},3,,,tomorrow\n")
        status, _, r = self.upload(csv)
        self.assertEqual(status, 422)
        self.assertEqual(r["rows"], 3)
        self.assertEqual(r["accepted_rows"], 0)
        self.assertEqual([x["line"] for x in r["rejected"]], [4, 5])
        self.assertEqual(r["rejected"][0]["error"], "csat: expected 1 to 5, got 7")
        self.assertEqual(self.evaluations(a["id"]), [])  # nothing imported
        # Corrected, the same file goes in whole.
        fixed = head + f"{a['id']},5,,\"两行\n文字\",{called()}\n{b['id']},3,,,{called()}\n"
        self.assertEqual(self.upload(fixed)[2], {"accepted": 2, "rejected": []})
        self.assertEqual(len(self.evaluations(a["id"])), 1)

    def test_rows_the_core_refuses_are_named_by_index_and_a_dry_run_gives_their_lines(self):
        a = self.invite("p-6", "13800000006")
        done = self.invite("p-7", "13800000007")
        self.assertEqual(self.upload(f"工单号,满意度,响应速度,客户原话,called_at\n{done['id']},4,,,{called()}\n")[2],
                         {"accepted": 1, "rejected": []})
        csv = (f"工单号,phone,满意度,响应速度,客户原话,called_at\n"
               f"{done['id']},,5,,\"again\nand again\",{called()}\n"
               f"\n"
               f",139 9999 9999,5,,,{called()}\n"
               f"{a['id']},,,,only words,{called()}\n"
               f"{a['id']},,1,,,{called()}\n")
        status, _, check = self.upload(csv, query="&dry_run=1")
        self.assertEqual((status, check), (200, {"dry_run": True, "rows": 4, "valid_rows": 4, "rejected": [],
                                                 "lines": [2, 5, 6, 7]}))
        self.assertEqual(self.evaluations(a["id"]), [])  # a dry run imports nothing
        status, _, summary = self.upload(csv)
        self.assertEqual(status, 200)
        self.assertEqual(summary["accepted"], 1)
        rejected = {r["index"]: r["error"] for r in summary["rejected"]}
        self.assertEqual(sorted(rejected), [0, 1, 2])
        self.assertIn("already answered", rejected[0])
        self.assertIn("no open invitation", rejected[1])
        self.assertIn("csat", rejected[2])
        self.assertEqual(self.evaluations(a["id"])[0]["scores"], {"csat": 1})

    def test_forged_and_oversized_uploads_are_refused(self):
        a = self.invite("p-8", "13800000008")
        csv = f"工单号,满意度,响应速度,客户原话,called_at\n{a['id']},5,,,{called()}\n"
        status, _, r = self.upload(csv, signature="0" * 64)
        self.assertEqual((status, r), (401, {"error": "X-Signature: does not match"}))
        old = str(int(time.time()) - 3600)
        status, _, r = self.upload(csv, timestamp=old, signature=sign(old, csv.encode()))
        self.assertEqual((status, r), (401, {"error": "X-Timestamp: more than 300 seconds from now"}))
        status, _, r = self.upload(csv, headers={"X-Import-Token": TOKEN})  # bravo's token is no key to acme
        self.assertEqual(status, 401)
        status, _, r = self.upload(csv.encode("gbk"))
        self.assertEqual(status, 400)
        self.assertEqual(r["rejected"][0]["line"], 1)
        self.assertIn("not UTF-8", r["rejected"][0]["error"])
        rows = "工单号,满意度,响应速度,客户原话,called_at\n" + "".join(f"x{i},5,,,{called()}\n" for i in range(1001))
        status, _, r = self.upload(rows)
        self.assertEqual(status, 413)
        self.assertIn("at most 1000 per upload", r["rejected"][0]["error"])
        status, _, _ = self.upload(csv + "x" * (1 << 20))  # over limits.max_body: the core refuses it
        self.assertEqual(status, 413)
        self.assertEqual(self.evaluations(a["id"]), [])
        # A file in another layout is refused by its header, naming the setting.
        status, _, r = self.upload(f"工单号,满意度,called_at\n{a['id']},5,{called()}\n")
        self.assertEqual(status, 400)
        self.assertIn('no column "响应速度" (settings.dimensions.speed)', r["rejected"][0]["error"])

    def test_a_file_of_a_mebibyte_fits_the_plugin_budget(self):
        head = "工单号,满意度,响应速度,客户原话,called_at\n"
        text = "等了很久" * 830  # about 10 KB a row, 100 rows: just under limits.max_body
        big = head + "".join(f'nope{i},5,,"{text}",{called()}\n' for i in range(100))
        self.assertLess(len(big.encode()), 1 << 20)
        status, _, summary = self.upload(big)
        self.assertEqual(status, 200, summary)
        self.assertEqual(summary["accepted"], 0)
        self.assertEqual(len(summary["rejected"]), 100)
        self.assertEqual(summary["rejected"][99], {"index": 99, "ref": {"line": 101}, "error": "no such invitation"})
        # Hostile shapes are refused with a report, not by running out of budget.
        hostile = [
            (head + '"' + '""' * 400000 + '",5,,,x\n', 422, 2),          # one field of 400,000 quotes
            (head + "\r\n" * 400000 + "x,5,,,bad\n", 422, 400002),       # blank lines
            (head + "x,5,,,bad\n" * 90000, 413, 1),                         # rows
            ("a," * 400000 + "\n", 400, 1),                                 # fields
        ]
        for body, want, line in hostile:
            status, _, r = self.upload(body)
            self.assertEqual((status, r["rejected"][0]["line"]), (want, line), r)

    def test_a_tenant_with_a_shared_token(self):
        inv = self.invite("q-1", "13800000009", tenant="bravo")
        csv = f"invitation,csat,called_at\n{inv['id']},5,{called()}\n"
        status, _, r = self.upload(csv, tenant="bravo", headers={"X-Import-Token": TOKEN[:-1] + "x"})
        self.assertEqual((status, r), (401, {"error": "X-Import-Token: missing or wrong"}))
        status, _, r = self.upload(csv, tenant="bravo", headers={"X-Import-Token": TOKEN})
        self.assertEqual((status, r), (200, {"accepted": 1, "rejected": []}))
        bravo = self.server.token("bravo", "integrator")
        self.assertEqual(len(self.evaluations(inv["id"], bravo)), 1)
        self.assertEqual(self.evaluations(inv["id"]), [])  # not acme's
