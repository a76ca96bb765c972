"""QR codes of invitations: GET /api/v1/invitations/<id>/qr as PNG and SVG, each decoded by a real scanner
(zbarimg, Debian package zbar-tools) back to the invitation's survey link; tenants kept apart; bad formats
refused."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from vocdtest import ServerTest

ZBARIMG = shutil.which("zbarimg")
SVG_NS = "{http://www.w3.org/2000/svg}"


def scan(image_bytes, suffix):
    """Decodes a QR code image with zbarimg; returns the text."""
    if not ZBARIMG:
        raise AssertionError("zbarimg not found: install zbar-tools")
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(image_bytes)
        f.flush()
        p = subprocess.run([ZBARIMG, "--raw", "-q", f.name], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("zbarimg found no code (%d): %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout.decode("utf-8").rstrip("\n")


def svg_to_pgm(svg, scale=6):
    """Rasterises our SVG (a white square and one path of unit-high rectangles) to a greyscale PGM, checking
    its shape on the way: a square viewBox, one path, crisp edges."""
    root = ET.fromstring(svg)  # well-formed, or this raises
    assert root.tag == SVG_NS + "svg", root.tag
    assert root.get("shape-rendering") == "crispEdges"
    x0, y0, w, h = (int(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (0, 0) and w == h, root.get("viewBox")
    paths = root.findall(SVG_NS + "path")
    assert len(paths) == 1, len(paths)
    grid = [[255] * w for _ in range(h)]
    d = paths[0].get("d")
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d)
    assert "".join("M%s %sh%sv1h-%sz" % r for r in runs) == d, "unexpected path syntax"
    for x, y, n, _ in runs:
        x, y, n = int(x), int(y), int(n)
        for i in range(n):
            grid[y][x + i] = 0
    rows = []
    for row in grid:
        line = bytes(v for v in row for _ in range(scale))
        rows.extend([line] * scale)
    return b"P5\n%d %d\n255\n" % (w * scale, h * scale) + b"".join(rows), w


class QrTest(ServerTest):
    TENANTS = {
        "acme": 'name = "Acme"\n',
        "globex": 'name = "Globex"\ninvitations = { survey_url = "https://feedback.globex.example" }\n',
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")
        cls.auditor = cls.server.token("acme", "auditor")
        cls.globex = cls.server.token("globex", "integrator")

    def invite(self, external_id, token=None):
        status, _, body = self.server.request("POST", "/api/v1/invitations", token=token or self.token,
                                              body={"customer": {"external_id": external_id},
                                                    "context": {"type": "repair", "store": "s-1"}, "channel": "web"})
        self.assertEqual(status, 201, body)
        return body

    def fetch(self, path, token):
        """GET returning (status, headers, raw bytes): images must not go through a text decode."""
        c = self.server.connection()
        try:
            c.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def test_png_decodes_to_the_link(self):
        inv = self.invite("c-1")
        status, headers, png = self.fetch("/api/v1/invitations/%s/qr" % inv["id"], self.token)
        self.assertEqual(status, 200, png[:300])
        self.assertEqual(headers["content-type"], "image/png")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(scan(png, ".png"), inv["url"])
        # ?format=png is the same image; any role of the tenant may fetch it.
        status, _, again = self.fetch("/api/v1/invitations/%s/qr?format=png" % inv["id"], self.auditor)
        self.assertEqual(status, 200)
        self.assertEqual(again, png)

    def test_svg_decodes_to_the_link(self):
        inv = self.invite("c-2")
        status, headers, svg = self.fetch("/api/v1/invitations/%s/qr?format=svg" % inv["id"], self.token)
        self.assertEqual(status, 200, svg[:300])
        self.assertTrue(headers["content-type"].startswith("image/svg+xml"), headers["content-type"])
        self.assertEqual(headers["cache-control"], "no-store")
        pgm, modules = svg_to_pgm(svg)
        self.assertGreaterEqual(modules, 21 + 8)
        self.assertEqual(scan(pgm, ".pgm"), inv["url"])

    def test_tenant_base_url_is_in_the_code(self):
        inv = self.invite("g-1", token=self.globex)
        self.assertTrue(inv["url"].startswith("https://feedback.globex.example/s/globex."), inv["url"])
        status, _, png = self.fetch("/api/v1/invitations/%s/qr" % inv["id"], self.globex)
        self.assertEqual(status, 200)
        self.assertEqual(scan(png, ".png"), inv["url"])

    def test_other_tenant_and_missing_get_404(self):
        inv = self.invite("c-3")
        for fmt in ("png", "svg"):
            status, _, body = self.fetch("/api/v1/invitations/%s/qr?format=%s" % (inv["id"], fmt), self.globex)
            self.assertEqual(status, 404, body)
            self.assertNotIn(b"PNG", body[:8])
        status, _, body = self.fetch("/api/v1/invitations/0000000000000000/qr", self.token)
        self.assertEqual(status, 404, body)
        # No token at all.
        status, _, _ = self.server.request("GET", "/api/v1/invitations/%s/qr" % inv["id"])
        self.assertEqual(status, 401)

    def test_bad_format_is_400(self):
        inv = self.invite("c-4")
        for query in ("format=gif", "format=", "format", "format=" + "p" * 100, "format=PNG"):
            status, headers, body = self.fetch("/api/v1/invitations/%s/qr?%s" % (inv["id"], query), self.token)
            self.assertEqual(status, 400, (query, body))
            self.assertIn(b'"bad_format"', body)
        # Other parameters are ignored.
        status, _, _ = self.fetch("/api/v1/invitations/%s/qr?size=9&format=svg" % inv["id"], self.token)
        self.assertEqual(status, 200)

    def test_answered_invitation_keeps_its_code(self):
        inv = self.invite("c-5")
        path = urllib.parse.urlparse(inv["url"]).path
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        self.server.request("GET", path)
        self.server.request("POST", path, body="step=consent&agree=yes", headers=form)
        status, _, page = self.server.request("POST", path, body="step=answer&csat=5", headers=form)
        self.assertEqual(status, 200, page[-500:])
        status, _, rec = self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=self.token)
        self.assertEqual(rec["state"], "answered")
        status, _, png = self.fetch("/api/v1/invitations/%s/qr" % inv["id"], self.token)
        self.assertEqual(status, 200)
        self.assertEqual(scan(png, ".png"), inv["url"])


if __name__ == "__main__":
    unittest.main()
