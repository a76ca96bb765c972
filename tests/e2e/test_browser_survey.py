"""The survey page in a real browser: Debian's chromium driven by playwright-core (tests/browser/survey.mjs)
on a phone-sized screen, as a new customer answers it: consent first, scores tapped, thank-you page, the link
used up, and the answer stored as chosen with personal data masked. Screenshots go to $VOCD_ARTIFACTS."""
import glob
import json
import os
import subprocess
import time

from vocdtest import ServerTest, SOURCE, VOCD, browser_node

SCRIPT = os.path.join(SOURCE, "tests", "browser", "survey.mjs")
CHROMIUM = os.environ.get("VOCD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("VOCD_ARTIFACTS") or os.path.join(os.path.dirname(os.path.abspath(VOCD)),
                                                               "test-artifacts", "browser")

# A tenant of the test's own, so that every text the page must show is known here. "&" checks that the
# escaped name reads right in the browser.
NOTICE_ZH = "墨客维修会保存您的评价以改进服务。联系方式加密保存，仅用于回访，可随时撤回。"
NOTICE_EN = "Ink & Co keeps your answers to improve its service; your contact details are encrypted."
TENANT = """\
name = "Ink & Co 墨客"
survey = {
  privacy_notice = { version = "2026-12", ["zh-CN"] = "%s", en = "%s" },
  metrics = { "csat", "nps" },
  dimensions = {
    { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Response speed" } },
    { id = "attitude", scale = 5, label = { ["zh-CN"] = "服务态度", en = "Attitude" } },
  },
  tags = {
    { id = "fast", label = { ["zh-CN"] = "响应快", en = "Quick" } },
    { id = "slow", label = { ["zh-CN"] = "等待太久", en = "Waited too long" } },
  },
  open_question = { ["zh-CN"] = "还有什么想告诉我们的吗？", en = "Anything else?" },
}
""" % (NOTICE_ZH, NOTICE_EN)

# What the page says, per language (core/survey_page.c).
PAGE = {
    "zh-CN": dict(lang="zh-CN", tenant="Ink & Co 墨客", title="服务评价", consent_heading="开始之前", notice=NOTICE_ZH,
                  agree="同意并开始", decline="不同意", submit="提交评价", open_question="还有什么想告诉我们的吗？",
                  thanks="感谢您的评价！我们已收到，会认真对待每一条意见。",
                  answered="这份评价已经提交过了，感谢您的参与。",
                  questions={"csat": "您对本次服务满意吗？", "nps": "您有多大可能向朋友推荐我们？",
                             "dim_speed": "响应速度", "dim_attitude": "服务态度"},
                  tags={"fast": "响应快", "slow": "等待太久"}),
    "en": dict(lang="en", tenant="Ink & Co 墨客", title="Service feedback", consent_heading="Before we start",
               notice=NOTICE_EN, agree="I agree, start", decline="I do not agree", submit="Send",
               open_question="Anything else?",
               thanks="Thank you! We have your answer and will act on it.",
               answered="This survey has already been answered. Thank you for taking part.",
               questions={"csat": "How satisfied are you with the service?",
                          "nps": "How likely are you to recommend us to a friend?",
                          "dim_speed": "Response speed", "dim_attitude": "Attitude"},
               tags={"fast": "Quick", "slow": "Waited too long"}),
}


