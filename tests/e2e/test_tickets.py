"""Tickets in a running server: complaints open them, people move them through their states as their role
allows, SLA clocks run on the business calendar (over holidays and adjusted working days, paused while the
ticket waits on the customer, breached on time), and a resolved ticket's revisit closes or reopens it."""
import datetime
import os
import time

from vocdtest import ServerTest

# A team whose name takes 126 bytes: its turns are counted like any other's.
LONG_TEAM = "华东大区上海浦东新区陆家嘴金融贸易区世纪大道一百号环球金融中心客户服务一部售后服务组"
assert len(LONG_TEAM.encode()) == 126

PEOPLE = """
people = {
  zhou = { name = "周敏", roles = { "service_director" } },
  li = { name = "李强", roles = { "supervisor" }, manager = "zhou", manages = { "team:care" } },
  ["a-17"] = { name = "王芳", team = "care", manager = "li" },
  ["a-18"] = { name = "赵磊", team = "care", manager = "li" },
  ["a-31"] = { name = "孙丽", team = "%s", manager = "li" },
  ["a-32"] = { name = "钱进", team = "%s", manager = "li" },
}
""" % ((LONG_TEAM,) * 2)

# Every hour of every day is working time here, so that a clock of "3s" ends three seconds later.
ROUND_THE_CLOCK = """
calendar = { utc_offset = "+08:00", hours = { weekdays = { "00:00-24:00" }, saturday = { "00:00-24:00" },
                                               sunday = { "00:00-24:00" } } }
"""

CST = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime.now(CST).date()


def day(d):
    return d.isoformat()


def office_calendar():
    """A holiday of three days starting today, and the first Saturday after it worked instead (调休)."""
    holiday_end = TODAY + datetime.timedelta(days=2)
    saturday = holiday_end + datetime.timedelta(days=(5 - holiday_end.weekday()) % 7 or 7)
    return holiday_end, saturday, """
calendar = {
  utc_offset = "+08:00",
  hours = { weekdays = { "09:00-12:00", "13:00-18:00" } },
  holidays = { "%s..%s" },
  workdays = { "%s" },
}
""" % (day(TODAY), day(holiday_end), day(saturday))


HOLIDAY_END, WORKED_SATURDAY, OFFICE = office_calendar()


