-- Cases of workflows/vip_low_csat, run by `vocd rules test` with the demo tenant's people.
return {
  { name = "a VIP with CSAT 2: an urgent ticket and an SMS to the service director",
    facts = { evaluation = { id = "1", scores = { csat = 2 } }, customer = { id = "c-1", tier = "VIP" } },
    fires = true, actions = { "open_ticket", "notify" }, people = { "zhou" } },
  { name = "the tier matches whatever its case", facts = { evaluation = { id = "2", scores = { csat = 1 } },
    customer = { id = "c-2", tier = "vip" } }, fires = true },
  { name = "a regular customer with CSAT 1 is not this rule's",
    facts = { evaluation = { id = "3", scores = { csat = 1 } }, customer = { id = "c-3", tier = "regular" } }, fires = false },
  { name = "a customer without a tier is not this rule's",
    facts = { evaluation = { id = "4", scores = { csat = 1 } }, customer = { id = "c-4" } }, fires = false },
  { name = "CSAT 3 is not below 3", facts = { evaluation = { id = "5", scores = { csat = 3 } },
    customer = { id = "c-5", tier = "VIP" } }, fires = false },
  { name = "with csat_below = 4, CSAT 3 is", settings = { csat_below = 4 },
    facts = { evaluation = { id = "6", scores = { csat = 3 } }, customer = { id = "c-6", tier = "VIP" } },
    fires = true, people = { "zhou" } },
  { name = "another tier watched", settings = { tier = "gold" },
    facts = { evaluation = { id = "7", scores = { csat = 1 } }, customer = { id = "c-7", tier = "Gold" } }, fires = true },
}
