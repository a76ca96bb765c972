/* Audit trail: a per-tenant SHA-256 hash chain of entries stored as JSON records, appended inside the
 * writer's transactions and verified by walking the chain (the encoding is documented in audit.h). */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha2.h>

#include "buf.h"
#include "error.h"
#include "ids.h"
#include "json_text.h"
#include "log.h"

#define SEQ_NAME "audit"
#define HEAD_ID "head"
#define ID_LEN 21          /* 20 digits + NUL */
#define HEAD_LEN 40        /* big-endian u64 seq, 32-byte hash */
#define DOMAIN "vocd.audit.v1"
#define MAX_ID 128
#define MAX_SHORT 64
#define MAX_UA 512
#define VERIFY_CHUNK 4096  /* entries per read snapshot while verifying */
#define LIST_MAX 1000
#define JSON_INT_MAX 9007199254740992.0 /* 2^53: integers above are not exact in a JSON number */

static const char *const kind_names[] = {"token", "customer", "system", "user"};

const char *vocd_audit_actor_kind_name(int kind)
{
	return kind >= 0 && kind < (int)(sizeof kind_names / sizeof kind_names[0]) ? kind_names[kind] : "?";
}

int vocd_audit_actor_kind_parse(const char *name)
{
	for (int i = 0; name && i < (int)(sizeof kind_names / sizeof kind_names[0]); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

/* ---- Encoding and hashing ----------------------------------------------------------------------- */

/* An entry's fields as hashed; strings are NULL when absent. */
struct fields {
	uint64_t seq, time_ms;
	const char *tenant, *kind, *actor_id, *role;
	const char *ip, *channel, *user_agent, *token;
	const char *action, *record_type, *record_id;
	unsigned char prev[32], digest[32];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case is not the canonical form */
}

/* Lower-case hex of exactly 32 bytes. */
static int unhex32(const char *s, unsigned char out[32])
{
	if (s == NULL || strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static void be64(uint64_t v, unsigned char out[8])
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_str(struct sha256_ctx *c, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                        (unsigned char)n};
	sha256_update(c, 4, len);
	if (n > 0)
		sha256_update(c, n, (const unsigned char *)s);
}

static void entry_hash(const struct fields *f, unsigned char out[32])
{
	struct sha256_ctx c;
	unsigned char b[8];
	sha256_init(&c);
	sha256_update(&c, strlen(DOMAIN), (const unsigned char *)DOMAIN);
	be64(f->seq, b);
	sha256_update(&c, 8, b);
	sha256_update(&c, 32, f->prev);
	be64(f->time_ms, b);
	sha256_update(&c, 8, b);
	const char *strs[] = {f->tenant, f->kind,       f->actor_id, f->role,        f->ip,       f->channel,
	                      f->user_agent, f->token, f->action,   f->record_type, f->record_id};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		put_str(&c, strs[i]);
	sha256_update(&c, 32, f->digest);
	sha256_digest(&c, 32, out);
}

static void fmt_id(char id[ID_LEN], uint64_t seq)
{
	snprintf(id, ID_LEN, "%020llu", (unsigned long long)seq);
}

/* 20 digits -> seq; -1 for anything else. */
static int parse_id(const char *id, uint64_t *seq)
{
	if (strlen(id) != ID_LEN - 1)
		return -1;
	uint64_t v = 0;
	for (int i = 0; i < ID_LEN - 1; i++) {
		if (id[i] < '0' || id[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(id[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*seq = v;
	return 0;
}

/* ---- Appending ---------------------------------------------------------------------------------- */

/* NULL and "" are both absent. */
static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

static int len_ok(const char *s, size_t max, int required)
{
	if (s == NULL || *s == '\0')
		return !required;
	return strlen(s) <= max;
}

static int action_ok(const char *s)
{
	if (!len_ok(s, MAX_SHORT, 1))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* The user agent comes from the client: keep at most MAX_UA bytes of valid, printable UTF-8. */
static void clean_ua(const char *in, char out[MAX_UA + 1])
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0 || (l == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			if (o + 1 > MAX_UA)
				break;
			out[o++] = '?';
			i += l ? l : 1;
			continue;
		}
		if (o + l > MAX_UA)
			break;
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
}

/* "name":"s" when \p s is set, after a comma unless it opens its object. */
static void put_member(struct vocd_buf *b, const char *name, const char *s)
{
	if (s == NULL)
		return;
	if (b->len > 0 && b->p[b->len - 1] != '{')
		vocd_buf_add(b, ",", 1);
	vocd_json_put_string(b, name);
	vocd_buf_add(b, ":", 1);
	vocd_json_put_string(b, s);
}

/* The entry JSON of \p f with its hash, its length in \p len; NULL when out of memory. Caller frees.
 * Written directly rather than through a cJSON tree: one is written for every change. */
static char *entry_text(const struct fields *f, const unsigned char hash[32], size_t *len)
{
	char prev[65], digest[65], h[65];
	vocd_hex(f->prev, 32, prev);
	vocd_hex(f->digest, 32, digest);
	vocd_hex(hash, 32, h);
	struct vocd_buf b = {0};
	vocd_buf_puts(&b, "{\"v\":1,\"seq\":");
	vocd_json_put_number(&b, (double)f->seq);
	vocd_buf_puts(&b, ",\"time\":");
	vocd_json_put_number(&b, (double)f->time_ms);
	vocd_buf_puts(&b, ",\"actor\":{");
	put_member(&b, "kind", f->kind);
	put_member(&b, "id", f->actor_id);
	put_member(&b, "role", f->role);
	vocd_buf_puts(&b, "},\"source\":{");
	put_member(&b, "ip", f->ip);
	put_member(&b, "channel", f->channel);
	put_member(&b, "user_agent", f->user_agent);
	put_member(&b, "token", f->token);
	vocd_buf_puts(&b, "}");
	put_member(&b, "action", f->action);
	vocd_buf_puts(&b, ",\"record\":{");
	put_member(&b, "type", f->record_type);
	put_member(&b, "id", f->record_id);
	vocd_buf_puts(&b, "}");
	put_member(&b, "digest", digest);
	put_member(&b, "prev", prev);
	put_member(&b, "hash", h);
	vocd_buf_puts(&b, "}");
	if (b.oom) {
		vocd_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* Reads the head record: 0 with *found 0, seq 0 and a zero hash when there is none; VOCD_EINTERNAL
 * when it is not HEAD_LEN bytes. */
static int read_head(vocd_txn *txn, const char *tenant, int *found, uint64_t *seq, unsigned char hash[32])
{
	const void *data;
	size_t len;
	*found = 0;
	*seq = 0;
	memset(hash, 0, 32);
	int rc = vocd_rec_get(txn, tenant, VOCD_AUDIT_HEAD_TYPE, HEAD_ID, &data, &len);
	if (rc == VOCD_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (len != HEAD_LEN)
		return VOCD_EINTERNAL;
	*found = 1;
	*seq = get_be64(data);
	memcpy(hash, (const unsigned char *)data + 8, 32);
	return 0;
}

int vocd_audit_append(vocd_txn *txn, const char *tenant, const struct vocd_audit_entry *e, uint64_t *seq_out)
{
	if (txn == NULL || tenant == NULL || *tenant == '\0' || e == NULL)
		return VOCD_EINVAL;
	const struct vocd_audit_actor *a = &e->actor;
	const struct vocd_audit_source *s = &e->source;
	if (vocd_audit_actor_kind_name(a->kind)[0] == '?' || !len_ok(a->id, MAX_ID, 1) ||
	    !len_ok(a->role, MAX_SHORT, 0) || !len_ok(s->ip, MAX_SHORT, 0) || !len_ok(s->channel, MAX_SHORT, 0) ||
	    !len_ok(s->token, MAX_SHORT, 0) || !action_ok(e->action) || !len_ok(e->record_type, MAX_ID, 1) ||
	    !len_ok(e->record_id, MAX_ID, 1) || (e->change == NULL && e->change_len > 0) || e->time_ms < 0 ||
	    (double)e->time_ms >= JSON_INT_MAX)
		return VOCD_EINVAL;

	struct fields f = {0};
	char ua[MAX_UA + 1] = "";
	if (opt(s->user_agent))
		clean_ua(s->user_agent, ua);
	f.time_ms = (uint64_t)(e->time_ms ? e->time_ms : vocd_now_ms());
	f.tenant = tenant;
	f.kind = vocd_audit_actor_kind_name(a->kind);
	f.actor_id = a->id;
	f.role = opt(a->role);
	f.ip = opt(s->ip);
	f.channel = opt(s->channel);
	f.user_agent = opt(ua);
	f.token = opt(s->token);
	f.action = e->action;
	f.record_type = e->record_type;
	f.record_id = e->record_id;
	vocd_sha256(e->change, e->change_len, f.digest);

	int rc = vocd_seq_next(txn, tenant, SEQ_NAME, &f.seq);
	if (rc != 0)
		return rc;
	uint64_t head_seq;
	int found;
	rc = read_head(txn, tenant, &found, &head_seq, f.prev);
	if (rc == VOCD_EINTERNAL || (rc == 0 && head_seq != f.seq - 1)) {
		/* Fail closed: extending a chain whose head was altered would bury the damage. */
		vocd_error("audit: tenant %s: the chain head (%s) does not follow the counter (%llu); the audit "
		           "trail was altered: run `vocd audit verify`",
		           tenant, rc ? "unreadable" : "another seq", (unsigned long long)f.seq);
		return VOCD_EINTERNAL;
	}
	if (rc != 0)
		return rc;

	unsigned char hash[32];
	entry_hash(&f, hash);
	size_t len;
	char *text = entry_text(&f, hash, &len);
	if (text == NULL)
		return VOCD_ENOMEM;
	char id[ID_LEN];
	fmt_id(id, f.seq);
	rc = vocd_rec_put(txn, tenant, VOCD_AUDIT_TYPE, id, text, len, NULL, 0);
	free(text);
	if (rc != 0)
		return rc;
	unsigned char head[HEAD_LEN];
	be64(f.seq, head);
	memcpy(head + 8, hash, 32);
	rc = vocd_rec_put(txn, tenant, VOCD_AUDIT_HEAD_TYPE, HEAD_ID, head, sizeof head, NULL, 0);
	if (rc == 0 && seq_out)
		*seq_out = f.seq;
	return rc;
}

/* ---- Reading entries back ----------------------------------------------------------------------- */

enum { K_STR, K_NUM, K_OBJ };

struct key_spec {
	const char *name;
	int kind;
	int required;
	const cJSON *item;
};

/* Checks that \p obj has only the listed keys, each at most once, with the right types; strings are
 * non-empty (an empty optional string is never stored) and numbers exact non-negative integers. */
static int strict_object(const cJSON *obj, struct key_spec *spec, size_t n, char *why, size_t wl)
{
	if (!cJSON_IsObject(obj)) {
		snprintf(why, wl, "not a JSON object");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		spec[i].item = NULL;
	for (const cJSON *c = obj->child; c; c = c->next) {
		size_t i = 0;
		while (i < n && (c->string == NULL || strcmp(c->string, spec[i].name) != 0))
			i++;
		if (i == n) {
			snprintf(why, wl, "unexpected field \"%.40s\"", c->string ? c->string : "");
			return -1;
		}
		if (spec[i].item != NULL) {
			snprintf(why, wl, "field \"%s\" appears twice", spec[i].name);
			return -1;
		}
		int ok = spec[i].kind == K_STR   ? cJSON_IsString(c) && c->valuestring[0] != '\0'
		         : spec[i].kind == K_OBJ ? cJSON_IsObject(c)
		                                 : cJSON_IsNumber(c) && c->valuedouble >= 0 &&
		                                       c->valuedouble < JSON_INT_MAX &&
		                                       c->valuedouble == (double)(uint64_t)c->valuedouble;
		if (!ok) {
			snprintf(why, wl, "field \"%s\" has the wrong type", spec[i].name);
			return -1;
		}
		spec[i].item = c;
	}
	for (size_t i = 0; i < n; i++)
		if (spec[i].required && spec[i].item == NULL) {
			snprintf(why, wl, "field \"%s\" is missing", spec[i].name);
			return -1;
		}
	return 0;
}

static const char *sval(const struct key_spec *k)
{
	return k->item ? k->item->valuestring : NULL;
}

/* Parses a stored entry into \p f (strings point into \p *json, which the caller deletes) and its
 * stored hash. Returns 0, or -1 with the reason in \p why. */
static int parse_entry(const void *data, size_t len, const char *tenant, cJSON **json, struct fields *f,
                       unsigned char hash[32], char *why, size_t wl)
{
	*json = cJSON_ParseWithLength(data, len);
	if (*json == NULL) {
		snprintf(why, wl, "not valid JSON");
		return -1;
	}
	struct key_spec top[] = {{"v", K_NUM, 1, NULL},      {"seq", K_NUM, 1, NULL},    {"time", K_NUM, 1, NULL},
	                         {"actor", K_OBJ, 1, NULL},  {"source", K_OBJ, 1, NULL}, {"action", K_STR, 1, NULL},
	                         {"record", K_OBJ, 1, NULL}, {"digest", K_STR, 1, NULL}, {"prev", K_STR, 1, NULL},
	                         {"hash", K_STR, 1, NULL}};
	struct key_spec actor[] = {{"kind", K_STR, 1, NULL}, {"id", K_STR, 1, NULL}, {"role", K_STR, 0, NULL}};
	struct key_spec source[] = {{"ip", K_STR, 0, NULL},
	                            {"channel", K_STR, 0, NULL},
	                            {"user_agent", K_STR, 0, NULL},
	                            {"token", K_STR, 0, NULL}};
	struct key_spec record[] = {{"type", K_STR, 1, NULL}, {"id", K_STR, 1, NULL}};
	char sub[160];
	if (strict_object(*json, top, 10, why, wl) != 0)
		return -1;
	if (strict_object(top[3].item, actor, 3, sub, sizeof sub) != 0 ||
	    strict_object(top[4].item, source, 4, sub, sizeof sub) != 0 ||
	    strict_object(top[6].item, record, 2, sub, sizeof sub) != 0) {
		snprintf(why, wl, "malformed: %s", sub);
		return -1;
	}
	if (top[0].item->valuedouble != 1) {
		snprintf(why, wl, "unknown format version");
		return -1;
	}
	if (unhex32(sval(&top[7]), f->digest) || unhex32(sval(&top[8]), f->prev) || unhex32(sval(&top[9]), hash)) {
		snprintf(why, wl, "malformed: a hash is not 64 lower-case hex digits");
		return -1;
	}
	f->seq = (uint64_t)top[1].item->valuedouble;
	f->time_ms = (uint64_t)top[2].item->valuedouble;
	f->tenant = tenant;
	f->kind = sval(&actor[0]);
	f->actor_id = sval(&actor[1]);
	f->role = sval(&actor[2]);
	f->ip = sval(&source[0]);
	f->channel = sval(&source[1]);
	f->user_agent = sval(&source[2]);
	f->token = sval(&source[3]);
	f->action = sval(&top[5]);
	f->record_type = sval(&record[0]);
	f->record_id = sval(&record[1]);
	return 0;
}

/* ---- Verifying ---------------------------------------------------------------------------------- */

struct verify {
	const char *tenant;
	struct vocd_audit_report *r;
	uint64_t last;            /* last entry verified */
	unsigned char last_hash[32];
	unsigned in_chunk;
	int bad, full;
};

static int fail(struct verify *v, uint64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct verify *v, uint64_t seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->r->reason, sizeof v->r->reason, fmt, ap);
	va_end(ap);
	v->r->bad_seq = seq;
	v->bad = 1;
	return 1;
}

static int verify_visit(const char *id, const void *data, size_t len, void *arg)
{
	struct verify *v = arg;
	uint64_t n;
	if (parse_id(id, &n) != 0 || n <= v->last)
		return fail(v, v->last + 1, "a record with the unexpected id \"%.40s\" follows entry %llu", id,
		            (unsigned long long)v->last);
	if (n != v->last + 1) {
		if (v->last == 0)
			return fail(v, 1, "entry 1 missing: the sequence starts at %llu", (unsigned long long)n);
		return fail(v, v->last + 1, "entry %llu missing: the sequence jumps from %llu to %llu",
		            (unsigned long long)(v->last + 1), (unsigned long long)v->last, (unsigned long long)n);
	}
	cJSON *json;
	struct fields f = {0};
	unsigned char stored[32], computed[32];
	char why[200];
	int rc = parse_entry(data, len, v->tenant, &json, &f, stored, why, sizeof why);
	if (rc != 0) {
		cJSON_Delete(json);
		return fail(v, n, "entry %llu: unreadable (%s)", (unsigned long long)n, why);
	}
	if (f.seq != n) {
		cJSON_Delete(json);
		return fail(v, n, "entry %llu: its content is that of entry %llu (moved or swapped)", (unsigned long long)n,
		            (unsigned long long)f.seq);
	}
	entry_hash(&f, computed);
	cJSON_Delete(json);
	if (memcmp(computed, stored, 32) != 0)
		return fail(v, n, "entry %llu: hash does not match its content", (unsigned long long)n);
	if (memcmp(f.prev, v->last_hash, 32) != 0) {
		if (n == 1)
			return fail(v, 1, "entry 1: previous hash is not the chain's start (zeros)");
		return fail(v, n, "entry %llu: previous hash does not match entry %llu", (unsigned long long)n,
		            (unsigned long long)v->last);
	}
	v->last = n;
	memcpy(v->last_hash, stored, 32);
	v->r->checked++;
	if (++v->in_chunk >= VERIFY_CHUNK) {
		v->full = 1;
		return 1;
	}
	return 0;
}

static void check_head(struct verify *v, int rc, uint64_t head_seq, const unsigned char head_hash[32],
                       int has_head)
{
	struct vocd_audit_report *r = v->r;
	if (rc == VOCD_EINTERNAL) {
		fail(v, 0, "chain head unreadable (not %d bytes)", HEAD_LEN);
		return;
	}
	r->head_seq = head_seq;
	if (has_head)
		vocd_hex(head_hash, 32, r->head_hash);
	if (!has_head && v->last > 0)
		fail(v, 0, "chain head missing, found %llu entries", (unsigned long long)v->last);
	else if (has_head && head_seq != v->last)
		fail(v, head_seq > v->last ? v->last + 1 : head_seq + 1, "head says %llu entries, found %llu",
		     (unsigned long long)head_seq, (unsigned long long)v->last);
	else if (has_head && memcmp(head_hash, v->last_hash, 32) != 0)
		fail(v, 0, "chain head hash does not match entry %llu", (unsigned long long)v->last);
}

int vocd_audit_verify(vocd_store *st, const char *tenant, struct vocd_audit_report *out)
{
	if (st == NULL || tenant == NULL || *tenant == '\0' || out == NULL)
		return VOCD_EINVAL;
	memset(out, 0, sizeof *out);
	struct verify v = {.tenant = tenant, .r = out};
	for (;;) {
		vocd_txn *txn;
		int rc = vocd_store_read(st, &txn);
		if (rc != 0)
			return rc;
		char from[ID_LEN + 1];
		if (v.last > 0) {
			/* Right after the last verified id: a stray id sorting between two entries is seen too. */
			fmt_id(from, v.last);
			from[ID_LEN - 1] = '\1';
			from[ID_LEN] = '\0';
		}
		v.in_chunk = 0;
		v.full = 0;
		rc = vocd_rec_scan(txn, tenant, VOCD_AUDIT_TYPE, v.last ? from : NULL, verify_visit, &v);
		if (rc == VOCD_EINTERNAL && !v.bad) {
			/* The store could not split the record's value: its bytes were damaged. */
			fail(&v, v.last + 1, "entry %llu (or a record after entry %llu): the stored value is corrupt",
			     (unsigned long long)(v.last + 1), (unsigned long long)v.last);
			rc = 0;
		}
		if (rc == 0 && !v.bad && !v.full) {
			uint64_t hs;
			unsigned char hh[32];
			int has_head;
			rc = read_head(txn, tenant, &has_head, &hs, hh);
			if (rc == 0 || rc == VOCD_EINTERNAL) {
				check_head(&v, rc, hs, hh, has_head);
				rc = 0;
			}
		}
		vocd_txn_end(txn);
		if (rc != 0)
			return rc;
		if (v.bad || !v.full)
			break;
	}
	out->ok = !v.bad;
	return 0;
}

int vocd_audit_report_json(const char *tenant, const struct vocd_audit_report *r, cJSON **out)
{
	if (r == NULL || out == NULL)
		return VOCD_EINVAL;
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL && (tenant == NULL || cJSON_AddStringToObject(o, "tenant", tenant)) &&
	         cJSON_AddBoolToObject(o, "ok", r->ok) && cJSON_AddNumberToObject(o, "entries", (double)r->checked) &&
	         cJSON_AddNumberToObject(o, "head_seq", (double)r->head_seq) &&
	         cJSON_AddStringToObject(o, "head_hash", r->head_hash);
	if (ok && !r->ok)
		ok = (r->bad_seq == 0 || cJSON_AddNumberToObject(o, "bad_seq", (double)r->bad_seq)) &&
		     cJSON_AddStringToObject(o, "reason", r->reason);
	if (!ok) {
		cJSON_Delete(o);
		return VOCD_ENOMEM;
	}
	*out = o;
	return 0;
}

int vocd_audit_head(vocd_store *st, const char *tenant, uint64_t *seq, char hash_hex[65])
{
	if (st == NULL || tenant == NULL || *tenant == '\0' || seq == NULL || hash_hex == NULL)
		return VOCD_EINVAL;
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	unsigned char h[32];
	int found;
	rc = read_head(txn, tenant, &found, seq, h);
	vocd_txn_end(txn);
	if (rc != 0)
		return rc;
	if (!found)
		hash_hex[0] = '\0';
	else
		vocd_hex(h, 32, hash_hex);
	return 0;
}

/* ---- Listing ------------------------------------------------------------------------------------ */

struct list {
	cJSON *arr;
	int left;
};

static int list_visit(const char *id, const void *data, size_t len, void *arg)
{
	struct list *l = arg;
	uint64_t n = 0;
	cJSON *item = cJSON_ParseWithLength(data, len);
	if (item == NULL || !cJSON_IsObject(item)) {
		cJSON_Delete(item);
		item = cJSON_CreateObject();
		if (item == NULL)
			return VOCD_ENOMEM;
		int ok = parse_id(id, &n) == 0 ? cJSON_AddNumberToObject(item, "seq", (double)n) != NULL
		                               : cJSON_AddStringToObject(item, "id", id) != NULL;
		if (!ok || !cJSON_AddTrueToObject(item, "unreadable")) {
			cJSON_Delete(item);
			return VOCD_ENOMEM;
		}
	}
	cJSON_AddItemToArray(l->arr, item);
	return --l->left > 0 ? 0 : 1;
}

int vocd_audit_list(vocd_store *st, const char *tenant, uint64_t after, int limit, cJSON **out)
{
	if (st == NULL || tenant == NULL || *tenant == '\0' || out == NULL || limit > LIST_MAX)
		return VOCD_EINVAL;
	struct list l = {cJSON_CreateArray(), limit <= 0 ? 100 : limit};
	if (l.arr == NULL)
		return VOCD_ENOMEM;
	int rc = 0;
	if (after < UINT64_MAX) {
		vocd_txn *txn;
		rc = vocd_store_read(st, &txn);
		if (rc == 0) {
			char from[ID_LEN];
			fmt_id(from, after + 1);
			rc = vocd_rec_scan(txn, tenant, VOCD_AUDIT_TYPE, from, list_visit, &l);
			vocd_txn_end(txn);
		}
	}
	if (rc != 0) {
		cJSON_Delete(l.arr);
		return rc;
	}
	*out = l.arr;
	return 0;
}

/* ---- Tenants ------------------------------------------------------------------------------------ */

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(const char *id, const void *data, size_t len, void *arg)
{
	struct names *s = arg;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **v = realloc(s->v, cap * sizeof *v);
		if (v == NULL)
			return VOCD_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(id)) == NULL)
		return VOCD_ENOMEM;
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vocd_audit_tenants(vocd_store *st, cJSON **out)
{
	if (st == NULL || out == NULL)
		return VOCD_EINVAL;
	struct names s = {0};
	vocd_txn *txn;
	int rc = vocd_store_read(st, &txn);
	if (rc != 0)
		return rc;
	/* A tenant whose entries were all removed still has its head: it must be verified (and fail). */
	rc = vocd_tenant_scan(txn, VOCD_AUDIT_TYPE, names_add, &s);
	if (rc == 0)
		rc = vocd_tenant_scan(txn, VOCD_AUDIT_HEAD_TYPE, names_add, &s);
	vocd_txn_end(txn);
	cJSON *arr = rc == 0 ? cJSON_CreateArray() : NULL;
	if (rc == 0 && arr == NULL)
		rc = VOCD_ENOMEM;
	if (s.n > 0)
		qsort(s.v, s.n, sizeof *s.v, cmp_str);
	for (size_t i = 0; i < s.n; i++) {
		if (rc == 0 && (i == 0 || strcmp(s.v[i], s.v[i - 1]) != 0)) {
			cJSON *str = cJSON_CreateString(s.v[i]);
			if (str == NULL)
				rc = VOCD_ENOMEM;
			else
				cJSON_AddItemToArray(arr, str);
		}
	}
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	if (rc != 0) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
