/* Route handlers of the HTTP API, one file per resource (api_<resource>.c); the table is in http.c. */
#ifndef VOCD_API_H
#define VOCD_API_H

#include "http.h"
#include "stats_query.h"

/* api_health.c */
int vocd_api_healthz(struct vocd_req *req);
int vocd_api_metrics(struct vocd_req *req);
int vocd_api_whoami(struct vocd_req *req);

/* api_session.c: signing in and out */
int vocd_api_session_create(struct vocd_req *req);
int vocd_api_session_delete(struct vocd_req *req);
int vocd_api_signin_page(struct vocd_req *req);
int vocd_api_signin_form(struct vocd_req *req);
int vocd_api_signout_form(struct vocd_req *req);

/* api_admin.c */
int vocd_api_admin_reload(struct vocd_req *req);
int vocd_api_admin_plugins(struct vocd_req *req);
int vocd_api_admin_dead_letters(struct vocd_req *req);
int vocd_api_admin_replay(struct vocd_req *req);

/* api_service_events.c */
int vocd_api_service_event_create(struct vocd_req *req);
int vocd_api_service_event_get(struct vocd_req *req);
int vocd_api_service_event_list(struct vocd_req *req);

/* api_stats.c: GET /api/v1/stats; the same figures as JSON for a report (NULL: an error was answered) */
int vocd_api_stats(struct vocd_req *req);
cJSON *vocd_api_stats_body(struct vocd_req *req);
/** \brief Reads from, to, the filters and suspect as GET /api/v1/stats does; -1 when an error was answered. */
int vocd_api_stats_scope(struct vocd_req *req, struct vocd_stats_scope *out);
/* api_topics.c: GET /api/v1/topics */
int vocd_api_topics(struct vocd_req *req);

/* web.c: the dashboard's page and files; wall.c: the review wall and its picks */
int vocd_web_dashboard(struct vocd_req *req);
int vocd_web_asset(struct vocd_req *req);
int vocd_api_wall_pick(struct vocd_req *req);
int vocd_api_wall_page(struct vocd_req *req);

/* api_reports.c: GET /api/v1/reports/<name>?format= */
int vocd_api_report(struct vocd_req *req);
int vocd_api_report_runs(struct vocd_req *req);
int vocd_api_report_run_file(struct vocd_req *req);
int vocd_api_report_run_now(struct vocd_req *req);

/* api_points.c: the points ledger */
int vocd_api_points_list(struct vocd_req *req);
int vocd_api_points_get(struct vocd_req *req);
int vocd_api_points_balances(struct vocd_req *req);
int vocd_api_points_leaderboard(struct vocd_req *req);
int vocd_api_points_award(struct vocd_req *req);
int vocd_api_points_reverse(struct vocd_req *req);

/* api_list.c: a type's records in id order, ?after=ID&limit=N, optionally only those \p keep accepts */
typedef int (*vocd_list_filter)(vocd_txn *txn, const char *tenant, const cJSON *record, void *arg);
int vocd_api_list(struct vocd_req *req, const char *type);
int vocd_api_list_filtered(struct vocd_req *req, const char *type, vocd_list_filter keep, void *arg);
/** What a list shows for one stored record of id \p id: \p record itself, or another item in its place (the
 * map frees \p record then); NULL leaves it out. The caller's scope and \p keep are then asked of the item. */
typedef cJSON *(*vocd_list_map)(vocd_txn *txn, const char *tenant, const char *id, cJSON *record, void *arg);
int vocd_api_list_with(struct vocd_req *req, const char *type, vocd_list_filter keep, vocd_list_map map, void *arg);
/** \brief True if the caller sees \p rec (scope.h); else answers 404 "no <what> <id>", as for a record that
 * does not exist, and returns 0. Lists leave out what the caller does not see by themselves. */
int vocd_api_sees(struct vocd_req *req, const cJSON *rec, const char *what);

/* api_invitations.c */
int vocd_api_invitation_create(struct vocd_req *req);
int vocd_api_invitation_get(struct vocd_req *req);
int vocd_api_invitation_qr(struct vocd_req *req); /* api_qr.c */
/** Answers the QR code of \p url as ?format=png (default) or svg (api_qr.c). */
int vocd_api_qr_answer(struct vocd_req *req, const char *url);

/* api_counter.c: counter codes that open a fresh invitation on each scan */
int vocd_api_counter_create(struct vocd_req *req);
int vocd_api_counter_qr(struct vocd_req *req);
int vocd_api_counter_scan(struct vocd_req *req);

