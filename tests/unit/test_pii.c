/* Personal data: master key file rules, sealing bound to tenant/customer/field, tamper and erasure
 * behaviour, no plaintext in the database file, blind indexes, normalising and masking, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pii.h"
#include "store.h"

struct fixture {
	char dir[64];
	char data[96];
	char key[128];
	vocd_store *st;
	vocd_pii *p;
};

static int open_store(struct fixture *f)
{
	struct vocd_store_opts o = {0};
	o.no_sync = 1;
	return vocd_store_open(&f->st, f->data, &o);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/vocd-test-pii-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof f->data, "%s/data", f->dir);
	snprintf(f->key, sizeof f->key, "%s/keys/master.key", f->dir);
	assert_int_equal(mkdir(f->data, 0700), 0);
	assert_int_equal(open_store(f), 0);
	assert_int_equal(vocd_pii_init_key(f->key), 0);
	assert_int_equal(vocd_pii_open(&f->p, f->key), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vocd_store_close(f->st);
	vocd_pii_close(f->p);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

/* ---- helpers ---- */

struct seal_job {
	vocd_pii *p;
	const char *tenant, *customer, *field, *plain;
	char *token;
};

static int seal_fn(vocd_txn *txn, void *arg)
{
	struct seal_job *j = arg;
	free(j->token); /* the job may be replayed */
	j->token = NULL;
	return vocd_pii_seal(j->p, txn, j->tenant, j->customer, j->field, j->plain, &j->token);
}

static int seal_rc(struct fixture *f, vocd_pii *p, const char *tenant, const char *customer, const char *field,
                   const char *plain, char **token)
{
	struct seal_job j = {p, tenant, customer, field, plain, NULL};
	int rc = vocd_store_write(f->st, seal_fn, &j);
	*token = j.token;
	return rc;
}

static char *seal(struct fixture *f, const char *tenant, const char *customer, const char *field, const char *plain)
{
	char *token;
	assert_int_equal(seal_rc(f, f->p, tenant, customer, field, plain, &token), 0);
	assert_non_null(token);
	assert_true(strncmp(token, "pii1:", 5) == 0);
	return token;
}

static int open_tok_with(struct fixture *f, vocd_pii *p, const char *tenant, const char *customer, const char *field,
                         const char *token, char **out)
{
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	*out = (char *)0x1; /* must be reset to NULL on failure */
	int rc = vocd_pii_open_field(p, txn, tenant, customer, field, token, out);
	vocd_txn_end(txn);
	if (rc != 0)
		assert_null(*out);
	return rc;
}

static int open_tok(struct fixture *f, const char *tenant, const char *customer, const char *field, const char *token,
                    char **out)
{
	return open_tok_with(f, f->p, tenant, customer, field, token, out);
}

static void assert_opens_to(struct fixture *f, const char *tenant, const char *customer, const char *field,
                            const char *token, const char *expected)
{
	char *plain;
	assert_int_equal(open_tok(f, tenant, customer, field, token, &plain), 0);
	assert_string_equal(plain, expected);
	vocd_pii_free(plain);
}

struct forget_job {
	const char *tenant, *customer;
};

static int forget_fn(vocd_txn *txn, void *arg)
{
	struct forget_job *j = arg;
	return vocd_pii_forget(txn, j->tenant, j->customer);
}

