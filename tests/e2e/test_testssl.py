"""testssl (Debian's testssl.sh) against a running vocd: TLS 1.2 minimum, AEAD and forward secrecy only,
no client-initiated renegotiation."""
import json
import os
import shutil
import subprocess
import unittest

from vocdtest import ServerTest

TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")


@unittest.skipIf(TESTSSL is None, "testssl is not installed (scripts/setup installs it)")
class TestsslTest(ServerTest):
    def test_policy(self):
        out = os.path.join(self.server.dir, "testssl.json")
        p = subprocess.run([TESTSSL, "--quiet", "--color", "0", "--warnings", "off", "--jsonfile", out,
                            "-p", "-s", "-f", "-R", "https://127.0.0.1:%d" % self.server.port],
                           capture_output=True, text=True, timeout=600)
        self.assertTrue(os.path.exists(out), p.stdout + p.stderr)
        with open(out) as f:
            findings = {item["id"]: item["finding"] for item in json.load(f)}
        for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            self.assertIn("not offered", findings[old], old)
        self.assertTrue(findings["TLS1_2"].startswith("offered"), findings["TLS1_2"])
        # "AVERAGE" is testssl's category for the obsolete CBC suites.
        for weak in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                     "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"):
            self.assertIn("not offered", findings[weak], weak)
        self.assertTrue(findings["cipherlist_STRONG"].startswith("offered"))
        self.assertTrue(findings["PFS"].startswith("offered"))
        for suite in findings["PFS_ciphers"].split():
            self.assertTrue(suite.startswith("ECDHE-") and ("GCM" in suite or "CHACHA20-POLY1305" in suite), suite)
        self.assertIn("not vulnerable", findings["secure_client_renego"])
