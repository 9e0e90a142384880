/*
 * The clusters' OIDC issuers, served as EKS serves them: the discovery
 * document and the signing keys under https://127.0.0.1:PORT/id/HEX,
 * on the sandbox's own TLS port. A client can then read the issuer's
 * certificate chain and compute the thumbprint it gives IAM, as eksctl
 * does, without leaving loopback.
 */
#ifndef SANDBOX_OIDC_ISSUER_H
#define SANDBOX_OIDC_ISSUER_H

#include "server.h"
#include "world.h"

#define OIDC_ISSUER_PREFIX "/id/"

/* The issuer of a cluster whose issuer id is id: base/id/ID when the
 * server has set w->k8s_base, else EKS's own form
 * https://oidc.eks.REGION.amazonaws.com/id/ID. The caller frees it. */
char *oidc_issuer_url(const struct world *w, const char *region,
                      const char *id);

/* Keeps the public half of key_pem (the server's key) as the JWKS the
 * issuers publish. Returns 0, or -1 when the key cannot be read. */
int oidc_issuer_set_key(struct world *w, const char *key_pem);

/* GET /id/HEX/.well-known/openid-configuration and GET /id/HEX/keys
 * of a cluster whose issuer the sandbox serves. */
void oidc_issuer_serve(struct world *w, const struct sb_request *req,
                       struct sb_response *res);

#endif
