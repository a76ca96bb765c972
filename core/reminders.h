/* Reminders: an invitation still unanswered some time after it was sent (the tenant's
 * invitations.remind_after) is sent again, through invitations.remind_channel or its own channel, as the
 * bus event "invitation.remind" that channel plugins send like "invitation.created". The wait is a durable
 * bus timer set with the invitation and cancelled by its answer, so it survives restarts. */
#ifndef VOCD_REMINDERS_H
#define VOCD_REMINDERS_H

#include "server.h"

/** \brief Subscribes the reminder handler to the bus (before vocd_bus_start). */
int vocd_reminders_start(struct vocd_server *srv);

#endif
