#!/usr/bin/env python3
"""Benchmark helper for scripts/bench-rules: from an evaluation's acknowledgement to its ticket.

One evaluation at a time (CSAT 1: the rules open a ticket for it), over HTTPS keep-alive: the time of the
201 answer is the acknowledgement; a second connection then asks for tickets after the last one seen until
the new ticket is there. Polling makes each figure late by at most one round trip of that question, which
is measured too and printed (poll_us). Prints one line of key=value figures, in milliseconds.

usage: ticket_latency.py URL CA_FILE TOKEN COUNT
"""
import http.client
import json
import ssl
import sys
import time
import urllib.parse


def main():
    url, cafile, token, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    u = urllib.parse.urlparse(url)
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    post = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    poll = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def request(conn, method, path, body=None):
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")

    last = ""
    acks, tickets, polls = [], [], []
    for i in range(count):
        body = json.dumps({"customer": "lat-%d" % i, "context": {"team": "care", "agent": "a-17"},
                           "answer": {"scores": {"csat": 1, "nps": 2}, "text": "等待时间太长，问题也没有解决。"}})
        t0 = time.perf_counter()
        status, ev = request(post, "POST", "/api/v1/evaluations", body)
        t1 = time.perf_counter()
        if status != 201:
            sys.exit("ticket_latency: POST answered %d: %s" % (status, ev))
        acks.append(t1 - t0)
        while True:
            p0 = time.perf_counter()
            status, page = request(poll, "GET", "/api/v1/tickets?limit=1" + ("&after=" + last if last else ""))
            polls.append(time.perf_counter() - p0)
            if page["items"]:
                ticket = page["items"][0]
                if ticket.get("evaluation") != ev["id"]:
                    sys.exit("ticket_latency: the ticket %s is not the evaluation's %s" % (ticket["id"], ev["id"]))
                tickets.append(time.perf_counter() - t1)
                last = ticket["id"]
                break
            if time.perf_counter() - t1 > 10:
                sys.exit("ticket_latency: no ticket 10 s after evaluation %s" % ev["id"])

    def pct(values, q):
        v = sorted(values)
        return v[min(len(v) - 1, int(q * len(v)))] * 1000

    print("count=%d ack_p50=%.2f ack_p99=%.2f ticket_p50=%.2f ticket_p99=%.2f ticket_max=%.2f poll_us=%.0f" % (
        count, pct(acks, 0.5), pct(acks, 0.99), pct(tickets, 0.5), pct(tickets, 0.99), max(tickets) * 1000,
        pct(polls, 0.5) * 1000))


if __name__ == "__main__":
    main()
