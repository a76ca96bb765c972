/* The core's subscriber for tickets, expiries and workflow rules, dispatching by topic. */
#include "core_events.h"

#include <string.h>

#include "bus.h"
#include "invitation.h"
#include "invitation_expiry.h"
#include "retention.h"
#include "sla.h"
#include "ticket_events.h"
#include "workflow.h"

static int on_event(const struct vocd_event *ev, void *ud)
{
	struct vocd_server *srv = ud;
	int rc = 0;
	if (strcmp(ev->topic, VOCD_SLA_DUE_TOPIC) == 0)
		rc = vocd_ticket_events_on_sla_due(ev, srv);
	else if (strcmp(ev->topic, VOCD_EXPIRE_DUE) == 0)
		rc = vocd_invitation_expiry_on_due(ev, srv);
	else if (strcmp(ev->topic, VOCD_RETENTION_DUE) == 0)
		rc = vocd_retention_on_due(ev, srv);
	else if (strcmp(ev->topic, "evaluation.created") == 0)
		rc = vocd_ticket_events_on_evaluation(ev, srv);
	return rc != 0 ? rc : vocd_workflow_on_event(ev, srv);
}

int vocd_core_events_start(struct vocd_server *srv)
{
	return vocd_bus_subscribe(srv->bus, "core:events", "*", on_event, srv);
}
