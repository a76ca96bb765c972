-- Cases of workflows/unanswered_invitations, run by `vocd rules test`. How many invitations in a row went
-- unanswered is counted by the core from the store; a case gives it.
local expired = { invitation = { id = "a1b2c3d4e5f60718", state = "expired" }, customer = { id = "c-1" } }

return {
  { name = "three in a row: the account manager hears of it", facts = expired,
    given = { ["customer.unanswered_in_row"] = 3 }, fires = true, actions = { "alert" }, people = { "wu" } },
  { name = "two in a row are not yet a pattern", facts = expired,
    given = { ["customer.unanswered_in_row"] = 2 }, fires = false },
  { name = "with in_a_row = 5, four are not enough", settings = { in_a_row = 5 }, facts = expired,
    given = { ["customer.unanswered_in_row"] = 4 }, fires = false },
  { name = "unknown (no store): nothing", facts = expired, fires = false },
}
