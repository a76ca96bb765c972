/* TLS policy applied to every mbedTLS configuration, and the development certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#include "tls.h"

static void every_server_config_gets_the_policy(void **state)
{
	mbedtls_ssl_config conf;
	mbedtls_ssl_config_init(&conf);
	/* The call civetweb makes: linked with --wrap, it passes through our policy. */
	assert_int_equal(mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
	                                             MBEDTLS_SSL_PRESET_DEFAULT), 0);
	assert_int_equal(conf.min_major_ver, MBEDTLS_SSL_MAJOR_VERSION_3);
	assert_int_equal(conf.min_minor_ver, MBEDTLS_SSL_MINOR_VERSION_3);
	assert_int_equal(conf.disable_renegotiation, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	const int *suites = conf.ciphersuite_list[MBEDTLS_SSL_MINOR_VERSION_3];
	int n = 0;
	for (; suites[n]; n++) {
		const mbedtls_ssl_ciphersuite_t *cs = mbedtls_ssl_ciphersuite_from_id(suites[n]);
		assert_non_null(cs);
		const char *name = mbedtls_ssl_get_ciphersuite_name(suites[n]);
		/* Forward secret (ECDHE) and AEAD (GCM or ChaCha20-Poly1305) only. */
		assert_true(cs->key_exchange == MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA ||
		            cs->key_exchange == MBEDTLS_KEY_EXCHANGE_ECDHE_RSA);
		assert_true(strstr(name, "GCM") != NULL || strstr(name, "CHACHA20-POLY1305") != NULL);
	}
	assert_true(n >= 4);
	mbedtls_ssl_config_free(&conf);
}

static void dev_cert_is_a_key_and_a_localhost_certificate(void **state)
{
	char dir[] = "/tmp/vocd-test-tls-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/dev.pem", dir);
	assert_int_equal(vocd_tls_make_dev_cert(path), 0);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, path), 0);
	assert_int_equal(mbedtls_pk_parse_keyfile(&key, path, NULL), 0);
	assert_int_equal(mbedtls_pk_get_type(&key), MBEDTLS_PK_ECKEY);
	/* The certificate carries the key's public half and names localhost. */
	assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &key), 0);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	int dns = 0;
	for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s; s = s->next)
		if (s->buf.len == 9 && memcmp(s->buf.p, "localhost", 9) == 0)
			dns = 1;
	assert_true(dns);
	uint32_t flags = 0;
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, "localhost", &flags, NULL, NULL), 0);
	assert_false(mbedtls_x509_time_is_past(&crt.valid_to));
	assert_true(mbedtls_x509_time_is_past(&crt.valid_from));

	/* A second certificate is a different key. */
	char path2[64];
	snprintf(path2, sizeof path2, "%s/dev2.pem", dir);
	assert_int_equal(vocd_tls_make_dev_cert(path2), 0);
	mbedtls_x509_crt crt2;
	mbedtls_x509_crt_init(&crt2);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt2, path2), 0);
	assert_int_not_equal(mbedtls_pk_check_pair(&crt2.pk, &key), 0);

	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&crt2);
	mbedtls_pk_free(&key);
	unlink(path);
	unlink(path2);
	rmdir(dir);
}

static void unwritable_path_is_an_error(void **state)
{
	assert_int_not_equal(vocd_tls_make_dev_cert("/nonexistent-dir/x/dev.pem"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_server_config_gets_the_policy),
		cmocka_unit_test(dev_cert_is_a_key_and_a_localhost_certificate),
		cmocka_unit_test(unwritable_path_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
