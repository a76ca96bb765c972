"""A fake gateway on loopback for the channel tests (an SMS gateway, a mail relay, an app): records every
POST it gets (with the status it answered) and answers `status`, or 503 to the messages a test chooses to
refuse. Deliveries are in order per tenant, so a message being retried holds back the next ones: the waits
allow for that."""
import http.server
import json
import threading
import time


class FakeServer(http.server.ThreadingHTTPServer):
    def __init__(self, status=200, refuse_field="text"):
        self.received = []
        self.status = status
        self.refuse = None               # refuse messages whose `refuse_field` contains this text
        self.refuse_field = refuse_field
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    def wait_for(self, n, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline and len(self.received) < n:
            time.sleep(0.05)
        return self.received


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = json.loads(body)
        refuse = self.server.refuse
        refused = refuse and isinstance(msg, dict) and refuse in str(msg.get(self.server.refuse_field, ""))
        status = 503 if refused else self.server.status
        self.server.received.append({"path": self.path, "body": body, "msg": msg,
                                     "signature": self.headers.get("X-Signature"),
                                     "timestamp": self.headers.get("X-Timestamp"),
                                     "key": self.headers.get("Idempotency-Key"), "status": status})
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass
