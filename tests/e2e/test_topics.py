"""Topics over a period from a real server: how many texts read positive, neutral or negative (negation
understood: 不满意 is not 满意), the tags chosen, the most frequent keywords, and a topic that rises above its
own baseline (the fitting-room mirror, mentioned again and again today and never before); a tenant's own
word added to the lexicon; scope and bad queries."""
import urllib.parse

from vocdtest import ServerTest

TENANT = """name = "Acme"
people = { li = { name = "李强", access = "supervisor", scope = "team:care" } }
organisation = { ["region:east"] = { "team:care", "team:sales", "team:risk" } }
survey = { tags = { { id = "mirror", label = { ["zh-CN"] = "镜子", en = "Mirror" } },
                    { id = "queue", label = { ["zh-CN"] = "排队", en = "Queue" } } } }
authenticity = { trusted_addresses = { "127.0.0.1" }, duplicate_distance = 0 }
analysis = { negative = { "踩雷" } }
"""

TEXTS = [  # text, tags, team, the label the lexicon gives it
    ("服务很满意，店员非常热情", [], "care", "positive"),
    ("不满意，等了很久也没人理", ["queue"], "care", "negative"),
    ("Not happy with the delivery at all", [], "care", "negative"),
    ("Great service, thank you", [], "sales", "positive"),
    ("今天去门店买了一件衬衫", [], "care", "neutral"),
    ("这家店真是踩雷了", [], "risk", "negative"),
]


class TopicsTest(ServerTest):
    TENANTS = {"acme": TENANT}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin = s.token("acme", "admin")
        cls.li = s.cli("token", "create", "--tenant", "acme", "--role", "supervisor", "--person", "li").stdout.strip()
        integrator = s.token("acme", "integrator")
        rows = list(TEXTS) + [("试衣间的镜子太暗了，看不清颜色 %d" % i, ["mirror"], "care", None) for i in range(24)]
        for i, (text, tags, team, _) in enumerate(rows):
            st, _, ev = s.request("POST", "/api/v1/evaluations", token=integrator,
                                  body={"customer": "c-%d" % i, "context": {"team": team},
                                        "answer": {"scores": {"csat": 3}, "text": text, "tags": tags}})
            assert st == 201, ev

    def topics(self, token=None, **query):
        return self.server.request("GET", "/api/v1/topics?" + urllib.parse.urlencode(query), token=token or self.admin)

    def test_sentiment_tags_keywords_and_a_rising_topic(self):
        status, _, body = self.topics(**{"from": self.today(), "to": self.today()})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["answers"], body["texts"]), (30, 30))
        # The six texts above, then 24 about a dark mirror (neutral or negative: counted, not asserted).
        labelled = {"positive": 2, "negative": 3, "neutral": 1}
        sentiment = body["sentiment"]
        self.assertEqual(sum(sentiment.values()), 30)
        self.assertGreaterEqual(sentiment["positive"], labelled["positive"])
        self.assertGreaterEqual(sentiment["negative"], labelled["negative"])
        self.assertEqual(body["tags"][0], {"tag": "mirror", "count": 24})
        keywords = {k["keyword"]: k["count"] for k in body["keywords"]}
        self.assertEqual(keywords.get("镜子"), 24)
        rising = {r["topic"]: r for r in body["rising"]}
        self.assertIn("镜子", rising)
        self.assertEqual((rising["镜子"]["count"], rising["镜子"]["baseline_mean"]), (24, 0))
        # With a higher bar nothing rises.
        self.assertEqual(self.topics(**{"from": self.today(), "to": self.today(), "min_count": 30})[2]["rising"], [])

    def test_each_label_and_the_tenants_word(self):
        # One text at a time, through a filter on its team: "sales" has only the English praise.
        sales = self.topics(team="sales")[2]
        self.assertEqual(sales["sentiment"], {"negative": 0, "neutral": 0, "positive": 1})
        self.assertEqual(sales["filter"], {"team": "sales"})
        # 踩雷 ("stepped on a mine") is no built-in word: negative only through the tenant's own lexicon.
        risk = self.topics(team="risk")[2]
        self.assertEqual(risk["sentiment"], {"negative": 1, "neutral": 0, "positive": 0})

    def test_scope_and_bad_queries(self):
        status, _, body = self.topics(token=self.li)
        self.assertEqual((status, body["filter"]), (200, {"team": "care"}))
        self.assertEqual(body["answers"], 28)
        self.assertEqual(self.topics(token=self.li, team="sales")[0], 403)
        for query in ({"top": "0"}, {"baseline": "13"}, {"group_by": "agent"}, {"from": "yesterday"}):
            self.assertEqual(self.topics(**query)[0], 400, query)

    @staticmethod
    def today():
        import datetime
        return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d")
