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

/* A credential_process runs from the event loop, but the requests that
 * need its credentials wait for it; the environment variable may set 1
 * ms to CREDS_PROCESS_TIMEOUT_MAX_MS instead. */
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
};

enum creds_step {
    CREDS_READY,         /* the keys are in out */
    CREDS_PROCESS,       /* run credential_process `command` */
    CREDS_WEB_IDENTITY,  /* call STS AssumeRoleWithWebIdentity */
    CREDS_METADATA,      /* read instance metadata (imds.h) */
};

/* The provider creds_choose picked. The strings are borrowed from the
 * chain's sections and the environment. */
struct creds_plan {
    enum creds_step step;
    const char *command;
    const char *token_file;
    const char *role_arn;
    const char *session_name;   /* NULL: the caller picks one */
};

/*
 * Walks the chain up to the first provider that applies. Keys from the
 * environment and the files are copied into out with plan->step
 * CREDS_READY; credential_process, web identity and instance metadata
 * are described in plan for the caller to run. For CREDS_METADATA, err
 * holds the message to report when the metadata service has no
 * credentials. Returns 0, or -1 with the reason and the fix in err.
 */
int creds_choose(const struct creds_chain *chain, struct aws_credentials *out,
                 struct creds_plan *plan, char *err, size_t errlen);

/* How an asynchronous provider ended. */
enum creds_end {
    CREDS_DONE,          /* creds are set */
    CREDS_FAILED,        /* error says why, the profile and the fix */
    CREDS_CANCELLED,     /* http_cancel_all stopped it */
    CREDS_CLOSING,       /* the HTTP client is being freed: see proc.h */
};

/* Called once when a provider ends. On CREDS_DONE the callee may move
 * the members of creds out (they are freed after it returns). */
typedef void (*creds_done_fn)(void *ctx, enum creds_end end,
                              struct aws_credentials *creds,
                              const char *error);

struct creds_process;
struct http_client;

/*
 * Starts credential_process `command` of profile without a shell, on the
 * loop of c, killed after creds_process_timeout_ms(). Returns the run,
 * or NULL with err when it could not start (done is not called then).
 * done runs from inside http_wait or http_cancel_all.
 */
struct creds_process *creds_process_start(struct http_client *c,
                                          const char *command,
                                          const char *profile,
                                          creds_done_fn done, void *ctx,
                                          char *err, size_t errlen);
/* Kills a run without calling its done. */
void creds_process_kill(struct creds_process *run);

/* CREDS_PROCESS_TIMEOUT_MS, or CREDS_PROCESS_TIMEOUT_ENV when valid. */
long creds_process_timeout_ms(void);

/* Reads a web identity token file (at most 64 KiB, trailing whitespace
 * dropped). Returns the token to free with str_wipe_free, or NULL with
 * the file and the reason in err. */
char *creds_read_token_file(const char *path, char *err, size_t errlen);

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

/* Parses the credentials JSON of the instance metadata service. */
int creds_parse_metadata(const char *json, size_t len,
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
