/* An invitation whose link expired unanswered: marked "expired" and announced as "invitation.expired", so
 * that workflow rules can act on customers who stop answering ("three unanswered invitations in a row").
 * A durable timer set with the invitation, at its expiry, starts it. */
#ifndef VOCD_INVITATION_EXPIRY_H
#define VOCD_INVITATION_EXPIRY_H

#include "server.h"

/** \brief Subscribes "core:expiry" for every tenant. */
int vocd_invitation_expiry_start(struct vocd_server *srv);

#endif
