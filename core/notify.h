/* Notifications to staff (a service director's SMS, a manager's email): requested inside the write job of
 * the rule that wants them, as one bus event per person and channel; sent by the core's subscriber
 * through the channel plugin's "notify" handler, so a failing gateway is retried and ends as a dead
 * letter like any delivery; each one sent (or refused for good) is recorded and audited.
 *
 * Staff contacts come from the tenant file's people at the moment of sending; they are never stored. A
 * scheduled report's file is read from the store at the moment of sending too, and handed to the channel
 * plugin as attachment = {filename, content_type, content_base64}: the bus carries only the run's id. */
#ifndef VOCD_NOTIFY_H
#define VOCD_NOTIFY_H

#include <cjson/cJSON.h>

#include "config.h"
#include "server.h"
#include "store.h"

#define VOCD_NOTIFY_TOPIC "notification.requested"
#define VOCD_NOTIFICATION_TYPE "notification"

/**
 * \brief The people \p to names ({person}, {role}: everyone who has it, {team}: everyone in it,
 * {manager_of: dim}: the manager of the context's value or of the ticket's assignee, {assignee: true}),
 * with facts \p root ({ticket, context, ...}). Writes up to \p max ids into \p out. \return how many.
 */
int vocd_notify_recipients(const struct vocd_tenant_conf *t, const cJSON *to, const cJSON *root, const char **out,
                           int max);

/** What a notification says and what it is about. */
struct vocd_notice {
	const char *rule;        /**< the rule's label */
	const char *title;       /**< the rule's name, as a subject line */
	const char *alert, *ticket, *evaluation; /**< what it is about; each may be NULL */
	const cJSON *message;    /**< the rule's message: text, or {zh-CN, en} with {fact} placeholders; NULL: a default */
	const cJSON *root;       /**< the facts the placeholders are filled from */
	const cJSON *subject;    /**< the subject: text, or {zh-CN, en} with {fact} placeholders; NULL: title */
	const char *report_run;  /**< a scheduled report's run (report_schedule.h): its file goes with the
	                              notification, read from the store when it is sent */
};

/**
 * \brief Inside a write job: requests a notification of \p n to each recipient through each of
 * \p channels (a name or a list). Appends {person, channel, id} to \p told.
 * \return 0, store errors.
 */
int vocd_notify_in(vocd_txn *txn, const struct vocd_tenant_conf *t, const char *const *people, int npeople,
                   const cJSON *channels, const struct vocd_notice *n, cJSON *told);

/** \brief The text of \p message in \p lang with its {fact} placeholders filled from \p root (caller frees). */
char *vocd_notice_text(const struct vocd_notice *n, const char *lang);

/** \brief Subscribes "core:notify" for every tenant. */
int vocd_notify_start(struct vocd_server *srv);

#endif
