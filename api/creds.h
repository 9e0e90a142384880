/*
 * AWS credentials and the provider chain, in botocore's order (the aws
 * CLI's): environment, assume-role profile (not supported yet: reported as
 * an error), web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN or
 * the profile's web_identity_token_file + role_arn, through STS
 * AssumeRoleWithWebIdentity), the shared credentials file,
 * credential_process, keys in the config file, and instance metadata last
 * unless AWS_EC2_METADATA_DISABLED=true.
 */
#ifndef ALBATROSS_CREDS_H
#define ALBATROSS_CREDS_H

#include <stddef.h>
#include <time.h>

#include "awsconfig.h"

struct aws_credentials {
    char *access_key_id;
    char *secret_access_key;  /* wiped when freed */
    char *session_token;      /* NULL when none; wiped when freed */
    time_t expiration;        /* 0 when the credentials do not expire */
    char source[64];          /* "environment", "profile dev", ... */
};

void aws_credentials_free(struct aws_credentials *c);

/* A credential_process blocks every call until it exits, so the
 * default is short; the environment variable may set 1 ms to
 * CREDS_PROCESS_TIMEOUT_MAX_MS instead. */
#define CREDS_PROCESS_TIMEOUT_MS 15000
#define CREDS_PROCESS_TIMEOUT_MAX_MS 600000
#define CREDS_PROCESS_TIMEOUT_ENV "ALBATROSS_CREDENTIAL_PROCESS_TIMEOUT_MS"
#define CREDS_PROCESS_MAX_OUTPUT (64u << 10)

/* Where the chain looks. Everything is borrowed for the call. */
struct creds_chain {
    const char *profile;
    /* A profile chosen on the command line: environment keys are then
     * skipped, as the SDKs skip them for a profile chosen in code. */
    int profile_explicit;
    const struct awsconfig_section *config;      /* [profile NAME], or NULL */
    const char *config_path;
    const struct awsconfig_section *credentials; /* [NAME], or NULL */
    const char *credentials_path;
    const char *sts_endpoint;  /* for web identity, no trailing slash */
    const char *ca_pem;        /* for web identity, or NULL */
};

/*
 * Walks the chain and fills out with the first credentials found. Blocks:
 * credential_process runs to completion (at most
 * CREDS_PROCESS_TIMEOUT_MS), and web identity and instance metadata run
 * their requests on a short-lived HTTP client of their own, so transfers
 * in flight on the caller's client are not driven from here. Returns 0, or
 * -1 with the reason and the fix in err.
 */
int creds_resolve(const struct creds_chain *chain, struct aws_credentials *out,
                  char *err, size_t errlen);

/* Splits a credential_process command line into words as a POSIX shell
 * does without expansions (quotes and backslashes; what botocore's
 * shlex.split does). Returns a NULL-terminated array to free with
 * creds_free_words, or NULL on an unterminated quote or no words. */
char **creds_split_command(const char *command);
void creds_free_words(char **words);

/* Parses credential_process output (JSON, Version 1). */
int creds_parse_process_output(const char *json, size_t len,
                               struct aws_credentials *out, char *err,
                               size_t errlen);

/* Parses the <Credentials> of an STS AssumeRole* XML reply. */
int creds_parse_sts_reply(const char *xml, size_t len,
                          struct aws_credentials *out, char *err,
                          size_t errlen);

/* Parses an RFC 3339 time ("2024-05-01T12:00:00Z", fractions and
 * offsets allowed). Returns 0 or -1. */
int creds_parse_time(const char *s, time_t *out);

#endif
