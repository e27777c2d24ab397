/*
 * pkey_ctx.h -- OpenSSL contexts the network process keeps set up instead
 * of making them for each handshake (crypto.c).  Nothing here is secret:
 * contexts of public keys only.
 */
#ifndef PKEY_CTX_H
#define PKEY_CTX_H

#include <openssl/evp.h>

/* A context initialised to verify with key (padding and hash are the
 * caller's); free it with EVP_PKEY_CTX_free. */
EVP_PKEY_CTX	*crypto_verify_ctx(EVP_PKEY *key);

#endif /* PKEY_CTX_H */
