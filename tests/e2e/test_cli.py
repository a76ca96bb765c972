"""The command line: check, usage mistakes, plain HTTP only when asked for."""
import subprocess
import unittest

from vocdtest import Server, VOCD


class CliTest(unittest.TestCase):
    def test_check_embedded_default(self):
        p = subprocess.run([VOCD, "check"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ok (1 tenant(s)", p.stdout)

    def test_check_reports_file_line_and_expectation(self):
        s = Server(server_settings='limits = { max_body = "lots" }\n')
        self.addCleanup(s.cleanup)
        s.write_tenant("acme", 'name = Acme\n')
        p = s.cli("check", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"vocd\.lua:\d+: limits\.max_body: expected a size")
        self.assertIn("acme.lua:1: 'Acme' is not defined: if it is text, put it in quotes", p.stderr)

    def test_usage_mistakes_exit_2(self):
        for args in ([], ["frobnicate"], ["token", "create"], ["serve", "extra"]):
            p = subprocess.run([VOCD, *args], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("usage: vocd", p.stderr)

    def test_token_for_unknown_tenant_or_role(self):
        s = Server()
        self.addCleanup(s.cleanup)
        p = s.cli("token", "create", "--tenant", "nobody", "--role", "admin", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no tenant 'nobody'", p.stderr)
        p = s.cli("token", "create", "--tenant", "acme", "--role", "king", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--role must be one of", p.stderr)

    def test_plain_http_only_when_configured(self):
        s = Server(plain_http=True)
        self.addCleanup(s.cleanup)
        s.start()
        status, _, body = s.request("GET", "/healthz")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
