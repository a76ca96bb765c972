-- Cases of workflows/low_nps_month (rules "agent", "team" and "dealer"), run by `vocd rules test`. The
-- figures over the period come from the core's rollups; a case gives them.
local evaluation = { id = "1", scores = { csat = 3, nps = 4 } }
local context = { agent = "a-17", team = "care", dealer = "d-01" }

return {
  { name = "an agent's NPS below 7: their manager is alerted", rule = "agent",
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 6.2, answers = 8 } },
    fires = true, actions = { "alert" }, people = { "li" } },
  { name = "a dealer's: whoever manages the dealer", rule = "dealer",
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 6.9, answers = 5 } },
    fires = true, people = { "wu" } },
  { name = "a team's: the team's manager", rule = "team",
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 5, answers = 30 } },
    fires = true, people = { "li" } },
  { name = "7 itself is not below 7", rule = "team",
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 7, answers = 10 } },
    fires = false },
  { name = "four answers say too little", rule = "agent",
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 3, answers = 4 } },
    fires = false },
  { name = "a lower threshold set by the tenant", rule = "agent", settings = { below = 6 },
    facts = { evaluation = evaluation, context = context }, given = { ["stats.nps_mean"] = { value = 6.2, answers = 8 } },
    fires = false },
  { name = "no dealer in the context: nothing to compute", rule = "dealer",
    facts = { evaluation = evaluation, context = { agent = "a-17" } }, fires = false },
}
