"""Counter codes: a printed QR code at a store opens a fresh invitation on each scan, rate limited."""
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from vocdtest import ServerTest, demo_tenant

DEMO = demo_tenant()


class CounterCodeTest(ServerTest):
    TENANTS = {"acme": DEMO, "globex": 'name = "Globex"\n'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls.server.token("acme", "supervisor")

    def make_code(self, store="s-3", **extra):
        body = dict({"store": store, "type": "repair"}, **extra)
        status, _, code = self.server.request("POST", "/api/v1/counter-codes", token=self.supervisor, body=body)
        self.assertEqual(status, 201, code)
        return code

    def scan(self, url, lang="zh-CN"):
        status, headers, _ = self.server.request("GET", urllib.parse.urlparse(url).path,
                                                 headers={"Accept-Language": lang})
        return status, headers.get("Location")

    def test_each_scan_opens_a_fresh_invitation(self):
        code = self.make_code()
        self.assertIn("/q/acme.", code["url"])
        s1, loc1 = self.scan(code["url"])
        s2, loc2 = self.scan(code["url"], lang="en")
        self.assertEqual((s1, s2), (303, 303))
        self.assertNotEqual(loc1, loc2)
        status, _, page = self.server.request("GET", urllib.parse.urlparse(loc1).path)
        self.assertEqual(status, 200)
        self.assertIn('name="agree"', page)
        token = self.server.token("acme", "integrator")
        inv_id = urllib.parse.urlparse(loc2).path.split(".")[1]
        status, _, inv = self.server.request("GET", "/api/v1/invitations/" + inv_id, token=token)
        self.assertEqual(inv["channel"], "counter")
        self.assertEqual(inv["context"], {"store": "s-3", "type": "repair"})
        self.assertEqual(inv["lang"], "en")
        self.assertTrue(inv["customer"]["external_id"].startswith("walkin-"))

    def test_scans_are_rate_limited_per_code(self):
        busy, other = self.make_code("s-busy"), self.make_code("s-other")
        # A burst of 30, then about one every 2 s: scanning on, a refusal comes soon.
        statuses = [self.scan(busy["url"])[0] for _ in range(30)]
        self.assertEqual(statuses, [303] * 30)
        more = [self.scan(busy["url"])[0] for _ in range(15)]
        self.assertIn(429, more)
        self.assertEqual(self.scan(other["url"])[0], 303)  # another code is not affected

    def test_forged_codes_and_roles(self):
        code = self.make_code()
        path = urllib.parse.urlparse(code["url"]).path
        tenant, cid, exp, mac = path[len("/q/"):].split(".")
        for bad in (".".join([tenant, cid, exp, mac[:-1] + ("A" if mac[-1] != "A" else "B")]),
                    ".".join(["globex", cid, exp, mac]), "junk"):
            self.assertEqual(self.server.request("GET", "/q/" + bad)[0], 404, bad)
        agent = self.server.token("acme", "agent")
        self.assertEqual(self.server.request("POST", "/api/v1/counter-codes", token=agent,
                                             body={"store": "x"})[0], 403)
        status, _, body = self.server.request("POST", "/api/v1/counter-codes", token=self.supervisor, body={})
        self.assertEqual(status, 422)
        self.assertIn("store", body["error"]["message"])

    @unittest.skipIf(shutil.which("zbarimg") is None, "zbarimg (zbar-tools) is not installed")
    def test_qr_decodes_to_the_code_url(self):
        code = self.make_code()
        status, headers, png = self.server.request("GET", "/api/v1/counter-codes/%s/qr" % code["id"],
                                                   token=self.supervisor)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "image/png")
        # The harness decodes text; fetch the bytes directly.
        conn = self.server.connection()
        conn.request("GET", "/api/v1/counter-codes/%s/qr" % code["id"],
                     headers={"Authorization": "Bearer " + self.supervisor})
        data = conn.getresponse().read()
        conn.close()
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(data)
            f.flush()
            out = subprocess.run(["zbarimg", "--raw", "-q", f.name], capture_output=True, text=True)
        self.assertEqual(out.stdout.strip(), code["url"])
        other = self.server.token("globex", "admin")
        self.assertEqual(self.server.request("GET", "/api/v1/counter-codes/%s/qr" % code["id"],
                                             token=other)[0], 404)
