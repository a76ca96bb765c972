"""Plugins in a running server: runaway, hostile and failing plugins are stopped within their budget and
reported while the server keeps answering; events reach Lua hooks; a broken reload keeps the old version."""
import time
import unittest

from vocdtest import Server, ServerTest

ALL = """
name = "Acme"
plugins = {
  ["workflows/good"] = { threshold = 2, tags = { "vip" } },
  ["workflows/loop"] = true,
  ["workflows/alloc"] = true,
  ["workflows/pattern"] = true,
  ["workflows/escape"] = true,
  ["workflows/raises"] = true,
  ["workflows/pcallloop"] = true,
}
"""


class RunawayPluginTest(ServerTest):
    TENANTS = {"acme": ALL, "globex": 'name = "Globex"\nplugins = { ["workflows/good"] = { threshold = 4 } }\n'}
    SETTINGS = 'limits = { lua_memory = "16MiB", lua_instructions = 20000000 }\n'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.server.token("acme", "integrator")
        cls.admin = cls.server.token("acme", "admin")
        cls.globex = cls.server.token("globex", "integrator")

    def call(self, plugin, handler, body=None, token=None):
        return self.server.request("POST", "/api/v1/plugins/%s/call/%s" % (plugin, handler),
                                   body=body if body is not None else {}, token=token or self.token)

    def assert_still_serving(self):
        self.assertEqual(self.server.request("GET", "/healthz", timeout=5)[0], 200)
        self.assertEqual(self.call("good", "echo")[0], 200)

    def test_good_plugin_gets_its_tenants_settings(self):
        status, _, body = self.call("good", "echo", {"x": 1})
        self.assertEqual(status, 200)
        self.assertEqual(body["result"]["tenant"], "acme")
        self.assertEqual(body["result"]["threshold"], 2)
        self.assertEqual(body["result"]["channel"], "sms")  # the schema's default
        status, _, body = self.call("good", "echo", {}, token=self.globex)
        self.assertEqual(body["result"]["tenant"], "globex")
        self.assertEqual(body["result"]["threshold"], 4)

    def test_each_runaway_is_stopped_within_its_budget(self):
        for plugin, handlers in (("loop", ["run"]), ("alloc", ["run"]), ("pattern", ["run", "method"]),
                                 ("pcallloop", ["run", "nested", "xpcall", "coroutine"])):
            for handler in handlers:
                started = time.time()
                status, _, body = self.call(plugin, handler)
                elapsed = time.time() - started
                self.assertEqual(status, 503, (plugin, handler, body))
                self.assertEqual(body["error"]["code"], "plugin_limit")
                self.assertLess(elapsed, 10, (plugin, handler))
                self.assert_still_serving()
            # The plugin itself goes on working for the next unit of work.
            if plugin != "pattern":
                self.assertEqual(self.call(plugin, "ok")[0], 200, plugin)

    def test_sandbox_escapes_fail(self):
        for handler in ("io", "os_execute", "os_getenv", "os_exit", "require", "package", "debug", "dofile",
                        "loadfile", "string_dump", "method_dump", "load_binary", "load_global", "string_meta",
                        "string_lib", "string_rawset", "setmetatable_string", "gc", "collectgarbage",
                        "global_env"):
            status, _, body = self.call("escape", handler)
            self.assertIn(status, (500, 503), (handler, body))
            self.assertIn(body["error"]["code"], ("plugin_error", "plugin_limit"), handler)
        # String methods are unchanged for everyone, and the server still runs.
        status, _, body = self.call("escape", "upper")
        self.assertEqual(body["result"], "ABCD")
        self.assert_still_serving()

    def test_errors_are_reported_with_file_and_line(self):
        status, _, body = self.call("raises", "run")
        self.assertEqual(status, 500)
        self.assertEqual(body["error"]["code"], "plugin_error")
        self.assertIn("boom 1", body["error"]["message"])
        self.assertEqual(self.call("raises", "ok")[2]["result"], "still fine")
        status, _, body = self.server.request("GET", "/api/v1/admin/plugins", token=self.admin)
        self.assertEqual(status, 200)
        raises = [p for p in body["plugins"] if p["name"] == "raises"][0]
        self.assertGreaterEqual(raises["errors"], 1)
        last = raises["last_error"]
        self.assertEqual(last["hook"], "run")
        self.assertTrue(last["file"].endswith("raises/plugin.lua"), last)
        self.assertEqual(last["line"], 4)
        metrics = self.server.request("GET", "/metrics")[2]
        self.assertRegex(metrics, r"vocd_plugin_errors_total [1-9]")
        # Another tenant's admin sees only its own plugins.
        globex_admin = self.server.token("globex", "admin")
        names = [p["name"] for p in self.server.request("GET", "/api/v1/admin/plugins", token=globex_admin)[2]["plugins"]]
        self.assertEqual(names, ["good"])

    def test_unknown_plugin_or_handler_is_404(self):
        self.assertEqual(self.call("nope", "run")[0], 404)
        self.assertEqual(self.call("good", "nope")[0], 404)
        self.assertEqual(self.call("loop", "run", token=self.globex)[0], 404)  # not enabled for globex

    def test_the_cores_events_can_be_hooked_but_not_published(self):
        # A forged evaluation or notification would be believed by the core and the workflow rules.
        for topic in ("evaluation.created", "ticket.opened", "notification.requested", "invitation.expired"):
            status, _, body = self.call("good", "publish", {"topic": topic, "data": {"id": "forged"}})
            self.assertEqual(status, 500, body)
            self.assertIn("the core's own kind of event", body["error"]["message"])

    def test_events_reach_hooks_and_failures_end_as_dead_letters(self):
        status, _, _ = self.call("good", "publish", {"topic": "review.posted", "data": {"id": "e-1"}})
        self.assertEqual(status, 200)
        deadline = time.time() + 20
        seen = None
        while time.time() < deadline:
            seen = self.call("good", "get", {"key": "seen"})[2]["result"].get("value")
            if seen and seen.get("last_id") == "e-1":
                break
            time.sleep(0.2)
        self.assertEqual(seen["last_id"], "e-1")
        self.assertEqual(seen["topic"], "review.posted")
        # globex's copy of the plugin saw nothing: events stay in their tenant.
        self.assertIsNone(self.call("good", "get", {"key": "seen"}, token=self.globex)[2]["result"].get("value"))
        # The raising hook is retried with backoff, then its event becomes a dead letter.
        letters = self.server.wait_for_dead_letters(self.admin)
        self.assertTrue(letters, "no dead letter after the retries")
        letter = letters[0]
        self.assertIn("raises", letter["subscriber"])
        self.assertEqual(letter["topic"], "review.posted")
        self.assertIn("hook failed", letter["error"])
        status, _, body = self.server.request("POST", "/api/v1/admin/dead-letters/%s/replay" % letter["id"],
                                              token=self.admin)
        self.assertEqual(status, 502)  # it fails again, and stays listed
        still = self.server.request("GET", "/api/v1/admin/dead-letters", token=self.admin)[2]["dead_letters"]
        self.assertIn(letter["id"], [d["id"] for d in still])
        self.assertEqual(self.server.request("GET", "/api/v1/admin/dead-letters",
                                             token=self.server.token("globex", "admin"))[2]["dead_letters"], [])


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.server = Server({"acme": 'name = "Acme"\nplugins = { ["workflows/good"] = { threshold = 1 } }\n'})
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.admin = self.server.token("acme", "admin")

    def threshold(self):
        status, _, body = self.server.request("POST", "/api/v1/plugins/good/call/echo", body={}, token=self.admin)
        self.assertEqual(status, 200)
        return body["result"]["threshold"]

    def reload(self):
        return self.server.request("POST", "/api/v1/admin/reload", token=self.admin)

    def test_broken_reload_keeps_the_old_version(self):
        self.server.write_tenant("acme", 'name = "Acme"\nplugins = { ["workflows/good"] = { threshold = 3 },'
                                         ' ["workflows/badload"] = true }\n')
        status, _, body = self.reload()
        self.assertEqual(status, 422)
        self.assertEqual(body["error"]["code"], "reload_failed")
        self.assertIn("badload", body["error"]["message"])
        self.assertEqual(self.threshold(), 1)

        self.server.write_tenant("acme", 'name = "Acme"\nplugins = { ["workflows/good"] = { threshold = "high" } }\n')
        status, _, body = self.reload()
        self.assertEqual(status, 422)
        self.assertIn("threshold", body["error"]["message"])
        self.assertEqual(self.threshold(), 1)

        # The same through SIGHUP: refused, logged, old version kept.
        self.server.write_tenant("acme", 'name = Acme\n')
        self.server.reload()
        time.sleep(1)
        self.assertIn("reload refused", self.server.read_log())
        self.assertEqual(self.threshold(), 1)

    def test_good_reload_swaps_in(self):
        self.server.write_tenant("acme", 'name = "Acme"\nplugins = { ["workflows/good"] = { threshold = 5 } }\n')
        status, _, body = self.reload()
        self.assertEqual(status, 200, body)
        self.assertEqual(self.threshold(), 5)
        self.server.write_tenant("acme", 'name = "Acme"\nplugins = { ["workflows/good"] = { threshold = 0 } }\n')
        self.server.reload()
        deadline = time.time() + 10
        while time.time() < deadline and self.threshold() != 0:
            time.sleep(0.1)
        self.assertEqual(self.threshold(), 0)


if __name__ == "__main__":
    unittest.main()
