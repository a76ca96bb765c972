"""HTTPS front: health, metrics, JSON errors, caps, and the TLS policy (1.2 minimum, AEAD suites only)."""
import http.client
import os
import socket
import ssl
import time

from vocdtest import ServerTest


class HttpTest(ServerTest):
    def test_healthz(self):
        status, headers, body = self.server.request("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(headers.get("Cache-Control"), "no-store")

    def test_metrics_in_prometheus_format(self):
        self.server.request("GET", "/healthz")
        status, headers, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        for name in ("vocd_http_requests_total{code=\"2xx\"}", "vocd_http_request_duration_seconds_bucket",
                     "vocd_store_commits_total", "vocd_store_batch_size_bucket", "vocd_bus_backlog",
                     "vocd_plugin_errors_total"):
            self.assertIn(name, text)
        ok = [l for l in text.splitlines() if l.startswith('vocd_http_requests_total{code="2xx"}')][0]
        self.assertGreaterEqual(int(ok.split()[1]), 1)

    def test_unknown_path_is_a_json_404(self):
        status, _, body = self.server.request("GET", "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "not_found")

    def test_no_directory_listing_or_files(self):
        for path in ("/", "/conf/", "/../conf/vocd.lua", "/data/dev-cert.pem"):
            status, _, body = self.server.request("GET", path)
            self.assertEqual(status, 404, path)
            self.assertIn("error", body)

    def test_wrong_method_is_405_with_allowed_methods(self):
        status, _, body = self.server.request("DELETE", "/healthz")
        self.assertEqual(status, 405)
        self.assertIn("GET", body["error"]["message"])

    def test_api_needs_a_token(self):
        status, headers, body = self.server.request("GET", "/api/v1/whoami")
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers.get("WWW-Authenticate", ""))
        self.assertEqual(body["error"]["code"], "unauthorized")

    def test_body_over_the_cap_is_413(self):
        token = self.server.token("acme", "admin")
        status, _, body = self.server.request("POST", "/api/v1/service-events", body="x" * (1024 * 1024 + 10),
                                              token=token, headers={"Content-Type": "application/json"})
        self.assertEqual(status, 413)
        self.assertEqual(body["error"]["code"], "too_large")

    def test_absurd_content_length_is_413_without_waiting_for_the_body(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
            with self.server.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1") as s:
                s.sendall(b"POST /api/v1/service-events HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 99999999999999\r\n\r\n")
                answer = s.recv(4096).decode()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)

    def test_huge_headers_are_refused(self):
        # Refused with a status, or the connection closed while the client was still sending.
        try:
            status, _, _ = self.server.request("GET", "/healthz", headers={"X-Big": "a" * 40000})
        except (OSError, http.client.HTTPException):  # a reset, or TLS cut short (ssl.SSLEOFError)
            status = "closed"
        self.assertIn(status, (413, 431, 400, "closed"))
        self.assertEqual(self.server.request("GET", "/healthz")[0], 200)

    def test_tls_1_2_is_accepted(self):
        ctx = self.server.ssl_context(maximum_version=ssl.TLSVersion.TLSv1_2)
        status, _, _ = self.server.request("GET", "/healthz", conn=self.server.connection(context=ctx))
        self.assertEqual(status, 200)

    def _handshake(self, ctx):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                return s.version(), s.cipher()

    def test_tls_1_0_and_1_1_are_refused(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.minimum_version = version
            ctx.maximum_version = version
            with self.assertRaises((ssl.SSLError, ConnectionError), msg=str(version)):
                self._handshake(ctx)

    def test_only_forward_secret_aead_suites(self):
        version, cipher = self._handshake(self.server.ssl_context())
        self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
        self.assertTrue(cipher[0].startswith("ECDHE-") and ("GCM" in cipher[0] or "CHACHA20" in cipher[0]), cipher)
        for weak in ("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA256",
                     "DHE-RSA-AES128-GCM-SHA256"):
            ctx = self.server.ssl_context(maximum_version=ssl.TLSVersion.TLSv1_2)
            ctx.set_ciphers(weak + ":@SECLEVEL=0")
            with self.assertRaises((ssl.SSLError, ConnectionError), msg=weak):
                self._handshake(ctx)

    def _cpu_seconds(self):
        with open("/proc/%d/stat" % self.server.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def test_silent_clients_cost_no_cpu_and_are_dropped(self):
        # Connections that never start the TLS handshake: no busy loop, and closed after the handshake time.
        idle = [socket.create_connection(("127.0.0.1", self.server.port), timeout=30) for _ in range(3)]
        time.sleep(0.5)
        before = self._cpu_seconds()
        time.sleep(3)
        used = self._cpu_seconds() - before
        self.assertLess(used, 0.5, "%.2f s of CPU in 3 s for idle connections" % used)
        self.assertEqual(self.server.request("GET", "/healthz")[0], 200)
        started = time.time()
        for s in idle:
            self.assertEqual(s.recv(1), b"")  # closed by the server
            s.close()
        self.assertLess(time.time() - started, 15)

    def test_access_log_cannot_be_forged_and_hides_survey_secrets(self):
        self.server.request("GET", "/healthz%0aFORGED%20LINE")
        self.server.request("GET", "/s/acme.0123456789abcdef.1999999999.SECRETMACSECRETMACSECRE")
        deadline = time.time() + 5
        log = ""
        while time.time() < deadline and "0123456789abcdef" not in log:
            with open(os.path.join(self.server.data, "access.log")) as f:
                log = f.read()
            time.sleep(0.1)
        self.assertFalse([l for l in log.splitlines() if l.startswith("FORGED")])
        self.assertIn("/healthz\\x0aFORGED\\x20LINE", log)
        self.assertIn("/s/acme.0123456789abcdef.", log)
        self.assertNotIn("SECRETMAC", log)