class BrowserSurveyTest(ServerTest):
    TENANTS = {"ink": TENANT}

    @classmethod
    def setUpClass(cls):
        cls.node = browser_node(CHROMIUM)
        os.makedirs(ARTIFACTS, exist_ok=True)
        for old in glob.glob(os.path.join(ARTIFACTS, "*.png")):  # none left from an earlier run to mislead
            os.unlink(old)
        print("\nbrowser screenshots: " + ARTIFACTS, flush=True)
        super().setUpClass()
        cls.token = cls.server.token("ink", "integrator")

    def invite(self, external_id, **customer):
        status, _, inv = self.server.request(
            "POST", "/api/v1/invitations", token=self.token,
            body={"customer": dict({"external_id": external_id}, **customer), "context": {"agent": "a-1"},
                  "channel": "sms"})
        self.assertEqual(status, 201, inv)
        return inv

    def customer_answers(self, name, url, lang, answers, tags, text, locale, javascript=True, switch_to=None):
        """Runs one customer in chromium; returns what the script reports (screenshots, user agent)."""
        page = PAGE[lang]
        phone = PAGE["en" if locale.startswith("en") else "zh-CN"]  # what the browser asks for
        other = PAGE["zh-CN" if phone["lang"] == "en" else "en"]
        spec = {
            "name": name, "url": url, "cert": os.path.join(self.server.data, "dev-cert.pem"),
            "artifacts": ARTIFACTS, "chromium": CHROMIUM, "viewport": {"width": 390, "height": 844},
            "locale": locale, "javascript": javascript, "switch_to": switch_to, "timeout_ms": 60000,
            "expect": dict(page, questions=list(page["questions"].values()),
                           answered_lang=phone["lang"], answered=phone["answered"],
                           answered_other={"lang": other["lang"], "answered": other["answered"],
                                           "link": "English" if other["lang"] == "en" else "中文"}),
            "answers": [{"name": k, "question": page["questions"][k], "value": v} for k, v in answers.items()],
            "tags": [page["tags"][t] for t in tags], "text": text,
        }
        started = time.time()
        p = subprocess.run([self.node, SCRIPT, json.dumps(spec)], capture_output=True, text=True, timeout=300)
        print("\n%s: %.1f s in chromium, screenshots in %s" % (name, time.time() - started, ARTIFACTS), flush=True)
        self.assertEqual(p.returncode, 0, "the customer's visit failed:\n" + p.stdout + p.stderr)
        result = json.loads(p.stdout.strip().splitlines()[-1])
        self.assertEqual(len(result["screenshots"]), 7 if switch_to else 6)
        for f in result["screenshots"]:
            self.assertGreater(os.path.getsize(f), 1000, f)
        return result

    def stored(self, inv, answers, tags, text, lang, user_agent):
        """The evaluation as the API returns it, checked against what was tapped in the browser."""
        status, _, state = self.server.request("GET", "/api/v1/invitations/" + inv["id"], token=self.token)
        self.assertEqual(state["state"], "answered")
        items = self.server.request("GET", "/api/v1/evaluations?limit=500", token=self.token)[2]["items"]
        mine = [e for e in items if e.get("invitation") == inv["id"]]
        self.assertEqual(len(mine), 1, "one evaluation per invitation")
        status, _, ev = self.server.request("GET", "/api/v1/evaluations/" + mine[0]["id"], token=self.token)
        self.assertEqual(status, 200, ev)
        self.assertEqual(ev["scores"], {k: v for k, v in answers.items() if not k.startswith("dim_")})
        self.assertEqual(ev["dimensions"], {k[4:]: v for k, v in answers.items() if k.startswith("dim_")})
        self.assertEqual(ev.get("tags", []), tags)
        self.assertEqual(ev.get("text"), text)
        self.assertEqual(ev["lang"], lang)
        self.assertEqual(ev["channel"], "sms")
        self.assertTrue(ev["consent"])
        # Sent by that browser, not by some other client.
        self.assertEqual(ev["source"]["user_agent"], user_agent)
        self.assertIn("Chrome/", user_agent)
        return ev

    def test_zh_cn_customer_on_a_phone(self):
        inv = self.invite("b-zh", name="张三丰", phone="138 1234 5678", email="Zhang@Example.com")
        answers = {"csat": 4, "nps": 9, "dim_speed": 5, "dim_attitude": 3}
        r = self.customer_answers("zh-CN", inv["url"], "zh-CN", answers, ["fast"], "师傅很热情，准时上门。",
                                  locale="zh-CN")
        ev = self.stored(inv, answers, ["fast"], "师傅很热情，准时上门。", "zh-CN", r["user_agent"])
        self.assertEqual(ev["customer"], {"external_id": "b-zh", "name": "张**", "phone": "138****5678",
                                          "email": "z****@example.com"})
        self.assertNotIn("12345678", json.dumps(ev))

    def test_en_customer_on_a_phone(self):
        inv = self.invite("b-en", name="Alice Smith", phone="13900001111", email="alice@example.com")
        answers = {"csat": 2, "nps": 10, "dim_speed": 1, "dim_attitude": 4}
        r = self.customer_answers("en", inv["url"], "en", answers, ["slow", "fast"], "Waited two days.",
                                  locale="en-GB")
        ev = self.stored(inv, answers, ["fast", "slow"], "Waited two days.", "en", r["user_agent"])
        self.assertEqual(ev["customer"]["phone"], "139****1111")
        self.assertNotIn("Alice Smith", json.dumps(ev))
        self.assertNotIn("alice@example.com", json.dumps(ev))

    def test_without_javascript_and_the_language_switch(self):
        # A Chinese phone, the customer switches to English on the page; no script runs at all.
        inv = self.invite("b-nojs", phone="13700002222")
        answers = {"csat": 1, "nps": 0, "dim_speed": 2, "dim_attitude": 5}
        r = self.customer_answers("no-js", inv["url"], "en", answers, [], None, locale="zh-CN", javascript=False,
                                  switch_to={"from": "zh-CN", "link": "English"})
        ev = self.stored(inv, answers, [], None, "en", r["user_agent"])
        self.assertEqual(ev["customer"]["phone"], "137****2222")
