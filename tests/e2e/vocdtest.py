"""Starts a real vocd on a loopback port with a configuration of the test's own, and talks HTTPS to it.

The server's development certificate is the trust anchor, so the client verifies it as any client would.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import textwrap
import time
import unittest

VOCD = os.environ.get("VOCD_BIN", "build/vocd")
SOURCE = os.environ.get("VOCD_SOURCE_DIR", os.getcwd())
FIXTURES = os.path.join(SOURCE, "tests", "plugins", "fixtures")


def demo_tenant():
    """The demo tenant's file with an empty plugins table: collection and channel tests add the plugin they
    test (DEMO.replace("plugins = {\n}", ...)) and run without the demo's workflow rules."""
    with open(os.path.join(SOURCE, "conf", "tenants", "demo.lua")) as f:
        return re.sub(r"^plugins = \{$.*?^\}$", "plugins = {\n}", f.read(), count=1, flags=re.M | re.S)


def browser_node(chromium):
    """The node that drives chromium (tests/browser/*.mjs). Missing tools fail the test rather than skip it:
    the browser tests are part of the suite."""
    node = shutil.which("node")
    missing = [what for what, ok in (("node", node), ("chromium (%s)" % chromium, os.access(chromium, os.X_OK)),
                                     ("certutil", shutil.which("certutil")),
                                     ("tests/browser/node_modules (npm ci)",
                                      os.path.isdir(os.path.join(SOURCE, "tests", "browser", "node_modules",
                                                                 "playwright-core"))))
               if not ok]
    if missing:
        raise RuntimeError("browser test needs %s: run scripts/setup" % ", ".join(missing))
    return node


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One vocd process with its own directory: conf/vocd.lua, conf/tenants/*.lua, data/."""

    def __init__(self, tenants=None, server_settings="", plugins_dir=FIXTURES, plain_http=False):
        self.dir = tempfile.mkdtemp(prefix="vocd-e2e-")
        self.port = free_port()
        self.plain_http = plain_http
        self.conf = os.path.join(self.dir, "conf", "vocd.lua")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(os.path.join(self.dir, "conf", "tenants"))
        with open(self.conf, "w") as f:
            f.write(textwrap.dedent(f"""\
                listen = "127.0.0.1:{self.port}"
                data_dir = "{self.data}"
                key_file = "{self.dir}/keys/master.key"
                plugins_dir = "{plugins_dir}"
                plain_http = {"true" if plain_http else "false"}
                access_log = "access.log"
                threads = {{ http = 8, bus = 2 }}
                """) + server_settings)
        for tid, text in (tenants or {"acme": 'name = "Acme"\n'}).items():
            self.write_tenant(tid, text)
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")

    def write_tenant(self, tid, text):
        with open(os.path.join(self.dir, "conf", "tenants", tid + ".lua"), "w") as f:
            f.write(textwrap.dedent(text))

    def start(self, timeout=30, env=None):
        """Starts vocd serve; \p env adds to the environment (a clock moved back with libfaketime)."""
        self.cli("init")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([VOCD, "serve", "--config", self.conf], stdout=self.log, stderr=self.log,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("vocd exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                status, _, _ = self.request("GET", "/healthz", timeout=2)
                if status == 200:
                    return self
            except (OSError, ssl.SSLError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError("vocd did not answer /healthz in time:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def ssl_context(self, **kw):
        ctx = ssl.create_default_context(cafile=os.path.join(self.data, "dev-cert.pem"))
        for k, v in kw.items():
            setattr(ctx, k, v)
        return ctx

    def connection(self, timeout=30, context=None):
        if self.plain_http:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=context or self.ssl_context())

    def request(self, method, path, body=None, token=None, headers=None, timeout=30, conn=None):
        """Returns (status, headers, parsed JSON or text)."""
        own = conn is None
        c = conn or self.connection(timeout)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
        finally:
            if own:
                c.close()
        ctype = r.getheader("Content-Type", "")
        if ctype.startswith("application/json"):
            return r.status, dict(r.getheaders()), json.loads(data)
        return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")

    def cli(self, *args, check=True, input=None):
        p = subprocess.run([VOCD, *args, "--config", self.conf], capture_output=True, text=True, timeout=60,
                           input=input)
        if check and p.returncode != 0:
            raise RuntimeError("vocd %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def token(self, tenant, role="admin"):
        return self.cli("token", "create", "--tenant", tenant, "--role", role).stdout.strip()

    def wait_for_dead_letters(self, admin_token, seconds=90):
        """The tenant's dead letters, once there is at least one (a delivery fails 8 times with backoff
        first), or [] after \p seconds."""
        deadline = time.time() + seconds
        while True:
            letters = self.request("GET", "/api/v1/admin/dead-letters", token=admin_token)[2]["dead_letters"]
            if letters or time.time() > deadline:
                return letters
            time.sleep(1)

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()
        self.proc = None

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            rc = self.proc.returncode
            self.proc = None
            return rc
        return None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ServerTest(unittest.TestCase):
    """A test case with one server started for the whole class (override TENANTS / SETTINGS)."""
    TENANTS = None
    SETTINGS = ""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.TENANTS, cls.SETTINGS).start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        log = cls.server.read_log()
        cls.server.cleanup()
        # A clean stop, and nothing the sanitizers complained about.
        if rc not in (0, None) or "ERROR: AddressSanitizer" in log or "runtime error:" in log:
            raise AssertionError("vocd did not stop cleanly (%s):\n%s" % (rc, log[-5000:]))
