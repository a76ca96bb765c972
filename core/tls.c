/* TLS policy and development certificate.
 *
 * civetweb 1.15 configures mbedTLS with mbedtls_ssl_config_defaults() and nothing else, which still allows
 * TLS 1.0/1.1, CBC and static-RSA suites and renegotiation. The build links with
 * --wrap=mbedtls_ssl_config_defaults, so every configuration civetweb makes passes through
 * __wrap_mbedtls_ssl_config_defaults below and gets our policy on top of the defaults.
 *
 * civetweb also runs the handshake in a loop on a non-blocking socket, retrying at once on "want read":
 * a client that connects and sends nothing keeps a core busy and a worker taken, forever. The build wraps
 * mbedtls_ssl_handshake too, so that each retry first waits for the socket, and a handshake that takes
 * longer than VOCD_TLS_HANDSHAKE_MS fails. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "error.h"
#include "log.h"

static const int allowed_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	0,
};

const int *vocd_tls_ciphersuites(void)
{
	return allowed_suites;
}

int __real_mbedtls_ssl_config_defaults(mbedtls_ssl_config *conf, int endpoint, int transport, int preset);
int __wrap_mbedtls_ssl_config_defaults(mbedtls_ssl_config *conf, int endpoint, int transport, int preset);

int __wrap_mbedtls_ssl_config_defaults(mbedtls_ssl_config *conf, int endpoint, int transport, int preset)
{
	int rc = __real_mbedtls_ssl_config_defaults(conf, endpoint, transport, preset);
	if (rc != 0)
		return rc;
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(conf, allowed_suites);
	mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	return 0;
}

int __real_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl);
int __wrap_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl);

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The handshake a worker thread is in, and when it started: civetweb calls us again and again for one
 * connection, on one thread, until it completes or fails. */
static __thread const mbedtls_ssl_context *hs_ssl;
static __thread int64_t hs_started;

int __wrap_mbedtls_ssl_handshake(mbedtls_ssl_context *ssl)
{
	int64_t now = mono_ms();
	if (hs_ssl != ssl) {
		hs_ssl = ssl;
		hs_started = now;
	}
	int rc = __real_mbedtls_ssl_handshake(ssl);
	if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
		hs_ssl = NULL;
		return rc;
	}
	int64_t left = hs_started + VOCD_TLS_HANDSHAKE_MS - now;
	const int *fd = ssl->p_bio;
	if (left <= 0 || !fd) {
		hs_ssl = NULL;
		return MBEDTLS_ERR_SSL_TIMEOUT;
	}
	struct pollfd p = {*fd, rc == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT, 0};
	int n;
	while ((n = poll(&p, 1, (int)(left < 1000 ? left : 1000))) < 0 && errno == EINTR)
		;
	/* Data, an error or a hang-up: let mbedTLS look. Nothing yet: civetweb calls again and we wait more. */
	return rc;
}

/* subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1, DER-encoded back to front as mbedTLS writes. */
static int write_san(unsigned char *buf, size_t size, unsigned char **start)
{
	unsigned char *p = buf + size;
	size_t len = 0;
	int rc;
	static const unsigned char ip6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const unsigned char ip4[4] = {127, 0, 0, 1};
	struct {
		unsigned char tag;
		const unsigned char *data;
		size_t len;
	} names[] = {
		{MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7, ip6, sizeof ip6},
		{MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7, ip4, sizeof ip4},
		{MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, (const unsigned char *)"localhost", 9},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((rc = mbedtls_asn1_write_raw_buffer(&p, buf, names[i].data, names[i].len)) < 0)
			return rc;
		len += (size_t)rc;
		if ((rc = mbedtls_asn1_write_len(&p, buf, names[i].len)) < 0)
			return rc;
		len += (size_t)rc;
		if ((rc = mbedtls_asn1_write_tag(&p, buf, names[i].tag)) < 0)
			return rc;
		len += (size_t)rc;
	}
	if ((rc = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		return rc;
	len += (size_t)rc;
	if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return rc;
	len += (size_t)rc;
	*start = p;
	return (int)len;
}

static void utc_stamp(time_t t, char out[15])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

int vocd_tls_make_dev_cert(const char *path)
{
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char pem[8192];
	unsigned char san[128];
	char from[15], to[15];
	int rc, ret = VOCD_EINTERNAL;

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);

	if ((rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"vocd-dev-cert",
	                                13)) != 0 ||
	    (rc = mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg)) != 0)
		goto out;

	unsigned char serial_bytes[16];
	if ((rc = mbedtls_ctr_drbg_random(&drbg, serial_bytes, sizeof serial_bytes)) != 0)
		goto out;
	serial_bytes[0] &= 0x7f; /* positive */
	time_t now = time(NULL);
	utc_stamp(now - 3600, from);
	utc_stamp(now + 365 * 24 * 3600, to);
	unsigned char *san_start;
	int san_len = write_san(san, sizeof san, &san_start);
	if (san_len < 0) {
		rc = san_len;
		goto out;
	}

	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	if ((rc = mbedtls_mpi_read_binary(&serial, serial_bytes, sizeof serial_bytes)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_serial(&crt, &serial)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_subject_name(&crt, "CN=localhost,O=vocd development certificate")) != 0 ||
	    (rc = mbedtls_x509write_crt_set_issuer_name(&crt, "CN=localhost,O=vocd development certificate")) != 0 ||
	    (rc = mbedtls_x509write_crt_set_validity(&crt, from, to)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) != 0 ||
	    (rc = mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, san_start,
	                                              (size_t)san_len)) != 0)
		goto out;

	if ((rc = mbedtls_pk_write_key_pem(&key, pem, sizeof pem)) != 0)
		goto out;
	size_t key_len = strlen((char *)pem);
	if ((rc = mbedtls_x509write_crt_pem(&crt, pem + key_len, sizeof pem - key_len, mbedtls_ctr_drbg_random,
	                                    &drbg)) != 0)
		goto out;

	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		vocd_error("cannot write the development certificate %s: %m", tmp);
		ret = VOCD_EIO;
		goto out;
	}
	size_t total = strlen((char *)pem);
	int ok = write(fd, pem, total) == (ssize_t)total && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		vocd_error("cannot write the development certificate %s: %m", path);
		unlink(tmp);
		ret = VOCD_EIO;
		goto out;
	}
	ret = 0;
	rc = 0;
out:
	if (rc != 0) {
		char msg[128];
		mbedtls_strerror(rc, msg, sizeof msg);
		vocd_error("development certificate: %s", msg);
	}
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return ret;
}
