/*
 * IAM policy documents (JSON) parsed into plain structs: statements with
 * their effect, principals, actions, resources and conditions. NotPrincipal
 * is skipped.
 */
#ifndef ALBATROSS_POLICY_H
#define ALBATROSS_POLICY_H

#include <stddef.h>

#define POLICY_MAX_BYTES      (128 * 1024) /* larger documents are rejected */
#define POLICY_MAX_STATEMENTS 100
#define POLICY_MAX_VALUES     100  /* per principal, action or condition */
#define POLICY_MAX_CONDITIONS 50   /* operator-key pairs per statement */

enum policy_effect { POLICY_ALLOW, POLICY_DENY };

struct policy_strings {
    char **items;
    size_t count;
};

/* One key under one operator: "StringEquals": {"KEY": [VALUES]}. */
struct policy_condition {
    char *op;              /* as written, e.g. "ForAnyValue:StringLike" */
    char *key;
    struct policy_strings values;
};

struct policy_statement {
    char *sid;             /* NULL when absent */
    enum policy_effect effect;
    int any_principal;     /* "Principal": "*" or {"AWS": "*"} */
    struct policy_strings federated;
    struct policy_strings service;
    struct policy_strings aws;
    struct policy_strings actions;
    int not_action;        /* actions came from NotAction */
    struct policy_strings resources; /* empty when absent, as in trust
                                      * policies */
    int not_resource;      /* resources came from NotResource */
    struct policy_condition *conditions;
    size_t condition_count;
};

struct policy {
    char *version;         /* NULL when absent */
    struct policy_statement *statements;
    size_t count;
};

/* Parses the JSON text of a policy document into p (zeroed first). Returns
 * 0, or -1 with err naming the field that is wrong; p is then empty. The
 * caller frees p with policy_cleanup either way. */
int policy_parse(const char *json, struct policy *p, char *err,
                 size_t errlen);
void policy_cleanup(struct policy *p);

/* Matches an action pattern with * and ? against an action, ignoring case
 * as IAM does for action names. Returns 1 on a match. */
int policy_action_matches(const char *pattern, const char *action);
/* Returns 1 when statement st's Action or NotAction covers action. */
int policy_statement_covers(const struct policy_statement *st,
                            const char *action);
/* Matches a StringLike pattern with * and ? against value, case
 * sensitively. Returns 1 on a match. */
int policy_string_like(const char *pattern, const char *value);

#endif
