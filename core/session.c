/* Staff sign-in: passwords, lock-out after repeated failures, and sessions. The slow password check runs
 * outside the write job (it would hold every other writer); the job then counts the outcome, and refuses
 * even a right password when a lock was set by attempts made meanwhile. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authenticity.h"
#include "error.h"
#include "ids.h"
#include "password.h"
#include "validate.h"

#define PASSWORD_TYPE "auth.password" /* person -> {scheme, iterations, salt, hash, set_at} */
#define SIGNIN_TYPE "auth.signin"     /* person -> {failures, locked_until}: wrong passwords in a row */
#define SESSION_TYPE "auth.session"   /* id -> {hash, person, role, csrf, created, expires} */

struct password_job {
	const char *tenant, *person;
	cJSON *rec;
	const struct vocd_actor *who;
};

static int password_job(vocd_txn *txn, void *arg)
{
	struct password_job *j = arg;
	int rc = vocd_record_put(txn, j->tenant, PASSWORD_TYPE, j->person, j->rec, NULL, 0, "auth.password_set", j->who,
	                         NULL);
	/* A new password also lifts a lock-out: that is how an admin lets someone back in. */
	if (rc == 0) {
		rc = vocd_rec_del(txn, j->tenant, SIGNIN_TYPE, j->person);
		rc = rc == VOCD_ENOTFOUND ? 0 : rc;
	}
	return rc;
}

int vocd_password_set(vocd_store *st, const char *tenant, const char *person, const char *password,
                      const struct vocd_actor *who)
{
	if (!vocd_external_id_valid(person) || vocd_password_unusable(password))
		return vocd_password_unusable(password) ? VOCD_EUNPROC : VOCD_EINVAL;
	cJSON *rec = vocd_password_hash(password);
	if (!rec)
		return VOCD_ENOMEM;
	cJSON_AddNumberToObject(rec, "set_at", (double)vocd_now_ms());
	struct password_job j = {tenant, person, rec, who};
	int rc = vocd_store_write(st, password_job, &j);
	cJSON_Delete(rec);
	return rc;
}

static int64_t locked_until(const cJSON *state)
{
	return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(state, "locked_until"));
}

struct signin_job {
	const char *tenant, *person;
	int matched;
	int outcome; /* what to answer: a job that fails is rolled back, and a failure must be counted */
	const struct vocd_actor *who;
	struct vocd_session_new *out;
	int role;
	int64_t now;
};

/* Sessions past their time, dropped when someone signs in: they are refused anyway, this keeps them few. */
static int collect_expired(const char *id, const void *data, size_t len, void *arg)
{
	cJSON *rec = cJSON_ParseWithLength(data, len);
	cJSON *ids = arg; /* [now, expired ids...] */
	double now = cJSON_GetNumberValue(cJSON_GetArrayItem(ids, 0));
	if (rec && cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "expires")) <= now)
		cJSON_AddItemToArray(ids, cJSON_CreateString(id));
	cJSON_Delete(rec);
	return 0;
}

static int drop_expired(vocd_txn *txn, const char *tenant, int64_t now)
{
	cJSON *ids = cJSON_CreateArray();
	cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)now));
	int rc = vocd_rec_scan(txn, tenant, SESSION_TYPE, NULL, collect_expired, ids);
	rc = rc < 0 ? rc : 0;
	for (const cJSON *id = cJSON_GetArrayItem(ids, 1); id && rc == 0; id = id->next)
		rc = vocd_rec_del(txn, tenant, SESSION_TYPE, id->valuestring);
	cJSON_Delete(ids);
	return rc;
}

static int new_session(vocd_txn *txn, struct signin_job *j)
{
	struct vocd_session_new *o = j->out;
	unsigned char csrf[32];
	char id[17], hash[65];
	int rc = vocd_token_mint("vs1.", j->tenant, o->cookie, id, hash);
	if (rc == 0)
		rc = vocd_random_bytes(csrf, sizeof csrf);
	if (rc != 0)
		return rc;
	vocd_base64url(csrf, sizeof csrf, o->csrf);
	o->expires_ms = j->now + VOCD_SESSION_MS;

	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "hash", hash);
	cJSON_AddStringToObject(rec, "person", j->person);
	cJSON_AddStringToObject(rec, "role", vocd_role_name(j->role));
	cJSON_AddStringToObject(rec, "csrf", o->csrf);
	cJSON_AddNumberToObject(rec, "created", (double)j->now);
	cJSON_AddNumberToObject(rec, "expires", (double)o->expires_ms);
	rc = vocd_record_put(txn, j->tenant, SESSION_TYPE, id, rec, NULL, 0, "auth.signin", j->who, NULL);
	cJSON_Delete(rec);
	/* The device staff sign in from: an answer later given from it is flagged (authenticity.c). */
	if (rc == 0 && j->who->source.ip && j->who->source.ip[0])
		rc = vocd_authenticity_staff_device(txn, j->tenant, j->who->source.ip, j->who->source.user_agent, j->person);
	if (rc != 0)
		return rc;
	struct vocd_token_info *info = &o->info;
	snprintf(info->tenant, sizeof info->tenant, "%s", j->tenant);
	snprintf(info->id, sizeof info->id, "%s", id);
	snprintf(info->person, sizeof info->person, "%s", j->person);
	info->role = j->role;
	info->created_ms = j->now;
	info->session = 1;
	return 0;
}

