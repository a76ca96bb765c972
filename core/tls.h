/* TLS: the policy every HTTPS connection gets (TLS 1.2 minimum, forward-secret AEAD suites only, no
 * renegotiation) and the development certificate that `vocd serve` generates when none is configured. */
#ifndef VOCD_TLS_H
#define VOCD_TLS_H

/** A client has this long to complete the TLS handshake. */
#define VOCD_TLS_HANDSHAKE_MS 10000

/**
 * \brief Writes a new private key (ECDSA P-256) and a self-signed certificate for localhost and
 * 127.0.0.1, valid for one year, to \p path as one PEM file (mode 0600), as civetweb expects.
 * \return 0, VOCD_EIO (cannot write), VOCD_EINTERNAL (mbedTLS failed; logged).
 */
int vocd_tls_make_dev_cert(const char *path);

/** \brief The cipher suites vocd allows, zero-terminated (for tests and docs). */
const int *vocd_tls_ciphersuites(void);

#endif