class TicketTest(ServerTest):
    TENANTS = {
        "acme": 'name = "Acme"\n' + PEOPLE + ROUND_THE_CLOCK + """
tickets = {
  sla = {
    general = { acknowledge = "1h", plan = "2h", resolve = "3h", revisit = "1h" },
    urgent = { acknowledge = "2s", plan = "1h", resolve = "1h" },
    important = { acknowledge = "1h", plan = "1h", resolve = "4s" },
  },
  revisit = { channel = "sms", satisfied_from = 4 },
}
""",
        "office": 'name = "Office"\n' + PEOPLE + OFFICE,
        "globex": 'name = "Globex"\n',
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.supervisor = s.token("acme", "supervisor")
        cls.integrator = s.token("acme", "integrator")
        cls.auditor = s.token("acme", "auditor")
        cls.agent17 = s.cli("token", "create", "--tenant", "acme", "--role", "agent", "--person", "a-17").stdout.strip()
        cls.agent18 = s.cli("token", "create", "--tenant", "acme", "--role", "agent", "--person", "a-18").stdout.strip()
        cls.unbound_agent = s.token("acme", "agent")
        cls.office = s.token("office", "admin")
        cls.globex = s.token("globex", "admin")

    def complain(self, token=None, expect=201, **fields):
        body = {"channel": "phone", "text": "等了两个小时没人接电话", "category": "waiting"}
        body.update(fields)
        status, _, t = self.server.request("POST", "/api/v1/complaints", token=token or self.admin, body=body)
        self.assertEqual(status, expect, t)
        return t

    def move(self, ticket, to, token=None, expect=200, **fields):
        body = {"to": to}
        body.update(fields)
        status, _, t = self.server.request("POST", "/api/v1/tickets/%s/transitions" % ticket["id"],
                                           token=token or self.admin, body=body)
        self.assertEqual(status, expect, t)
        return t

    def get(self, ticket, token=None):
        status, _, t = self.server.request("GET", "/api/v1/tickets/" + ticket["id"], token=token or self.admin)
        self.assertEqual(status, 200, t)
        return t

    def wait_for(self, ticket, check, seconds=20):
        deadline = time.time() + seconds
        while True:
            t = self.get(ticket)
            if check(t) or time.time() > deadline:
                return t
            time.sleep(0.2)

    # ---- Complaints ------------------------------------------------------------------------------------

    def test_a_complaint_opens_a_ticket_with_its_clocks_and_the_customer_masked(self):
        t = self.complain(customer={"external_id": "cx-1", "phone": "13900001111", "tier": "VIP"},
                          context={"team": "care", "agent": "a-17"}, summary="电话无人接")
        self.assertEqual((t["state"], t["class"], t["priority"], t["category"]), ("received", "general", "normal", "waiting"))
        self.assertEqual(t["customer"], {"external_id": "cx-1", "tier": "VIP", "phone": "139****1111"})
        self.assertTrue(t["detractor"])
        self.assertEqual(t["queue"], "care")
        self.assertIn(t["assignee"], ("a-17", "a-18"))
        created = t["created_at"]
        # A calendar working round the clock: 1h, 2h and 3h after it opened.
        self.assertEqual(t["sla"]["acknowledge"]["due_at"], created + 3600000)
        self.assertEqual(t["sla"]["plan"]["due_at"], created + 2 * 3600000)
        self.assertEqual(t["sla"]["resolve"]["due_at"], created + 3 * 3600000)
        self.assertFalse(t["overdue"])
        with open(os.path.join(self.server.data, "data.mdb"), "rb") as f:
            self.assertNotIn(b"13900001111", f.read())

    def test_bad_complaints_are_refused_naming_the_field(self):
        cases = [
            ({"text": None}, 422, "text"),
            ({"colour": "red"}, 400, "colour"),
            ({"class": "critical"}, 422, "class"),
            ({"priority": "urgent"}, 422, "priority"),
            ({"category": "Billing Issues"}, 422, "category"),
            ({"customer": {"external_id": "c-2", "phone": "12"}}, 422, "customer.phone"),
            ({"customer": {"external_id": "13800001111"}}, 422, "customer.external_id"),
            ({"context": {"phone": "13800001111"}}, 422, "context.phone"),
            ({"lang": "fr"}, 422, "lang"),
        ]
        for fields, status, field in cases:
            body = {"channel": "phone", "text": "x", "category": "waiting"}
            body.update(fields)
            body = {k: v for k, v in body.items() if v is not None}
            st, _, err = self.server.request("POST", "/api/v1/complaints", token=self.admin, body=body)
            self.assertEqual(st, status, (fields, err))
            self.assertIn(field, err["error"]["message"], fields)
        st, _, err = self.server.request("POST", "/api/v1/complaints", token=self.auditor, body={"channel": "phone", "text": "x"})
        self.assertEqual(st, 403)

    # ---- States and roles ------------------------------------------------------------------------------

    def test_a_ticket_moves_through_its_states_and_keeps_its_history(self):
        t = self.complain(context={"team": "care"})
        t = self.move(t, "acknowledged")
        self.assertTrue(t["sla"]["acknowledge"]["met"])
        self.move(t, "received", expect=409)
        t = self.move(t, "investigating", note="calling the branch")
        self.assertTrue(t["sla"]["plan"]["met"])
        t = self.move(t, "waiting_customer", note="asked for the order number")
        self.assertIn("remaining_ms", t["sla"]["resolve"])
        t = self.move(t, "investigating")
        self.assertNotIn("remaining_ms", t["sla"]["resolve"])
        err = self.move(t, "resolved", expect=422)
        self.assertIn("resolution", err["error"]["message"])
        t = self.move(t, "resolved", resolution="called back, refunded", root_cause="the branch line was unstaffed",
                      compensation={"kind": "coupon", "amount": 20, "currency": "CNY"})
        # No customer to ask again: the ticket stays resolved until someone closes it.
        self.assertEqual(t["state"], "resolved")
        self.assertEqual(t["compensation"]["amount"], 20)
        self.assertTrue(t["sla"]["resolve"]["met"])
        t = self.move(t, "closed")
        self.assertEqual(t["state"], "closed")
        err = self.move(t, "investigating", expect=409)
        self.assertIn("closed", err["error"]["message"])
        err = self.move(t, "reopened", expect=422)
        self.assertIn("note", err["error"]["message"])
        t = self.move(t, "reopened", note="the customer called again")
        self.assertEqual(t["reopen_count"], 1)
        self.assertIn("due_at", t["sla"]["resolve"])
        actions = [(h["action"], h.get("to")) for h in t["history"]]
        self.assertEqual(actions, [("open", None), ("transition", "acknowledged"), ("transition", "investigating"),
                                   ("transition", "waiting_customer"), ("transition", "investigating"),
                                   ("transition", "resolved"), ("transition", "closed"), ("transition", "reopened")])
        self.assertEqual([r["stage"] for r in t["sla_results"]], ["acknowledge", "plan", "resolve", "revisit"])
        self.move(t, "nonsense", expect=422)

    def test_what_each_role_may_do(self):
        mine = self.complain(context={"team": "care"})
        self.server.request("POST", "/api/v1/tickets/%s/assign" % mine["id"], token=self.supervisor,
                            body={"to": {"person": "a-17"}, "note": "for the test"})
        # An agent works the tickets assigned to them, and only those: another's they do not even see.
        self.move(mine, "acknowledged", token=self.agent17)
        err = self.move(mine, "investigating", token=self.agent18, expect=404)
        self.assertIn("no ticket", err["error"]["message"])
        self.assertEqual(self.server.request("GET", "/api/v1/tickets/" + mine["id"], token=self.agent18)[0], 404)
        self.assertNotIn(mine["id"], [t["id"] for t in self.server.request(
            "GET", "/api/v1/tickets?limit=500", token=self.agent18)[2]["items"]])
        self.assertIn(mine["id"], [t["id"] for t in self.server.request(
            "GET", "/api/v1/tickets?limit=500", token=self.agent17)[2]["items"]])
        self.move(mine, "investigating", token=self.unbound_agent, expect=404)
        self.move(mine, "closed", token=self.agent17, note="x", expect=403)
        for token in (self.auditor, self.integrator):
            self.move(mine, "investigating", token=token, expect=403)
        st, _, _ = self.server.request("POST", "/api/v1/tickets/%s/assign" % mine["id"], token=self.agent17,
                                       body={"to": {"person": "a-18"}, "note": "x"})
        self.assertEqual(st, 403)
        # An integrator may report complaints; an auditor may read.
        self.complain(token=self.integrator)
        self.assertEqual(self.get(mine, token=self.auditor)["id"], mine["id"])
        st, _, note = self.server.request("POST", "/api/v1/tickets/%s/notes" % mine["id"], token=self.agent18,
                                          body={"text": "not mine"})
        self.assertEqual(st, 404, note)

    def test_assignment_by_person_role_team_and_manager(self):
        def assign(ticket, to, expect=200):
            st, _, t = self.server.request("POST", "/api/v1/tickets/%s/assign" % ticket["id"], token=self.supervisor,
                                           body={"to": to, "note": "reassigned"})
            self.assertEqual(st, expect, t)
            return t

        t = self.complain(context={"team": "care", "agent": "a-18"})
        self.assertEqual(assign(t, {"person": "zhou"})["assignee"], "zhou")
        self.assertEqual(assign(t, {"role": "supervisor"})["assignee"], "li")
        self.assertEqual(assign(t, {"manager_of": "agent"})["assignee"], "li")
        far = [assign(t, {"team": LONG_TEAM, "how": "round_robin"})["assignee"] for _ in range(2)]
        self.assertEqual(sorted(far), ["a-31", "a-32"])
        turns = [assign(t, {"team": "care", "how": "round_robin"})["assignee"] for _ in range(4)]
        self.assertEqual(turns[0::2], [turns[0]] * 2)
        self.assertEqual(sorted(turns[:2]), ["a-17", "a-18"])
        t = self.get(t)
        self.assertEqual(t["history"][-1]["previous"], turns[-2])
        self.assertIn("nobody", assign(t, {"role": "astronaut"}, expect=422)["error"]["message"])
        self.assertIn("not one of the people", assign(t, {"person": "nobody"}, expect=422)["error"]["message"])
        st, _, err = self.server.request("POST", "/api/v1/tickets/%s/assign" % t["id"], token=self.supervisor,
                                         body={"to": {"person": "zhou"}})
        self.assertEqual(st, 422, err)  # why is required
        self.assertIn("note", err["error"]["message"])

    def test_fewest_open_tickets_and_the_queue(self):
        # Everyone of the team gets new tickets until the loads are level.
        loads = {}
        for _ in range(6):
            t = self.complain(category="fewest", context={"team": "care"})
            loads[t["assignee"]] = loads.get(t["assignee"], 0) + 1
        self.assertEqual(set(loads), {"a-17", "a-18"})
        self.assertLessEqual(abs(loads["a-17"] - loads["a-18"]), 2)
        # No team and nobody named: the ticket waits unassigned.
        t = self.complain(category="nobody")
        self.assertNotIn("assignee", t)

    def test_reclassifying_changes_the_deadlines(self):
        t = self.complain(context={"team": "care"})
        st, _, t2 = self.server.request("POST", "/api/v1/tickets/%s/class" % t["id"], token=self.supervisor,
                                        body={"class": "urgent", "priority": "highest", "note": "a VIP after all"})
        self.assertEqual(st, 200, t2)
        self.assertEqual((t2["class"], t2["priority"]), ("urgent", "highest"))
        self.assertEqual(t2["sla"]["resolve"]["due_at"], t["created_at"] + 3600000)
        st, _, err = self.server.request("POST", "/api/v1/tickets/%s/class" % t["id"], token=self.supervisor,
                                         body={"class": "critical", "note": "x"})
        self.assertEqual(st, 422, err)

    def test_repeat_complaints_are_found_and_need_a_root_cause(self):
        first = self.complain(customer={"external_id": "rep-1"}, category="billing")
        second = self.complain(customer={"external_id": "rep-1"}, category="billing")
        other = self.complain(customer={"external_id": "rep-1"}, category="delivery")
        self.assertEqual(first["class"], "general")
        self.assertEqual((second["class"], second["repeat_of"]), ("repeat", first["id"]))
        self.assertEqual(other["class"], "general")
        err = self.move(second, "resolved", resolution="refunded", expect=422)
        self.assertIn("root_cause", err["error"]["message"])
        self.move(second, "resolved", resolution="refunded", root_cause="a tariff error", expect=200)

    def test_notes_and_evidence(self):
        t = self.complain()
        for kind in ("note", "evidence"):
            st, _, n = self.server.request("POST", "/api/v1/tickets/%s/notes" % t["id"], token=self.supervisor,
                                           body={"kind": kind, "text": "录音编号 R-%s" % kind})
            self.assertEqual(st, 201, n)
        st, _, err = self.server.request("POST", "/api/v1/tickets/%s/notes" % t["id"], token=self.supervisor,
                                         body={"kind": "gossip", "text": "x"})
        self.assertEqual(st, 422, err)
        notes = self.get(t)["notes"]
        self.assertEqual([(n["kind"], n["text"]) for n in notes], [("note", "录音编号 R-note"), ("evidence", "录音编号 R-evidence")])
        self.assertEqual(notes[0]["by"]["role"], "supervisor")

    def test_the_queue_can_be_filtered_and_paged(self):
        made = [self.complain(category="listing", context={"team": "care"}) for _ in range(3)]
        self.move(made[0], "acknowledged")
        st, _, page = self.server.request("GET", "/api/v1/tickets?category=listing&state=received&limit=1", token=self.admin)
        self.assertEqual(st, 200)
        self.assertEqual(len(page["items"]), 1)
        st, _, rest = self.server.request("GET", "/api/v1/tickets?category=listing&state=received&after=%s" % page["next_after"],
                                          token=self.admin)
        self.assertEqual([t["id"] for t in page["items"] + rest["items"]], [made[1]["id"], made[2]["id"]])
        st, _, mine = self.server.request("GET", "/api/v1/tickets?category=listing&assignee=%s" % made[0]["assignee"],
                                          token=self.admin)
        self.assertTrue(all(t["assignee"] == made[0]["assignee"] for t in mine["items"]))
        # A filter too long to be one is refused, not dropped (which would list every ticket).
        for bad in ("state=lost", "class=vip", "overdue=maybe", "overdue=", "open=falsehood", "category=" + "x" * 65,
                    "customer=" + "c" * 129):
            st, _, err = self.server.request("GET", "/api/v1/tickets?" + bad, token=self.admin)
            self.assertEqual(st, 400, bad)
            self.assertIn(bad.split("=")[0], err["error"]["message"])
        st, _, err = self.server.request("GET", "/api/v1/alerts?rule=" + "r" * 200, token=self.admin)
        self.assertEqual((st, err["error"]["code"]), (400, "invalid_parameter"))

    # ---- Clocks ------------------------------------------------------------------------------------------

    def test_a_missed_deadline_is_recorded_and_announced(self):
        t = self.complain(**{"class": "urgent"})
        t = self.wait_for(t, lambda t: "breached_at" in t["sla"]["acknowledge"])
        self.assertIn("breached_at", t["sla"]["acknowledge"], t["sla"])
        self.assertTrue(t["overdue"])
        self.assertEqual(t["history"][-1]["action"], "sla_breach")
        self.assertEqual(t["history"][-1]["stage"], "acknowledge")
        st, _, overdue = self.server.request("GET", "/api/v1/tickets?overdue=true&class=urgent", token=self.admin)
        self.assertIn(t["id"], [x["id"] for x in overdue["items"]])
        t = self.move(t, "acknowledged")
        self.assertFalse(t["sla"]["acknowledge"]["met"])

    def test_the_clock_stops_while_the_ticket_waits_on_the_customer(self):
        t = self.complain(**{"class": "important"})
        due = t["sla"]["resolve"]["due_at"]
        waiting = self.move(t, "waiting_customer", note="asked for photos")
        left = waiting["sla"]["resolve"]["remaining_ms"]
        self.assertGreater(left, 0)
        time.sleep(5)  # longer than the 4s the resolve stage has: paused, it is not missed
        t = self.get(t)
        self.assertNotIn("breached_at", t["sla"]["resolve"])
        resumed = self.move(t, "investigating")
        self.assertGreaterEqual(resumed["sla"]["resolve"]["due_at"], due + 4500)
        self.assertGreater(resumed["sla"]["resolve"]["paused_ms"], 4500)
        t = self.wait_for(t, lambda t: "breached_at" in t["sla"]["resolve"])
        self.assertIn("breached_at", t["sla"]["resolve"])

    def test_clocks_skip_holidays_and_count_adjusted_working_days(self):
        st, _, t = self.server.request("POST", "/api/v1/complaints", token=self.office,
                                       body={"channel": "phone", "text": "x"})
        self.assertEqual(st, 201, t)
        # Acknowledge: 2 working hours from the first working hour after the holiday, a weekday or the
        # Saturday worked in exchange, whichever comes first.
        d = HOLIDAY_END + datetime.timedelta(days=1)
        while d.weekday() >= 5 and d != WORKED_SATURDAY:
            d += datetime.timedelta(days=1)
        expected = datetime.datetime(d.year, d.month, d.day, 11, 0, tzinfo=CST)
        self.assertEqual(t["sla"]["acknowledge"]["due_at"], int(expected.timestamp() * 1000), t["sla"])
        # Resolve: 7 working days, counted from the day after today, ending at 18:00 of the 7th.
        left, d = 7, TODAY
        while left:
            d += datetime.timedelta(days=1)
            holiday = TODAY <= d <= HOLIDAY_END
            if not holiday and (d.weekday() < 5 or d == WORKED_SATURDAY):
                left -= 1
        expected = datetime.datetime(d.year, d.month, d.day, 18, 0, tzinfo=CST)
        self.assertEqual(t["sla"]["resolve"]["due_at"], int(expected.timestamp() * 1000))
        self.assertEqual(t["sla"]["resolve"]["limit"], "7 working days")

    # ---- Revisit -----------------------------------------------------------------------------------------

    def resolve_with_revisit(self, external_id):
        t = self.complain(customer={"external_id": external_id, "phone": "13700002222"}, context={"team": "care"})
        t = self.move(t, "resolved", resolution="replaced the parcel")
        self.assertEqual(t["state"], "revisiting")
        inv = t["revisit_invitation"]
        self.assertEqual(t["revisit"]["invitation"], inv)
        self.assertEqual(t["revisit"]["channel"], "sms")
        st, _, invitation = self.server.request("GET", "/api/v1/invitations/" + inv, token=self.admin)
        self.assertEqual((invitation["ticket"], invitation["context"]["type"]), (t["id"], "revisit"))
        # Its link goes to the customer only: the staff who handled the complaint cannot answer for them.
        for token in (self.admin, self.agent17):
            st, _, err = self.server.request("GET", "/api/v1/invitations/%s/qr" % inv, token=token)
            self.assertEqual((st, err["error"]["code"]), (403, "forbidden"), err)
        return t, inv

    def answer(self, invitation, csat):
        st, _, ev = self.server.request("POST", "/api/v1/evaluations", token=self.admin, body={
            "invitation": invitation, "answer": {"scores": {"csat": csat}},
            "consent": {"notice_version": "v1", "time": int(time.time() * 1000), "channel": "sms"}})
        self.assertEqual(st, 201, ev)
        return ev

    def test_a_satisfied_revisit_closes_the_ticket(self):
        t, inv = self.resolve_with_revisit("rv-1")
        ev = self.answer(inv, 5)
        t = self.wait_for(t, lambda t: t["state"] == "closed")
        self.assertEqual(t["state"], "closed")
        self.assertEqual((t["revisit"]["evaluation"], t["revisit"]["satisfied"], t["recovered"]), (ev["id"], True, True))
        self.assertTrue(t["sla"]["revisit"]["met"])
        self.assertEqual(t["history"][-1]["by"], {"kind": "system", "id": "revisit"})

    def test_an_unhappy_revisit_reopens_the_ticket(self):
        t, inv = self.resolve_with_revisit("rv-2")
        self.answer(inv, 2)
        t = self.wait_for(t, lambda t: t["state"] == "reopened")
        self.assertEqual(t["state"], "reopened")
        self.assertEqual((t["revisit"]["satisfied"], t["recovered"]), (False, False))
        self.assertIn("due_at", t["sla"]["resolve"])
        # Resolved again: a new revisit goes out, and only its answer counts.
        t2 = self.move(t, "resolved", resolution="a manager called")
        self.assertEqual(t2["state"], "revisiting")
        self.assertNotEqual(t2["revisit"]["invitation"], inv)
        self.assertNotIn("evaluation", t2["revisit"])
        ev = self.answer(t2["revisit"]["invitation"], 5)
        t2 = self.wait_for(t2, lambda t: t["state"] == "closed")
        self.assertEqual((t2["state"], t2["revisit"]["evaluation"], t2["recovered"]), ("closed", ev["id"], True))

    # ---- Isolation and the trail -------------------------------------------------------------------------

    def test_another_tenants_ticket_does_not_exist_for_them(self):
        t = self.complain()
        st, _, _ = self.server.request("GET", "/api/v1/tickets/" + t["id"], token=self.globex)
        self.assertEqual(st, 404)
        st, _, _ = self.server.request("POST", "/api/v1/tickets/%s/transitions" % t["id"], token=self.globex,
                                       body={"to": "acknowledged"})
        self.assertEqual(st, 404)
        st, _, page = self.server.request("GET", "/api/v1/tickets", token=self.globex)
        self.assertEqual(page["items"], [])

    def test_zz_every_change_is_in_a_verifiable_audit_trail(self):
        st, _, entries = self.server.request("GET", "/api/v1/audit?limit=1000", token=self.admin)
        actions = {e["action"] for e in entries["entries"]}
        for a in ("ticket.open", "ticket.transition", "ticket.assign", "ticket.reclassify", "ticket.note",
                  "ticket.sla_breach", "invitation.create", "evaluation.create"):
            self.assertIn(a, actions)
        st, _, report = self.server.request("GET", "/api/v1/audit/verify", token=self.admin)
        self.assertTrue(report["ok"], report)