static int signin_job(vocd_txn *txn, void *arg)
{
	struct signin_job *j = arg;
	cJSON *state = NULL;
	int rc = vocd_record_get(txn, j->tenant, SIGNIN_TYPE, j->person, &state);
	if (rc != 0 && rc != VOCD_ENOTFOUND)
		return rc;
	if (locked_until(state) > j->now) {
		j->out->retry_after_ms = locked_until(state) - j->now;
		cJSON_Delete(state);
		return VOCD_ERATE;
	}
	if (j->matched) {
		cJSON_Delete(state);
		rc = state ? vocd_rec_del(txn, j->tenant, SIGNIN_TYPE, j->person) : 0;
		if (rc == 0)
			rc = drop_expired(txn, j->tenant, j->now);
		return rc ? rc : new_session(txn, j);
	}
	/* A lock that has run out starts the count again. */
	double failures = locked_until(state) > 0 ? 0 : cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(state, "failures"));
	failures = (failures > 0 ? failures : 0) + 1;
	cJSON_Delete(state);
	state = cJSON_CreateObject();
	cJSON_AddNumberToObject(state, "failures", failures);
	int lock = failures >= VOCD_SIGNIN_MAX_FAILURES;
	if (lock)
		cJSON_AddNumberToObject(state, "locked_until", (double)(j->now + VOCD_SIGNIN_LOCK_MS));
	rc = vocd_record_put(txn, j->tenant, SIGNIN_TYPE, j->person, state, NULL, 0,
	                     lock ? "auth.lockout" : "auth.signin_failed", j->who, NULL);
	cJSON_Delete(state);
	if (rc == 0 && lock)
		j->out->retry_after_ms = VOCD_SIGNIN_LOCK_MS;
	j->outcome = lock ? VOCD_ERATE : VOCD_EAUTH;
	return rc;
}

int vocd_session_signin(vocd_store *st, const struct vocd_tenant_conf *t, const char *person, const char *password,
                        const struct vocd_actor *who, struct vocd_session_new *out)
{
	memset(out, 0, sizeof *out);
	const struct vocd_person *p = vocd_people_find(&t->people, person);
	cJSON *stored = NULL;
	int64_t now = vocd_now_ms();
	if (p && p->access >= 0) {
		vocd_txn *txn;
		int rc = vocd_store_read(st, &txn);
		if (rc != 0)
			return rc;
		cJSON *state = NULL;
		vocd_record_get(txn, t->id, SIGNIN_TYPE, person, &state);
		vocd_record_get(txn, t->id, PASSWORD_TYPE, person, &stored);
		vocd_txn_end(txn);
		int64_t until = locked_until(state);
		cJSON_Delete(state);
		if (until > now) { /* locked: no password is even tried */
			cJSON_Delete(stored);
			out->retry_after_ms = until - now;
			return VOCD_ERATE;
		}
	}
	/* Unknown people cost the same time, and leave nothing behind: a guess at names writes nothing. */
	int matched = vocd_password_matches(stored, password);
	int known = p && p->access >= 0 && stored;
	cJSON_Delete(stored);
	if (!known)
		return VOCD_EAUTH;
	struct signin_job j = {t->id, p->id, matched, 0, who, out, p->access, now};
	int rc = vocd_store_write(st, signin_job, &j);
	return rc ? rc : j.outcome;
}

int vocd_session_verify(vocd_store *st, const char *cookie, struct vocd_token_info *info, char csrf[VOCD_CSRF_LEN + 1])
{
	char tenant[65], id[17];
	if (vocd_token_split(cookie, "vs1.", tenant, id) != 0)
		return VOCD_EAUTH;
	cJSON *rec = NULL;
	if (vocd_record_read(st, tenant, SESSION_TYPE, id, &rec) != 0)
		return VOCD_EAUTH;
	int role = vocd_role_parse(vocd_json_str(rec, "role"));
	const char *person = vocd_json_str(rec, "person"), *c = vocd_json_str(rec, "csrf");
	int ok = vocd_token_hash_matches(vocd_json_str(rec, "hash"), cookie) && role >= 0 && person && c &&
	         strlen(c) == VOCD_CSRF_LEN &&
	         cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "expires")) > (double)vocd_now_ms();
	if (ok) {
		snprintf(info->tenant, sizeof info->tenant, "%s", tenant);
		snprintf(info->id, sizeof info->id, "%s", id);
		snprintf(info->person, sizeof info->person, "%s", person);
		info->role = role;
		info->created_ms = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "created"));
		info->session = 1;
		memcpy(csrf, c, VOCD_CSRF_LEN + 1);
	}
	cJSON_Delete(rec);
	return ok ? 0 : VOCD_EAUTH;
}

struct end_job {
	const char *tenant, *id;
	const struct vocd_actor *who;
};

static int end_job(vocd_txn *txn, void *arg)
{
	struct end_job *j = arg;
	int rc = vocd_rec_del(txn, j->tenant, SESSION_TYPE, j->id);
	if (rc != 0)
		return rc;
	struct vocd_audit_entry e = {j->who->actor, j->who->source, 0, "auth.signout", SESSION_TYPE, j->id, j->id,
	                             strlen(j->id)};
	return vocd_audit_append(txn, j->tenant, &e, NULL);
}

int vocd_session_end(vocd_store *st, const char *tenant, const char *id, const struct vocd_actor *who)
{
	struct end_job j = {tenant, id, who};
	return vocd_store_write(st, end_job, &j);
}
