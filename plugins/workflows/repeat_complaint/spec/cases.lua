-- Cases of workflows/repeat_complaint, run by `vocd rules test`. The customer's earlier tickets of the same
-- category are counted by the core from the store; a case gives the count.
local opened = { ticket = { id = "9", category = "billing", text = "又多扣了钱" }, customer = { id = "c-1" },
                 context = { team = "care" } }

return {
  { name = "a second billing complaint: repeat class, the complaints lead, the team's manager told",
    facts = opened, given = { ["customer.tickets"] = 1 }, fires = true,
    actions = { "set_class", "assign", "notify" }, people = { "li" } },
  { name = "the first one is not a repeat", facts = opened, given = { ["customer.tickets"] = 0 }, fires = false },
}
