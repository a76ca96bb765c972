"""Reports downloaded from a real server and opened with real readers: the figures as JSON, as CSV read by
Python's csv module (Chinese intact, the byte order mark Excel needs), as XLSX opened with openpyxl, both
opened by LibreOffice Calc (headless), as a self-contained HTML page; the monthly compliance report with the month's consents, withdrawals, hidden
evaluations, unmasked reads and exports and the audit chain's verdict. Hostile text (a script tag, a
spreadsheet formula) written by a caller stays inert in every format; every download is an attachment
under a policy that runs no script."""
import csv
import datetime
import io
import os
import subprocess
import tempfile
import urllib.parse

import openpyxl

from vocdtest import SOURCE, ServerTest

import time as _time

# Given just now, so that the month's report counts them (a consent counts in the month it was given).
CONSENT = {"notice_version": "2026-01", "time": int(_time.time() * 1000) - 60000, "channel": "app"}
TZ = datetime.timezone(datetime.timedelta(hours=8))
HOSTILE = "<script>alert('x')</script>"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"

TENANT = """name = "Acme"
people = { ["a-17"] = { name = "王芳", team = "care" } }
survey = { metrics = { "csat", "nps" },
           dimensions = { { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Response speed" } } } }
authenticity = { trusted_addresses = { "127.0.0.1" } }
plugins = {
  ["reports/json"] = true,
  ["reports/csv"] = true,
  ["reports/xlsx"] = true,
  ["reports/html"] = { brand = "Acme 客户服务" },
}
"""


