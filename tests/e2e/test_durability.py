"""Nothing acknowledged is lost: kill -9 during concurrent writes, then restart; online backup and restore."""
import os
import subprocess
import threading
import time
import unittest

from vocdtest import Server, VOCD


def writer(server, token, prefix, acked, stop, errors):
    conn = server.connection()
    i = 0
    while not stop.is_set():
        ext = "%s-%d" % (prefix, i)
        try:
            status, _, body = server.request("POST", "/api/v1/service-events", token=token, conn=conn,
                                             body={"type": "visit", "external_id": ext,
                                                   "context": {"store": "s-%d" % (i % 7)}})
        except Exception:  # the server was killed under us: whatever was not answered was not promised
            return
        if status == 201:
            acked.append((body["id"], ext))
        else:
            errors.append((status, body))
        i += 1


class DurabilityTest(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.addCleanup(self.server.cleanup)

    def test_kill_9_during_writes_loses_no_acknowledged_write(self):
        self.server.start()
        token = self.server.token("acme", "integrator")
        acked, errors, stop = [], [], threading.Event()
        threads = [threading.Thread(target=writer, args=(self.server, token, "w%d" % n, acked, stop, errors))
                   for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(3)
        self.server.kill9()          # while requests are in flight
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        self.assertGreater(len(acked), 50, "too few writes acknowledged to prove anything")

        self.server.start()
        conn = self.server.connection()
        for eid, ext in acked:
            status, _, body = self.server.request("GET", "/api/v1/service-events/" + eid, token=token, conn=conn)
            self.assertEqual(status, 200, eid)
            self.assertEqual(body["external_id"], ext)
        # Ids are unique: no acknowledged write was given an id that another one also got.
        self.assertEqual(len({e for e, _ in acked}), len(acked))
        # The server goes on writing after the crash.
        status, _, _ = self.server.request("POST", "/api/v1/service-events", token=token, body={"type": "after"})
        self.assertEqual(status, 201)

    def test_online_backup_and_restore(self):
        self.server.start()
        token = self.server.token("acme", "integrator")
        before = []
        for i in range(20):
            status, _, body = self.server.request("POST", "/api/v1/service-events", token=token,
                                                  body={"type": "visit", "external_id": "b-%d" % i})
            self.assertEqual(status, 201)
            before.append(body["id"])
        acked, errors, stop = [], [], threading.Event()
        t = threading.Thread(target=writer, args=(self.server, token, "during", acked, stop, errors))
        t.start()
        backup = os.path.join(self.server.dir, "backup")
        p = self.server.cli("backup", backup)   # while the writer goes on
        stop.set()
        t.join(30)
        self.assertIn("backup written", p.stdout)
        self.assertEqual(errors, [])
        self.server.stop()

        restored = Server()
        self.addCleanup(restored.cleanup)
        p = subprocess.run([VOCD, "restore", backup, "--config", restored.conf], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        restored.start()
        for eid in before:
            status, _, _ = restored.request("GET", "/api/v1/service-events/" + eid, token=token)
            self.assertEqual(status, 200, eid)

        # Restoring over an existing database is refused.
        p = subprocess.run([VOCD, "restore", backup, "--config", restored.conf], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("must hold no database", p.stderr)


if __name__ == "__main__":
    unittest.main()
