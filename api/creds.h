/*
 * AWS credentials and the provider chain, in the SDKs' order:
 * environment, shared credentials and config files for the profile
 * (static keys, credential_process), web identity
 * (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN through STS
 * AssumeRoleWithWebIdentity), and instance metadata last unless
 * AWS_EC2_METADATA_DISABLED=true.
 */
#ifndef ALBATROSS_CREDS_H
#define ALBATROSS_CREDS_H

#include <stddef.h>
#include <time.h>

struct aws_credentials {
    char *access_key_id;
    char *secret_access_key;  /* wiped when freed */
    char *session_token;      /* NULL when none; wiped when freed */
    time_t expiration;        /* 0 when the credentials do not expire */
    char source[64];          /* "environment", "profile dev", ... */
};

void aws_credentials_free(struct aws_credentials *c);

#endif
