/* An invitation whose link expired unanswered: marked "expired" and announced as "invitation.expired", so
 * that workflow rules can act on customers who stop answering ("three unanswered invitations in a row").
 * A durable timer set with the invitation, at its expiry, starts it. */
#ifndef VOCD_INVITATION_EXPIRY_H
#define VOCD_INVITATION_EXPIRY_H

#include "server.h"

struct vocd_event;

/** \brief The expiry timer of an invitation fired (topic VOCD_EXPIRE_DUE): called by core_events.c. */
int vocd_invitation_expiry_on_due(const struct vocd_event *ev, struct vocd_server *srv);

#endif