/* api_evaluations.c */
struct vocd_evaluation_new;
int vocd_api_evaluation_create(struct vocd_req *req);
int vocd_api_evaluation_get(struct vocd_req *req);
int vocd_api_evaluation_list(struct vocd_req *req);
int vocd_api_evaluation_delete(struct vocd_req *req);
void vocd_api_evaluation_outcome(struct vocd_req *req, int rc, const struct vocd_evaluation_new *n);

/* api_channels.c: gateways' callbacks, routed to the tenant's channel plugin */
int vocd_api_channel_inbound(struct vocd_req *req);

/* api_customers.c */
int vocd_api_customer_get(struct vocd_req *req);
int vocd_api_customer_withdraw(struct vocd_req *req);
/** Replaces \p rec's "customer" id with the customer, personal data masked (left as it is if unknown). */
void vocd_api_mask_customer(struct vocd_req *req, cJSON *rec);

/* api_privacy.c: unmasked reads, consents, export, erasure, the access log, retention runs */
int vocd_api_customer_unmasked(struct vocd_req *req);
int vocd_api_customer_consents(struct vocd_req *req);
int vocd_api_customer_export(struct vocd_req *req);
int vocd_api_customer_erase(struct vocd_req *req);
int vocd_api_privacy_access_log(struct vocd_req *req);
int vocd_api_privacy_retention_runs(struct vocd_req *req);

/* api_replies.c */
int vocd_api_reply_create(struct vocd_req *req);
/** Adds "labels" (tags given by workflow rules) to the record of \p type ("evaluation", "ticket") read in \p txn. */
void vocd_api_add_labels(vocd_txn *txn, const char *tenant, const char *type, cJSON *rec);
/** Adds "replies", versions, labels and hiding (api_hiding.c) to an evaluation being answered. */
int vocd_api_evaluation_extras(struct vocd_req *req, cJSON *evaluation);

/* api_hiding.c: hiding an evaluation from public display, for a legal reason, approved by a second person
 * when the evaluation is negative */
int vocd_api_evaluation_hide(struct vocd_req *req);
int vocd_api_evaluation_hide_decide(struct vocd_req *req);
/** \brief Adds "hidden" {reason, note, by, at, approved_by?, placeholder {zh-CN, en}} when hidden, and
 * "hide_request" once one was made, to \p evaluation read in \p txn. */
void vocd_api_hiding_extras(vocd_txn *txn, const char *tenant, cJSON *evaluation);

/* api_tickets.c */
int vocd_api_ticket_list(struct vocd_req *req);
int vocd_api_ticket_get(struct vocd_req *req);
int vocd_api_ticket_transition(struct vocd_req *req);
int vocd_api_ticket_assign(struct vocd_req *req);
int vocd_api_ticket_reclassify(struct vocd_req *req);
int vocd_api_ticket_note(struct vocd_req *req);
/** Answers ticket \p id as stored: whether it is overdue now added, the customer masked, and the revisit's
 * invitation when one was just sent (NULL or "": none). */
void vocd_api_ticket_answer_stored(struct vocd_req *req, int status, const char *id, const char *invitation);

/* api_alerts.c */
int vocd_api_alert_list(struct vocd_req *req);
int vocd_api_alert_get(struct vocd_req *req);
int vocd_api_alert_ack(struct vocd_req *req);

/* api_rules.c */
int vocd_api_rules_dry_run(struct vocd_req *req);

/* api_complaints.c */
int vocd_api_complaint_create(struct vocd_req *req);

/* api_review.c: the review queue of suspect evaluations */
int vocd_api_review_queue(struct vocd_req *req);
int vocd_api_review_decide(struct vocd_req *req);

/* api_audit.c */
int vocd_api_audit_verify(struct vocd_req *req);
int vocd_api_audit_list(struct vocd_req *req);

/* api_survey.c: the customer's pages, no account */
int vocd_api_survey_page(struct vocd_req *req);
int vocd_api_survey_post(struct vocd_req *req);
struct vocd_survey;
/** \brief The survey form \p body (x-www-form-urlencoded) as an answer {scores, dimensions, tags, text} for
 * \p sv, not yet checked; NULL when out of memory. Caller frees. Public for tests/fuzz. */
cJSON *vocd_api_survey_answer_from_form(const char *body, size_t len, const struct vocd_survey *sv);

/* api_plugins.c */
int vocd_api_plugin_call(struct vocd_req *req);

#endif
