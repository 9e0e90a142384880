/*
 * Certificate generation with OpenSSL 3. Keys are EC P-256, which OpenSSL
 * clients (curl, Python), GnuTLS (libmicrohttpd) and Go's crypto/tls (the
 * Kubernetes API server calling a webhook) all accept.
 */
#include "certgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY_SECONDS  (24L * 60 * 60)
#define VALID_BEFORE DAY_SECONDS          /* tolerate a client clock behind */

static void fail(char *err, size_t errlen, const char *what)
{
    unsigned long code = ERR_get_error();
    char reason[160] = "unknown error";

    if (code)
        ERR_error_string_n(code, reason, sizeof(reason));
    snprintf(err, errlen, "TLS setup failed: %s: %s", what, reason);
    ERR_clear_error();
}

/* Adds one X.509 v3 extension written in OpenSSL's config syntax. */
static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int set_serial(X509 *cert)
{
    BIGNUM *bn = BN_new();
    int rc = -1;

    /* 127 random bits: positive and unique enough for a throwaway CA. */
    if (bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
        rc = 0;
    BN_free(bn);
    return rc;
}

static int set_name(X509_NAME *name, const char *common_name)
{
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                      (const unsigned char *)"albatross",
                                      -1, -1, 0) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      (const unsigned char *)common_name,
                                      -1, -1, 0)
           ? 0 : -1;
}

/* A certificate for key with the given subject, issued by issuer (or
 * self-signed when issuer is NULL), without extensions or signature. */
static X509 *new_cert(EVP_PKEY *key, const char *common_name, X509 *issuer,
                      long valid_days)
{
    X509 *cert = X509_new();

    if (!cert)
        return NULL;
    if (!X509_set_version(cert, 2) || set_serial(cert) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), -VALID_BEFORE) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), valid_days * DAY_SECONDS) ||
        !X509_set_pubkey(cert, key) ||
        set_name(X509_get_subject_name(cert), common_name) ||
        !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer)
                                           : X509_get_subject_name(cert))) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static X509 *make_ca(EVP_PKEY *key, const struct certgen_spec *spec)
{
    X509 *ca = new_cert(key, spec->ca_common_name, NULL, spec->valid_days);

    if (!ca)
        return NULL;
    if (add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE") ||
        add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        add_ext(ca, ca, NID_subject_key_identifier, "hash") ||
        !X509_sign(ca, key, EVP_sha256())) {
        X509_free(ca);
        return NULL;
    }
    return ca;
}

static X509 *make_signed(EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key,
                         const struct certgen_spec *spec)
{
    X509 *cert = new_cert(key, spec->common_name, ca, spec->valid_days);

    if (!cert)
        return NULL;
    if (add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        add_ext(cert, ca, NID_key_usage,
                "critical,digitalSignature,keyEncipherment") ||
        add_ext(cert, ca, NID_ext_key_usage, "serverAuth") ||
        add_ext(cert, ca, NID_subject_alt_name, spec->subject_alt_names) ||
        add_ext(cert, ca, NID_authority_key_identifier, "keyid:always") ||
        !X509_sign(cert, ca_key, EVP_sha256())) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Copies a memory BIO's contents into a NUL-terminated heap string. */
static char *bio_string(BIO *bio)
{
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    char *copy;

    if (len <= 0)
        return NULL;
    copy = malloc((size_t)len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, data, (size_t)len);
    copy[len] = '\0';
    return copy;
}

static char *cert_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;

    if (bio && PEM_write_bio_X509(bio, cert))
        pem = bio_string(bio);
    BIO_free(bio);
    return pem;
}

static char *key_pem(EVP_PKEY *key)
{
    /* BIO_s_secmem clears its buffer when freed; certgen_pems_cleanup
     * wipes the copy. */
    BIO *bio = BIO_new(BIO_s_secmem());
    char *pem = NULL;

    if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        pem = bio_string(bio);
    BIO_free(bio);
    return pem;
}

int certgen_generate(const struct certgen_spec *spec, struct certgen_pems *out,
                     char *err, size_t errlen)
{
    EVP_PKEY *ca_key = EVP_EC_gen("P-256");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *ca = NULL, *cert = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!ca_key || !key)
        fail(err, errlen, "cannot generate an EC P-256 key");
    else if (!(ca = make_ca(ca_key, spec)))
        fail(err, errlen, "cannot build the CA certificate");
    else if (!(cert = make_signed(key, ca, ca_key, spec)))
        fail(err, errlen, "cannot build the signed certificate");
    else if (!(out->ca_cert = cert_pem(ca)) ||
             !(out->cert = cert_pem(cert)) ||
             !(out->key = key_pem(key)))
        fail(err, errlen, "cannot write PEM");
    else
        rc = 0;
    if (rc)
        certgen_pems_cleanup(out);
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return rc;
}

void certgen_pems_cleanup(struct certgen_pems *pems)
{
    if (pems->key)
        OPENSSL_cleanse(pems->key, strlen(pems->key));
    free(pems->key);
    free(pems->cert);
    free(pems->ca_cert);
    memset(pems, 0, sizeof(*pems));
}
