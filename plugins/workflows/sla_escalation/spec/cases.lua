-- Cases of workflows/sla_escalation, run by `vocd rules test` with the demo tenant's people.
return {
  { name = "a missed deadline: the assignee is told, the ticket goes to their manager, who is told",
    facts = { ticket = { id = "3", assignee = "a-17", class = "general", breach = { stage = "resolve" } } },
    fires = true, actions = { "notify", "escalate", "notify" }, people = { "a-17", "li" } },
  { name = "a ticket nobody had: escalated, nobody to tell",
    facts = { ticket = { id = "4", class = "urgent", breach = { stage = "acknowledge" } } },
    fires = true, people = {} },
}
