"""A full database or disk answers 507 storage_full, loses nothing acknowledged, and recovers."""
import resource
import subprocess
import threading
import unittest

from vocdtest import Server, VOCD

BIG_CONTEXT = {k: k[0] * 128 for k in ("agent", "team", "product_line", "region", "store", "dealer", "channel")}


def fill(server, token, limit=20000):
    """Writes until the server answers 507; returns the acknowledged ids and the 507 body."""
    acked, full = [], []
    lock = threading.Lock()

    def run(n):
        conn = server.connection()
        for i in range(limit // 4):
            with lock:
                if full:
                    return
            status, _, body = server.request("POST", "/api/v1/service-events", token=token, conn=conn,
                                             body={"type": "visit", "external_id": "f%d-%d" % (n, i),
                                                   "context": BIG_CONTEXT})
            with lock:
                if status == 201:
                    acked.append(body["id"])
                elif status == 507:
                    full.append(body)
                    return
                else:
                    raise AssertionError((status, body))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acked, full


class StorageFullTest(unittest.TestCase):
    def check_all_there(self, server, token, acked):
        conn = server.connection()
        for eid in acked:
            self.assertEqual(server.request("GET", "/api/v1/service-events/" + eid, token=token, conn=conn)[0], 200)

    def test_database_limit_gives_507_and_keeps_everything(self):
        s = Server(server_settings='limits = { db_max_size = "2MiB" }\n')
        self.addCleanup(s.cleanup)
        s.start()
        token = s.token("acme", "integrator")
        acked, full = fill(s, token)
        self.assertTrue(full, "never answered 507")
        self.assertEqual(full[0]["error"]["code"], "storage_full")
        self.assertGreater(len(acked), 100)
        # Reads go on; metrics count the refusals.
        self.assertEqual(s.request("GET", "/healthz")[0], 200)
        metrics = s.request("GET", "/metrics")[2]
        self.assertRegex(metrics, r"vocd_store_full_errors_total [1-9]")
        self.check_all_there(s, token, acked)
        # After a restart everything acknowledged is still there.
        self.assertEqual(s.stop(), 0)
        s.start()
        self.check_all_there(s, token, acked)

    def test_full_disk_gives_507_then_writes_resume(self):
        s = Server()
        self.addCleanup(s.cleanup)
        s.start()
        token = s.token("acme", "integrator")
        s.stop()
        # The server's files may not grow past 3 MiB: the kernel refuses writes as on a full disk.
        limit = 3 * 1024 * 1024

        def small_disk():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        s.log = open(s.log_path, "ab")
        s.proc = subprocess.Popen([VOCD, "serve", "--config", s.conf], stdout=s.log, stderr=s.log,
                                  preexec_fn=small_disk)
        import time
        for _ in range(100):
            try:
                if s.request("GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        acked, full = fill(s, token)
        self.assertTrue(full, "never answered 507")
        self.assertEqual(full[0]["error"]["code"], "storage_full")
        self.check_all_there(s, token, acked)
        s.stop()
        # Room again: the same database opens and takes writes.
        s.start()
        self.check_all_there(s, token, acked)
        status, _, _ = s.request("POST", "/api/v1/service-events", token=token, body={"type": "after"})
        self.assertEqual(status, 201)


if __name__ == "__main__":
    unittest.main()