static int forget(struct fixture *f, const char *tenant, const char *customer)
{
	struct forget_job j = {tenant, customer};
	return vocd_store_write(f->st, forget_fn, &j);
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static unsigned char *read_file(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long len = ftell(fp);
	assert_true(len >= 0);
	rewind(fp);
	unsigned char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

/* ---- master key file ---- */

static void key_file_created_private_and_never_overwritten(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	assert_int_equal(stat(f->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, VOCD_PII_KEY_LEN);
	char keys_dir[128];
	snprintf(keys_dir, sizeof keys_dir, "%s/keys", f->dir);
	assert_int_equal(stat(keys_dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	size_t n1, n2;
	unsigned char *before = read_file(f->key, &n1);
	assert_int_equal(vocd_pii_init_key(f->key), VOCD_EEXIST);
	unsigned char *after = read_file(f->key, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);

	/* A second key is random, not a fixed value. */
	char other[160];
	snprintf(other, sizeof other, "%s/keys/other.key", f->dir);
	assert_int_equal(vocd_pii_init_key(other), 0);
	unsigned char *o = read_file(other, &n2);
	assert_memory_not_equal(before, o, VOCD_PII_KEY_LEN);
	free(before);
	free(after);
	free(o);

	assert_int_equal(vocd_pii_init_key(NULL), VOCD_EINVAL);
	assert_int_equal(vocd_pii_init_key(""), VOCD_EINVAL);
	vocd_pii_close(NULL);
}

static void key_file_refused_when_exposed_or_wrong_size(void **state)
{
	struct fixture *f = *state;
	vocd_pii *p = (vocd_pii *)0x1;
	assert_int_equal(chmod(f->key, 0644), 0);
	assert_int_equal(vocd_pii_open(&p, f->key), VOCD_ECONFIG);
	assert_null(p);
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_int_equal(vocd_pii_open(&p, f->key), VOCD_ECONFIG);
	assert_int_equal(chmod(f->key, 0604), 0);
	assert_int_equal(vocd_pii_open(&p, f->key), VOCD_ECONFIG);
	assert_int_equal(chmod(f->key, 0600), 0);
	assert_int_equal(vocd_pii_open(&p, f->key), 0);
	assert_non_null(p);
	vocd_pii_close(p);

	char path[160];
	unsigned char bytes[64] = {1, 2, 3};
	snprintf(path, sizeof path, "%s/keys/short.key", f->dir);
	write_file(path, bytes, 31, 0600);
	assert_int_equal(vocd_pii_open(&p, path), VOCD_ECONFIG);
	snprintf(path, sizeof path, "%s/keys/long.key", f->dir);
	write_file(path, bytes, 33, 0600);
	assert_int_equal(vocd_pii_open(&p, path), VOCD_ECONFIG);
	snprintf(path, sizeof path, "%s/keys/empty.key", f->dir);
	write_file(path, bytes, 0, 0600);
	assert_int_equal(vocd_pii_open(&p, path), VOCD_ECONFIG);
	snprintf(path, sizeof path, "%s/keys", f->dir);
	assert_int_equal(chmod(path, 0700), 0);
	assert_int_equal(vocd_pii_open(&p, path), VOCD_ECONFIG); /* a directory */
	snprintf(path, sizeof path, "%s/keys/missing.key", f->dir);
	assert_int_equal(vocd_pii_open(&p, path), VOCD_ENOTFOUND);
	assert_null(p);
}

/* ---- sealing ---- */

static void derived_keys_are_stable_and_separate(void **state)
{
	struct fixture *f = *state;
	unsigned char a[32], b[32], c[32], d[32];
	assert_int_equal(vocd_pii_derive_key(f->p, "invitation", "acme", a), 0);
	assert_int_equal(vocd_pii_derive_key(f->p, "invitation", "acme", b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(vocd_pii_derive_key(f->p, "invitation", "acmf", c), 0);
	assert_memory_not_equal(a, c, 32);
	assert_int_equal(vocd_pii_derive_key(f->p, "invitationx", "acme", d), 0);
	assert_memory_not_equal(a, d, 32);
	/* The same master key gives the same keys after a restart. */
	vocd_pii_close(f->p);
	assert_int_equal(vocd_pii_open(&f->p, f->key), 0);
	assert_int_equal(vocd_pii_derive_key(f->p, "invitation", "acme", b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(vocd_pii_derive_key(f->p, "Bad Purpose", "acme", b), VOCD_EINVAL);
	assert_int_equal(vocd_pii_derive_key(f->p, "invitation", "Not A Tenant", b), VOCD_EINVAL);
}

static void seal_and_open_round_trip(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *field, *plain;
	} cases[] = {
		{"name", "张三丰"},           {"name", "Alice Smith"},       {"phone", "+86 138-1234-5678"},
		{"email", "Alice.W@Example.com"}, {"address", "北京市朝阳区建国路88号 Room 5"}, {"note", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = seal(f, "acme", "cust-1", cases[i].field, cases[i].plain);
		if (cases[i].plain[0])
			assert_null(strstr(t, cases[i].plain));
		assert_opens_to(f, "acme", "cust-1", cases[i].field, t, cases[i].plain);
		free(t);
	}

	/* Same plaintext sealed twice: different tokens, both open. */
	char *a = seal(f, "acme", "cust-1", "phone", "13812345678");
	char *b = seal(f, "acme", "cust-1", "phone", "13812345678");
	assert_string_not_equal(a, b);
	assert_opens_to(f, "acme", "cust-1", "phone", a, "13812345678");
	assert_opens_to(f, "acme", "cust-1", "phone", b, "13812345678");
	free(a);
	free(b);

	/* Size limit. */
	char *big = malloc(VOCD_PII_MAX_PLAINTEXT + 2);
	memset(big, 'x', VOCD_PII_MAX_PLAINTEXT);
	big[VOCD_PII_MAX_PLAINTEXT] = '\0';
	char *t = seal(f, "acme", "cust-1", "note", big);
	assert_opens_to(f, "acme", "cust-1", "note", t, big);
	free(t);
	big[VOCD_PII_MAX_PLAINTEXT] = 'x';
	big[VOCD_PII_MAX_PLAINTEXT + 1] = '\0';
	assert_int_equal(seal_rc(f, f->p, "acme", "cust-1", "note", big, &t), VOCD_ETOOBIG);
	assert_null(t);
	free(big);

	/* Bad names. */
	assert_int_equal(seal_rc(f, f->p, "Bad Tenant", "c", "phone", "1", &t), VOCD_EINVAL);
	assert_int_equal(seal_rc(f, f->p, "acme", "", "phone", "1", &t), VOCD_EINVAL);
	assert_int_equal(seal_rc(f, f->p, "acme", "c\n1", "phone", "1", &t), VOCD_EINVAL);
	assert_int_equal(seal_rc(f, f->p, "acme", "c", "Phone", "1", &t), VOCD_EINVAL);
	assert_int_equal(seal_rc(f, f->p, "acme", "c", "", "1", &t), VOCD_EINVAL);
	char longid[130];
	memset(longid, 'c', 129);
	longid[129] = '\0';
	assert_int_equal(seal_rc(f, f->p, "acme", longid, "phone", "1", &t), VOCD_EINVAL);
	longid[128] = '\0';
	t = seal(f, "acme", longid, "phone", "1");
	free(t);
}

static void seal_in_read_txn_needs_an_existing_key(void **state)
{
	struct fixture *f = *state;
	vocd_txn *txn;
	char *t = (char *)0x1;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	assert_int_equal(vocd_pii_seal(f->p, txn, "acme", "new-cust", "phone", "13800000000", &t), VOCD_EINVAL);
	assert_null(t);
	vocd_txn_end(txn);

	free(seal(f, "acme", "new-cust", "name", "王五"));
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	assert_int_equal(vocd_pii_seal(f->p, txn, "acme", "new-cust", "phone", "13800000000", &t), 0);
	vocd_txn_end(txn);
	assert_opens_to(f, "acme", "new-cust", "phone", t, "13800000000");
	free(t);
}

static void token_bound_to_field_customer_and_tenant(void **state)
{
	struct fixture *f = *state;
	char *t = seal(f, "acme", "c1", "phone", "13812345678");
	free(seal(f, "acme", "c2", "phone", "13900000000")); /* c2 has a key of its own */
	free(seal(f, "globex", "c1", "phone", "13900000000")); /* so has c1 in another tenant */
	char *out;
	assert_int_equal(open_tok(f, "acme", "c1", "email", t, &out), VOCD_EAUTH);
	assert_int_equal(open_tok(f, "acme", "c1", "name", t, &out), VOCD_EAUTH);
	assert_int_equal(open_tok(f, "acme", "c2", "phone", t, &out), VOCD_ENOTFOUND);
	assert_int_equal(open_tok(f, "acme", "nobody", "phone", t, &out), VOCD_ENOTFOUND);
	assert_int_equal(open_tok(f, "globex", "c1", "phone", t, &out), VOCD_ENOTFOUND);
	assert_int_equal(open_tok(f, "initech", "c1", "phone", t, &out), VOCD_ENOTFOUND);
	assert_opens_to(f, "acme", "c1", "phone", t, "13812345678");

	/* Another master key cannot unwrap this database's keys. */
	char other[160];
	snprintf(other, sizeof other, "%s/keys/other.key", f->dir);
	assert_int_equal(vocd_pii_init_key(other), 0);
	vocd_pii *p2;
	assert_int_equal(vocd_pii_open(&p2, other), 0);
	assert_int_equal(open_tok_with(f, p2, "acme", "c1", "phone", t, &out), VOCD_EAUTH);
	char *t2;
	assert_int_equal(seal_rc(f, p2, "acme", "c1", "phone", "1", &t2), VOCD_EAUTH);
	assert_null(t2);
	vocd_pii_close(p2);
	free(t);
}

/* A tenant's texts (its configuration's versions): sealed for one tenant and purpose, under this master key. */
static void tenant_texts_sealed_for_their_tenant_and_purpose(void **state)
{
	struct fixture *f = *state;
	const char *text = "name = \"Acme\"\npeople = { li = { phone = \"13800000002\" } }\n";
	char *sealed = NULL, *out = NULL, *again = NULL;
	assert_int_equal(vocd_pii_seal_text(f->p, "config", "acme", text, &sealed), 0);
	assert_null(strstr(sealed, "13800000002"));
	assert_int_equal(strncmp(sealed, "sealed1:", 8), 0);
	assert_int_equal(vocd_pii_seal_text(f->p, "config", "acme", text, &again), 0);
	assert_string_not_equal(sealed, again); /* a random nonce each time */
	assert_int_equal(vocd_pii_open_text(f->p, "config", "acme", sealed, &out), 0);
	assert_string_equal(out, text);
	vocd_pii_free(out);
	assert_int_equal(vocd_pii_open_text(f->p, "config", "globex", sealed, &out), VOCD_EAUTH);
	assert_int_equal(vocd_pii_open_text(f->p, "notes", "acme", sealed, &out), VOCD_EAUTH);
	assert_null(out);
	/* Any character changed, the end cut off, or not a sealed text at all. */
	for (size_t i = 8; sealed[i]; i++) {
		char was = sealed[i];
		sealed[i] = was == 'A' ? 'B' : 'A';
		int rc = vocd_pii_open_text(f->p, "config", "acme", sealed, &out);
		assert_true(rc == VOCD_EAUTH || rc == VOCD_EINVAL);
		assert_null(out);
		sealed[i] = was;
	}
	sealed[strlen(sealed) - 4] = '\0';
	int cut = vocd_pii_open_text(f->p, "config", "acme", sealed, &out);
	assert_true(cut == VOCD_EAUTH || cut == VOCD_EINVAL);
	assert_null(out);
	assert_int_equal(vocd_pii_open_text(f->p, "config", "acme", "sealed1:", &out), VOCD_EINVAL);
	assert_int_equal(vocd_pii_open_text(f->p, "config", "acme", "pii1:AAAA", &out), VOCD_EINVAL);
	assert_int_equal(vocd_pii_open_text(f->p, "config", "acme", NULL, &out), VOCD_EINVAL);
	assert_int_equal(vocd_pii_seal_text(f->p, "Config!", "acme", text, &out), VOCD_EINVAL);
	/* Another master key cannot open it. */
	char other[160];
	snprintf(other, sizeof other, "%s/keys/other.key", f->dir);
	assert_int_equal(vocd_pii_init_key(other), 0);
	vocd_pii *p2;
	assert_int_equal(vocd_pii_open(&p2, other), 0);
	assert_int_equal(vocd_pii_open_text(p2, "config", "acme", again, &out), VOCD_EAUTH);
	vocd_pii_close(p2);
	free(sealed);
	free(again);
}

static void check_tamper(struct fixture *f, const char *plain)
{
	char *t = seal(f, "acme", "c1", "email", plain);
	size_t n = strlen(t);
	char *copy = malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		/* Two different replacements per position: one a neighbour in the alphabet, one far away. */
		const char repl[2] = {t[i] == 'A' ? 'B' : 'A', t[i] == '_' ? '-' : '_'};
		for (int r = 0; r < 2; r++) {
			memcpy(copy, t, n + 1);
			copy[i] = repl[r];
			char *out;
			int rc = open_tok(f, "acme", "c1", "email", copy, &out);
			if (rc == 0)
				fail_msg("token with character %zu changed to '%c' opened", i, repl[r]);
			if (i < 5)
				assert_int_equal(rc, VOCD_EINVAL);
		}
	}
	/* Every single-bit flip of every byte of the token text. */
	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, t, n + 1);
			copy[i] ^= (char)(1 << bit);
			if (copy[i] == '\0')
				continue;
			char *out;
			assert_int_not_equal(open_tok(f, "acme", "c1", "email", copy, &out), 0);
		}
	assert_opens_to(f, "acme", "c1", "email", t, plain);
	free(copy);
	free(t);
}

/* Every token spelling is canonical: with 0, 1 and 2 spare bits at the end of the base64 text (binary
 * length mod 3 = 0, 1, 2), changing any character, spare bits included, must fail. */
static void any_changed_character_fails(void **state)
{
	struct fixture *f = *state;
	static const char *const plains[] = {"bob@example.com", "bob@example.comx", "bob@example.comxy"};
	for (size_t k = 0; k < 3; k++)
		check_tamper(f, plains[k]);
}

static void truncated_and_garbage_tokens_fail_cleanly(void **state)
{
	struct fixture *f = *state;
	char *t = seal(f, "acme", "c1", "name", "赵六");
	size_t n = strlen(t);
	char *copy = malloc(n + 2);
	for (size_t len = 0; len < n; len++) {
		memcpy(copy, t, len);
		copy[len] = '\0';
		char *out;
		int rc = open_tok(f, "acme", "c1", "name", copy, &out);
		assert_true(rc == VOCD_EINVAL || rc == VOCD_EAUTH);
	}
	/* One extra character. */
	memcpy(copy, t, n);
	copy[n] = 'A';
	copy[n + 1] = '\0';
	char *out;
	assert_int_not_equal(open_tok(f, "acme", "c1", "name", copy, &out), 0);
	free(copy);

	static const char *const garbage[] = {
		"", "pii1:", "pii1", "PII1:AAAA", "pii2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pii1:!!!!", "pii1:AAAA AAAA", "pii1:AAAA=", "pii1:A", "pii1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pii1:\xe4\xb8\xad\xe6\x96\x87", "13812345678",
	};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		assert_int_equal(open_tok(f, "acme", "c1", "name", garbage[i], &out), VOCD_EINVAL);
	assert_int_equal(open_tok(f, "acme", "c1", "name", NULL, &out), VOCD_EINVAL);

	/* A huge token. */
	size_t big = 100000;
	char *huge = malloc(big + 1);
	memcpy(huge, "pii1:", 5);
	memset(huge + 5, 'A', big - 5);
	huge[big] = '\0';
	assert_int_equal(open_tok(f, "acme", "c1", "name", huge, &out), VOCD_EINVAL);
	free(huge);

	/* Random well-formed base64 of plausible lengths, keeping the real key id: authentication fails. */
	unsigned seed = 12345;
	char rnd[200];
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (int k = 0; k < 500; k++) {
		size_t len = 16 + (size_t)(rand_r(&seed) % 150);
		memcpy(rnd, t, 16); /* "pii1:" + the first 11 characters: the key id's 8 bytes and a bit more */
		for (size_t i = 16; i < len; i++)
			rnd[i] = alphabet[rand_r(&seed) % 64];
		rnd[len] = '\0';
		int rc = open_tok(f, "acme", "c1", "name", rnd, &out);
		assert_true(rc == VOCD_EINVAL || rc == VOCD_EAUTH);
	}
	assert_opens_to(f, "acme", "c1", "name", t, "赵六");
	free(t);
}

struct corrupt_job {
	const char *tenant, *customer;
	size_t at;
};

static int corrupt_key_fn(vocd_txn *txn, void *arg)
{
	struct corrupt_job *j = arg;
	const void *data;
	size_t len;
	int rc = vocd_rec_get(txn, j->tenant, VOCD_PII_KEY_TYPE, j->customer, &data, &len);
	if (rc != 0)
		return rc;
	unsigned char buf[256];
	if (len > sizeof buf || j->at >= len) /* writer thread: no cmocka asserts */
		return VOCD_EINTERNAL;
	memcpy(buf, data, len);
	buf[j->at] ^= 0x01;
	return vocd_rec_put(txn, j->tenant, VOCD_PII_KEY_TYPE, j->customer, buf, len, NULL, 0);
}

static void altered_key_record_fails(void **state)
{
	struct fixture *f = *state;
	char *t = seal(f, "acme", "c1", "phone", "13812345678");
	char *ok = seal(f, "acme", "c2", "phone", "13812345678");
	/* Byte 0 is the version, 1-8 the key id, then nonce, wrapped key, tag. */
	struct corrupt_job j = {"acme", "c1", 30};
	assert_int_equal(vocd_store_write(f->st, corrupt_key_fn, &j), 0);
	char *out;
	assert_int_equal(open_tok(f, "acme", "c1", "phone", t, &out), VOCD_EAUTH);
	char *t2;
	assert_int_equal(seal_rc(f, f->p, "acme", "c1", "phone", "1", &t2), VOCD_EAUTH);
	assert_null(t2);
	assert_opens_to(f, "acme", "c2", "phone", ok, "13812345678");
	free(t);
	free(ok);
}

static void forget_destroys_only_that_customer(void **state)
{
	struct fixture *f = *state;
	char *c1_phone = seal(f, "acme", "c1", "phone", "13812345678");
	char *c1_name = seal(f, "acme", "c1", "name", "张三丰");
	char *c2_phone = seal(f, "acme", "c2", "phone", "13987654321");
	char *g_c1 = seal(f, "globex", "c1", "phone", "13812345678");

	assert_int_equal(forget(f, "acme", "c1"), 0);
	char *out;
	assert_int_equal(open_tok(f, "acme", "c1", "phone", c1_phone, &out), VOCD_ENOTFOUND);
	assert_int_equal(open_tok(f, "acme", "c1", "name", c1_name, &out), VOCD_ENOTFOUND);
	assert_opens_to(f, "acme", "c2", "phone", c2_phone, "13987654321");
	assert_opens_to(f, "globex", "c1", "phone", g_c1, "13812345678");
	assert_int_equal(forget(f, "acme", "c1"), VOCD_ENOTFOUND);
	assert_int_equal(forget(f, "acme", ""), VOCD_EINVAL);

	/* New data for the same customer gets a new key; the old tokens stay dead. */
	char *fresh = seal(f, "acme", "c1", "phone", "13800000000");
	assert_opens_to(f, "acme", "c1", "phone", fresh, "13800000000");
	assert_int_equal(open_tok(f, "acme", "c1", "phone", c1_phone, &out), VOCD_ENOTFOUND);

	/* Survives a restart. */
	vocd_store_close(f->st);
	assert_int_equal(open_store(f), 0);
	assert_int_equal(open_tok(f, "acme", "c1", "name", c1_name, &out), VOCD_ENOTFOUND);
	assert_opens_to(f, "acme", "c2", "phone", c2_phone, "13987654321");
	free(c1_phone);
	free(c1_name);
	free(c2_phone);
	free(g_c1);
	free(fresh);
}

/* ---- nothing in the database file ---- */

#define NCUST 1000
#define PER_JOB 25

struct cust_job {
	vocd_pii *p;
	int first;
};

static void cust_phone(int i, char *buf, size_t n) { snprintf(buf, n, "+86 139-%04d-%04d", 7000 + i / 100, 1000 + i); }
static void cust_email(int i, char *buf, size_t n) { snprintf(buf, n, "Customer.%04d@Example-Mail.com", i); }

static int cust_fn(vocd_txn *txn, void *arg)
{
	struct cust_job *j = arg;
	for (int i = j->first; i < j->first + PER_JOB; i++) {
		char id[32], phone[40], email[64], pbi[65], ebi[65];
		char *nphone = NULL, *nemail = NULL, *tphone = NULL, *temail = NULL;
		snprintf(id, sizeof id, "cust-%04d", i);
		cust_phone(i, phone, sizeof phone);
		cust_email(i, email, sizeof email);
		/* No cmocka asserts here: this runs on the store's writer thread. */
		int rc = vocd_pii_normalize_phone(phone, &nphone);
		if (rc == 0)
			rc = vocd_pii_normalize_email(email, &nemail);
		if (rc == 0)
			rc = vocd_pii_blind_index(j->p, "acme", "phone", nphone, pbi);
		if (rc == 0)
			rc = vocd_pii_blind_index(j->p, "acme", "email", nemail, ebi);
		if (rc == 0)
			rc = vocd_pii_seal(j->p, txn, "acme", id, "phone", phone, &tphone);
		if (rc == 0)
			rc = vocd_pii_seal(j->p, txn, "acme", id, "email", email, &temail);
		if (rc != 0) {
			vocd_pii_free(nphone);
			vocd_pii_free(nemail);
			free(tphone);
			free(temail);
			return rc;
		}
		char json[512];
		snprintf(json, sizeof json, "{\"id\":\"%s\",\"tier\":\"vip\",\"phone\":\"%s\",\"email\":\"%s\"}", id, tphone,
		         temail);
		struct vocd_index_value ix[2] = {{"by_phone", pbi, 64}, {"by_email", ebi, 64}};
		rc = vocd_rec_put(txn, "acme", "customer", id, json, strlen(json), ix, 2);
		vocd_pii_free(nphone);
		vocd_pii_free(nemail);
		free(tphone);
		free(temail);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int canary_fn(vocd_txn *txn, void *arg)
{
	return vocd_rec_put(txn, "acme", "note", "canary", arg, strlen(arg), NULL, 0);
}

struct find_ctx {
	char id[32];
	int hits;
};

static int find_visit(const char *id, const void *data, size_t len, void *arg)
{
	struct find_ctx *c = arg;
	snprintf(c->id, sizeof c->id, "%s", id);
	c->hits++;
	return 0;
}

static void database_file_holds_no_plaintext(void **state)
{
	struct fixture *f = *state;
	for (int first = 0; first < NCUST; first += PER_JOB) {
		struct cust_job j = {f->p, first};
		assert_int_equal(vocd_store_write(f->st, cust_fn, &j), 0);
	}
	/* A canary written in clear proves the search below can find what is there. */
	const char *canary = "plain-canary-13912345678";
	assert_int_equal(vocd_store_write(f->st, canary_fn, (void *)canary), 0);
	vocd_store_close(f->st);
	f->st = NULL;

	char path[160];
	snprintf(path, sizeof path, "%s/data.mdb", f->data);
	size_t n;
	unsigned char *db = read_file(path, &n);
	assert_non_null(memmem(db, n, canary, strlen(canary)));
	size_t nkey;
	unsigned char *master = read_file(f->key, &nkey);
	assert_null(memmem(db, n, master, nkey));
	free(master);
	for (int i = 0; i < NCUST; i++) {
		char phone[40], email[64], national[16];
		char *nphone, *nemail;
		cust_phone(i, phone, sizeof phone);
		cust_email(i, email, sizeof email);
		assert_int_equal(vocd_pii_normalize_phone(phone, &nphone), 0);
		assert_int_equal(vocd_pii_normalize_email(email, &nemail), 0);
		snprintf(national, sizeof national, "%s", nphone + 2); /* 139xxxxxxxx */
		const char *needles[] = {phone, email, nphone, nemail, national};
		for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++)
			if (memmem(db, n, needles[k], strlen(needles[k])))
				fail_msg("plaintext \"%s\" found in data.mdb", needles[k]);
		/* The local part alone ("Customer.0042", "customer.0042"). */
		char local[32];
		snprintf(local, sizeof local, "%.*s", (int)(strchr(email, '@') - email), email);
		assert_null(memmem(db, n, local, strlen(local)));
		snprintf(local, sizeof local, "%.*s", (int)(strchr(nemail, '@') - nemail), nemail);
		assert_null(memmem(db, n, local, strlen(local)));
		vocd_pii_free(nphone);
		vocd_pii_free(nemail);
	}
	free(db);

	/* Reopened, the data is all there and "the customer with this phone" is found by blind index. */
	assert_int_equal(open_store(f), 0);
	vocd_txn *txn;
	assert_int_equal(vocd_store_read(f->st, &txn), 0);
	for (int i = 0; i < NCUST; i += 97) {
		char phone[40], bi[65];
		char *nphone;
		cust_phone(i, phone, sizeof phone);
		/* Another spelling of the same number. */
		char *alt = strdup(phone + 4); /* "139-xxxx-xxxx", national form */
		assert_int_equal(vocd_pii_normalize_phone(alt, &nphone), 0);
		assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", nphone, bi), 0);
		struct find_ctx c = {{0}, 0};
		assert_int_equal(vocd_index_scan(txn, "acme", "customer", "by_phone", bi, 64, find_visit, &c), 0);
		assert_int_equal(c.hits, 1);
		char want[32];
		snprintf(want, sizeof want, "cust-%04d", i);
		assert_string_equal(c.id, want);

		const void *data;
		size_t len;
		assert_int_equal(vocd_rec_get(txn, "acme", "customer", want, &data, &len), 0);
		char json[512];
		snprintf(json, sizeof json, "%.*s", (int)len, (const char *)data);
		char *tok = strstr(json, "\"phone\":\"") + 9;
		*strchr(tok, '"') = '\0';
		char *plain;
		assert_int_equal(vocd_pii_open_field(f->p, txn, "acme", want, "phone", tok, &plain), 0);
		assert_string_equal(plain, phone);
		vocd_pii_free(plain);
		vocd_pii_free(nphone);
		free(alt);
	}
	vocd_txn_end(txn);
}

/* ---- blind index ---- */

static void blind_index_stable_and_scoped(void **state)
{
	struct fixture *f = *state;
	char a[65], b[65], c[65], d[65], e[65];
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", "8613812345678", a), 0);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", "8613812345678", b), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_equal(a, b);
	assert_int_equal(vocd_pii_blind_index(f->p, "globex", "phone", "8613812345678", c), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "email", "8613812345678", d), 0);
	assert_string_not_equal(a, d);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", "8613812345679", e), 0);
	assert_string_not_equal(a, e);
	assert_null(strstr(a, "8613812345678"));

	/* Same after reloading the key; different under another master key. */
	vocd_pii *p2;
	assert_int_equal(vocd_pii_open(&p2, f->key), 0);
	assert_int_equal(vocd_pii_blind_index(p2, "acme", "phone", "8613812345678", b), 0);
	assert_string_equal(a, b);
	vocd_pii_close(p2);
	char other[160];
	snprintf(other, sizeof other, "%s/keys/other.key", f->dir);
	assert_int_equal(vocd_pii_init_key(other), 0);
	assert_int_equal(vocd_pii_open(&p2, other), 0);
	assert_int_equal(vocd_pii_blind_index(p2, "acme", "phone", "8613812345678", b), 0);
	assert_string_not_equal(a, b);
	vocd_pii_close(p2);

	assert_int_equal(vocd_pii_blind_index(f->p, "Not Valid", "phone", "x", b), VOCD_EINVAL);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "", "x", b), VOCD_EINVAL);
	assert_int_equal(vocd_pii_blind_index(f->p, "acme", "phone", NULL, b), VOCD_EINVAL);
}

/* ---- normalising and masking ---- */

typedef int (*str_fn)(const char *, char **);

struct str_case {
	const char *in, *want; /* want NULL: VOCD_EINVAL */
};

static void run_cases(const char *what, str_fn fn, const struct str_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *out = (char *)0x1;
		int rc = fn(cases[i].in, &out);
		if (cases[i].want == NULL) {
			if (rc != VOCD_EINVAL || out != NULL)
				fail_msg("%s(\"%s\"): expected EINVAL and NULL, got %d", what, cases[i].in ? cases[i].in : "(null)",
				         rc);
		} else {
			if (rc != 0)
				fail_msg("%s(\"%s\"): expected \"%s\", got error %d", what, cases[i].in, cases[i].want, rc);
			if (strcmp(out, cases[i].want) != 0)
				fail_msg("%s(\"%s\"): expected \"%s\", got \"%s\"", what, cases[i].in, cases[i].want, out);
			vocd_pii_free(out);
		}
	}
}

#define RUN(fn, cases) run_cases(#fn, fn, cases, sizeof cases / sizeof cases[0])

static void phone_normalising_and_masking(void **state)
{
	static const struct str_case norm[] = {
		{"+86 138-1234-5678", "8613812345678"},
		{"13812345678", "8613812345678"},
		{"138 1234 5678", "8613812345678"},
		{"(+86) 138.1234.5678", "8613812345678"}, /* '+' may follow separators, not digits */
		{"+86 (138) 1234 5678", "8613812345678"},
		{"0086 13812345678", "8613812345678"},
		{"＋８６　１３８－１２３４－５６７８", "8613812345678"}, /* full-width */
		{"010-1234-5678", "861012345678"},
		{"+44 20 7946 0958", "442079460958"},
		{"+1 (415) 555-2671", "14155552671"},
		{"12345", NULL},            /* national, not a mainland mobile or landline */
		{"1381234567", NULL},       /* 10 digits */
		{"+86 138 1234 5678 9999 1", NULL}, /* 18 digits */
		{"+1234567", NULL},         /* 7 digits */
		{"138-1234-567x", NULL},
		{"+86+138", NULL},
		{"138+12345678", NULL},
		{"", NULL},
		{"   ", NULL},
		{"+0 1234 5678", NULL},
		{"\xff\xfe", NULL},
		{NULL, NULL},
	};
	static const struct str_case mask[] = {
		{"+86 138-1234-5678", "138****5678"},
		{"13812345678", "138****5678"},
		{"010-1234-5678", "+86********78"},
		{"+44 20 7946 0958", "+44********58"},
		{"bad", NULL},
	};
	(void)state;
	RUN(vocd_pii_normalize_phone, norm);
	RUN(vocd_pii_mask_phone, mask);
}

static void email_normalising_and_masking(void **state)
{
	static const struct str_case norm[] = {
		{"Alice.W@Example.com", "alice.w@example.com"},
		{"  bob+tag@Mail.Example.CN \n", "bob+tag@mail.example.cn"},
		{"张三@例子.中国", "张三@例子.中国"},
		{"a@b.co", "a@b.co"},
		{"no-at.example.com", NULL},
		{"@example.com", NULL},
		{"a@@example.com", NULL},
		{"a@b@example.com", NULL},
		{"a@example", NULL},
		{"a@example..com", NULL},
		{"a@.example.com", NULL},
		{"a@example.com.", NULL},
		{"a b@example.com", NULL},
		{"a<b>@example.com", NULL},
		{"a@exa_mple.com", NULL},
		{"a\x01@example.com", NULL},
		{"\xe4\xb8@example.com", NULL}, /* truncated UTF-8 */
		{"", NULL},
		{NULL, NULL},
	};
	static const struct str_case mask[] = {
		{"Alice.W@Example.com", "a****@example.com"},
		{"b@example.com", "b****@example.com"},
		{"张三@example.com", "张****@example.com"},
		{"not an email", NULL},
	};
	(void)state;
	RUN(vocd_pii_normalize_email, norm);
	RUN(vocd_pii_mask_email, mask);

	/* Longest accepted. */
	char longmail[300];
	memset(longmail, 'a', 250);
	memcpy(longmail + 250, "@b.c", 5);
	char *out;
	assert_int_equal(vocd_pii_normalize_email(longmail, &out), 0);
	vocd_pii_free(out);
	memset(longmail, 'a', 251);
	memcpy(longmail + 251, "@b.c", 5);
	assert_int_equal(vocd_pii_normalize_email(longmail, &out), VOCD_EINVAL);
}

static void name_normalising_and_masking(void **state)
{
	static const struct str_case norm[] = {
		{"  Alice   Smith ", "Alice Smith"},
		{"张三丰", "张三丰"},
		{"张\u3000三丰", "张 三丰"},
		{"Alice\tSmith", "Alice Smith"},
		{"", NULL},
		{"   ", NULL},
		{"Alice\x01", NULL},
		{"\xc0\xaf", NULL}, /* overlong '/' */
		{"\xed\xa0\x80", NULL}, /* surrogate */
		{NULL, NULL},
	};
	static const struct str_case mask[] = {
		{"张三丰", "张**"},
		{"张三", "张*"},
		{"李", "李*"},
		{"Alice Smith", "A**** S****"},
		{"  alice   smith  ", "a**** s****"},
		{"J. Smith", "J*. S****"},
		{"Jean-Pierre Dupont", "J***-P***** D*****"},
		{"欧阳·娜娜", "欧*·娜*"},
		{"Ørjan Ås", "Ø**** Å*"},
		{"Bad\x7f", NULL},
	};
	(void)state;
	RUN(vocd_pii_normalize_name, norm);
	RUN(vocd_pii_mask_name, mask);

	/* Never more than the first character of each part: check every output character. */
	char *out;
	assert_int_equal(vocd_pii_mask("name", "Maximilian Alexander von Habsburg", &out), 0);
	assert_string_equal(out, "M********* A******** v** H*******");
	vocd_pii_free(out);
	assert_int_equal(vocd_pii_mask("phone", "13812345678", &out), 0);
	assert_string_equal(out, "138****5678");
	vocd_pii_free(out);
	assert_int_equal(vocd_pii_mask("email", "X@y.org", &out), 0);
	assert_string_equal(out, "x****@y.org");
	vocd_pii_free(out);

	char big[1100];
	memset(big, 'a', 300);
	big[300] = '\0';
	out = (char *)0x1;
	assert_int_equal(vocd_pii_normalize_name(big, &out), VOCD_EINVAL);
	assert_null(out);
}

/* ---- threads ---- */

#define NTHREADS 8
#define PER_THREAD 60

struct thread_arg {
	struct fixture *f;
	int n;
	int failures;
};

static void *seal_thread(void *arg)
{
	struct thread_arg *a = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		char customer[32], plain[64];
		/* Half on customers shared by all threads (keys created by whoever comes first). */
		if (i % 2)
			snprintf(customer, sizeof customer, "shared-%d", i % 7);
		else
			snprintf(customer, sizeof customer, "t%d-c%d", a->n, i);
		snprintf(plain, sizeof plain, "用户%d-%d 139%08d", a->n, i, a->n * 1000 + i);
		struct seal_job j = {a->f->p, "acme", customer, "name", plain, NULL};
		if (vocd_store_write(a->f->st, seal_fn, &j) != 0 || !j.token) {
			a->failures++;
			continue;
		}
		vocd_txn *txn;
		char *out = NULL;
		if (vocd_store_read(a->f->st, &txn) != 0) {
			a->failures++;
		} else {
			if (vocd_pii_open_field(a->f->p, txn, "acme", customer, "name", j.token, &out) != 0 || strcmp(out, plain))
				a->failures++;
			vocd_txn_end(txn);
		}
		vocd_pii_free(out);
		char bi[65];
		if (vocd_pii_blind_index(a->f->p, "acme", "name", plain, bi) != 0)
			a->failures++;
		char *m;
		if (vocd_pii_mask_name(plain, &m) != 0)
			a->failures++;
		vocd_pii_free(m);
		free(j.token);
	}
	return NULL;
}

static void concurrent_sealing(void **state)
{
	struct fixture *f = *state;
	pthread_t th[NTHREADS];
	struct thread_arg args[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		args[i] = (struct thread_arg){f, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, seal_thread, &args[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(key_file_created_private_and_never_overwritten, setup, teardown),
		cmocka_unit_test_setup_teardown(key_file_refused_when_exposed_or_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(seal_and_open_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(derived_keys_are_stable_and_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(seal_in_read_txn_needs_an_existing_key, setup, teardown),
		cmocka_unit_test_setup_teardown(token_bound_to_field_customer_and_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(any_changed_character_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(tenant_texts_sealed_for_their_tenant_and_purpose, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_and_garbage_tokens_fail_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_key_record_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(forget_destroys_only_that_customer, setup, teardown),
		cmocka_unit_test_setup_teardown(database_file_holds_no_plaintext, setup, teardown),
		cmocka_unit_test_setup_teardown(blind_index_stable_and_scoped, setup, teardown),
		cmocka_unit_test(phone_normalising_and_masking),
		cmocka_unit_test(email_normalising_and_masking),
		cmocka_unit_test(name_normalising_and_masking),
		cmocka_unit_test_setup_teardown(concurrent_sealing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
