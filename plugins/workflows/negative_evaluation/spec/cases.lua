-- Cases of workflows/negative_evaluation, run by `vocd rules test` (tests/CMakeLists.txt runs every rule's).
-- Each case: the facts of a made-up event, whether the rule fires, and what it then does.
local context = { team = "care", agent = "a-17" }

return {
  { name = "CSAT 2 opens a ticket", facts = { evaluation = { id = "1", scores = { csat = 2 } }, context = context },
    fires = true, actions = { "open_ticket" } },
  { name = "CSAT 1 with a good NPS still opens one", facts = { evaluation = { id = "2", scores = { csat = 1, nps = 9 } } },
    fires = true },
  { name = "an NPS of 6 alone opens one", facts = { evaluation = { id = "3", scores = { nps = 6 } } }, fires = true },
  { name = "CSAT 3 and NPS 7 open nothing", facts = { evaluation = { id = "4", scores = { csat = 3, nps = 7 } } },
    fires = false },
  { name = "no scores open nothing", facts = { evaluation = { id = "5", scores = {} } }, fires = false },
  { name = "a stricter threshold: CSAT 2 is no longer negative", settings = { csat_at_most = 1 },
    facts = { evaluation = { id = "6", scores = { csat = 2 } } }, fires = false },
  { name = "a stricter threshold: CSAT 1 still is", settings = { csat_at_most = 1 },
    facts = { evaluation = { id = "7", scores = { csat = 1 } } }, fires = true, actions = { "open_ticket" } },
}