class ReportsTest(ServerTest):
    TENANTS = {"acme": TENANT, "bare": 'name = "Bare"\n'}
    SETTINGS = 'plugins_dir = "%s"\n' % os.path.join(SOURCE, "plugins")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.auditor = s.token("acme", "auditor")
        cls.supervisor = s.token("acme", "supervisor")
        integrator = s.token("acme", "integrator")
        cls.ids = []
        for agent, csat, speed in (("a-17", 5, 5), ("a-17", 4, 2), ("a-17", 2, None), (HOSTILE, 5, 4), (FORMULA, 1, 1)):
            answer = {"scores": {"csat": csat, "nps": 9 if csat >= 4 else 3}}
            if speed:
                answer["dimensions"] = {"speed": speed}
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=integrator,
                                  body={"customer": {"a-17": "c-1"}.get(agent, "c-%d" % len(cls.ids)),
                                        "context": {"agent": agent, "team": "care"}, "consent": CONSENT,
                                        "answer": answer})
            assert st == 201, ev
            cls.ids.append(ev["id"])
        # A month's compliance events: a hidden answer (its note hostile), a withdrawal, an unmasked read, an export.
        st, _, body = s.request("POST", "/api/v1/evaluations/%s/hide" % cls.ids[0], token=cls.auditor,
                                body={"reason": "third_party_personal_data", "note": HOSTILE})
        assert st == 200, body
        st, _, inv = s.request("POST", "/api/v1/invitations", token=cls.admin,
                               body={"customer": {"external_id": "p-1", "phone": "13812345678"}, "channel": "web"})
        assert st == 201, inv
        for path in ("/api/v1/customers/p-1?unmasked=1", "/api/v1/customers/p-1/export"):
            st, _, body = s.request("GET", path, token=cls.admin)
            assert st == 200, body
        st, _, body = s.request("POST", "/api/v1/customers/p-1/withdraw-consent", token=cls.admin, body={})
        assert st in (200, 201), body
        cls.month = datetime.datetime.now(TZ).strftime("%Y-%m")

    def download(self, name, token=None, **query):
        status, headers, body = self.server.request("GET", "/api/v1/reports/%s?%s" % (name, urllib.parse.urlencode(query)),
                                                    token=token or self.admin)
        return status, headers, body

    def assert_download(self, headers, ext):
        self.assertIn("attachment; filename=", headers["Content-Disposition"])
        self.assertTrue(headers["Content-Disposition"].rstrip('"').endswith("." + ext))
        self.assertIn("sandbox", headers["Content-Security-Policy"])
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])

    def test_figures_as_json(self):
        status, headers, body = self.download("figures", format="json", group_by="agent")
        self.assertEqual(status, 200, body)
        self.assert_download(headers, "json")
        stats = self.server.request("GET", "/api/v1/stats?group_by=agent", token=self.admin)[2]
        self.assertEqual(body["data"]["groups"], stats["groups"])

    def test_figures_as_csv_read_by_pythons_csv_module(self):
        status, headers, text = self.download("figures", format="csv", group_by="agent", lang="en")
        self.assertEqual(status, 200, text)
        self.assert_download(headers, "csv")
        self.assertTrue(text.startswith("\ufeff"), "the byte order mark Excel needs to read UTF-8")
        self.assertIn("\r\n", text)
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        header = rows[rows.index(["Totals"]) + 1]
        self.assertEqual(header[:3], ["group", "answers", "CSAT (% of 4–5)"])
        by_group = {r[0]: r for r in rows if len(r) == len(header)}
        self.assertEqual(by_group["a-17"][1], "3")
        self.assertEqual(by_group[HOSTILE][1], "1")  # text, as written, inert in a spreadsheet
        self.assertIn("'" + FORMULA, by_group)      # never a formula
        # The survey's dimension, under its own name: a-17's two answers that rated the speed, 5 and 2.
        speed = header.index("Response speed mean")
        self.assertEqual((float(by_group["a-17"][speed]), by_group["a-17"][speed + 1]), (3.5, "2"))
        zh = self.download("figures", format="csv", group_by="agent")[2]
        self.assertIn("满意度（4–5 分占比 %）", zh)

    def raw(self, path):
        """The bytes of a download (vocdtest decodes answers that are not JSON as text)."""
        conn = self.server.connection()
        conn.request("GET", path, headers={"Authorization": "Bearer " + self.admin})
        answer = conn.getresponse()
        self.assertEqual(answer.status, 200)
        data = answer.read()
        conn.close()
        return data

    def libreoffice(self, data, name, to, infilter=None):
        """LibreOffice's own reading of a file: converted headless to \p to; the converted file's bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            command = ["soffice", "-env:UserInstallation=file://" + tmp + "/profile", "--headless", "--norestore"]
            if infilter:
                command.append("--infilter=" + infilter)
            command += ["--convert-to", to, "--outdir", os.path.join(tmp, "out"), os.path.join(tmp, name)]
            p = subprocess.run(command, capture_output=True, text=True, timeout=180)
            out = os.path.join(tmp, "out", os.path.splitext(name)[0] + "." + to.split(":")[0])
            self.assertTrue(os.path.exists(out), "LibreOffice did not convert %s: %s %s" % (name, p.stdout, p.stderr))
            with open(out, "rb") as f:
                return f.read()

    def test_figures_opened_by_libreoffice(self):
        # The workbook, read by LibreOffice Calc and written out as CSV (UTF-8): the sheet as a person sees it.
        book = self.raw("/api/v1/reports/figures?format=xlsx&group_by=agent")
        text = self.libreoffice(book, "figures.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76").decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0][:2], ["分组", "回答数"])
        by_group = {r[0]: r for r in rows[1:]}
        self.assertEqual(by_group["a-17"][1], "3")
        self.assertEqual(by_group[FORMULA][1], "1")  # the formula's text, never its result
        # The CSV, imported by LibreOffice as UTF-8 text (a headless import does not guess the character set:
        # it is told, as a person chooses it in Calc's import dialog): Chinese intact, the byte order mark not
        # in the first cell, the formula still text.
        data = self.raw("/api/v1/reports/figures?format=csv&group_by=agent")
        sheet = openpyxl.load_workbook(io.BytesIO(self.libreoffice(data, "figures.csv", "xlsx", "CSV:44,34,76"))).active
        rows = list(sheet.iter_rows(values_only=True))
        title = [r[0] for r in rows].index("合计")  # the section's title, then its header, then its rows
        self.assertEqual(rows[title + 1][:2], ("分组", "回答数"))
        cells = {r[0]: r for r in rows[title + 2:] if r[0]}
        self.assertEqual(cells["a-17"][1], 3)
        self.assertIn("'" + FORMULA, cells)
        self.assertTrue(all(sheet.cell(row=i + 1, column=1).data_type != "f" for i in range(len(rows))))

    def test_figures_as_xlsx_opened_with_openpyxl(self):
        status, headers, body = self.server.request("GET", "/api/v1/reports/figures?format=xlsx&group_by=agent&interval=day",
                                                    token=self.admin)
        self.assertEqual(status, 200)
        self.assert_download(headers, "xlsx")
        # vocdtest decodes answers that are not JSON as text: the bytes are fetched again.
        conn = self.server.connection()
        conn.request("GET", "/api/v1/reports/figures?format=xlsx&group_by=agent&interval=day",
                     headers={"Authorization": "Bearer " + self.admin})
        raw = conn.getresponse().read()
        conn.close()
        book = openpyxl.load_workbook(io.BytesIO(raw))
        self.assertEqual(book.sheetnames, ["合计", "趋势"])
        rows = list(book["合计"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:2], ("分组", "回答数"))
        by_group = {r[0]: r for r in rows[1:]}
        self.assertEqual(by_group["a-17"][1], 3)
        self.assertEqual(by_group["a-17"][rows[0].index("响应速度均值")], 3.5)
        self.assertEqual(by_group[FORMULA][1], 1)  # the formula stays text
        self.assertEqual(book["合计"].cell(row=2, column=1).data_type, "s")
        self.assertTrue(all(c.data_type != "f" for r in book["合计"].iter_rows() for c in r))

    def test_figures_as_html_page_with_a_chart(self):
        status, headers, html = self.download("figures", format="html", interval="day", group_by="agent")
        self.assertEqual(status, 200, html)
        self.assert_download(headers, "html")
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn("<svg", html)
        self.assertIn("Acme 客户服务", html)
        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html)

    def test_the_monthly_compliance_report(self):
        status, headers, body = self.download("compliance", format="json", month=self.month)
        self.assertEqual(status, 200, body)
        data = body["data"]
        self.assertEqual(data["evaluations_hidden"], 1)
        self.assertEqual(data["unmasked_reads"], 1)
        self.assertEqual(data["exports"], 1)
        self.assertEqual(data["consents_withdrawn"], 1)
        self.assertEqual(data["consents_given"], 5)
        self.assertEqual(data["customers_anonymised"], 1)
        self.assertTrue(data["audit"]["ok"])
        # The HTML version lists the hidden answer with its reason, the hostile note escaped.
        html = self.download("compliance", format="html", month=self.month)[2]
        self.assertIn("third_party_personal_data", html)
        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;", html)
        # Last month: nothing happened.
        last = self.download("compliance", format="json", month="2020-01")[2]["data"]
        self.assertEqual((last["evaluations_hidden"], last["unmasked_reads"], last["consents_given"]), (0, 0, 0))

    def test_who_may_download_what(self):
        self.assertEqual(self.download("compliance", token=self.supervisor, format="json")[0], 403)
        self.assertEqual(self.download("compliance", token=self.auditor, format="csv")[0], 200)
        self.assertEqual(self.download("figures", token=self.supervisor, format="csv")[0], 200)
        self.assertEqual(self.download("nothing", format="json")[0], 404)
        status, _, err = self.download("figures", format="pdf")
        self.assertEqual((status, err["error"]["code"]), (404, "format_not_enabled"))
        bare = self.server.token("bare", "admin")
        self.assertEqual(self.download("figures", token=bare, format="csv")[0], 404)
        self.assertEqual(self.download("figures", format="../csv")[0], 400)
        self.assertEqual(self.download("compliance", format="json", month="2026-13")[0], 400)
        self.assertEqual(self.download("figures", format="json", interval="year")[2]["error"]["code"], "invalid_parameter")
