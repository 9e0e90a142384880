/*
 * The service account writes of the command line: annotate sets or
 * removes the IRSA annotations with a JSON merge patch, create makes the
 * account, delete removes it. --dry-run prints the request instead.
 * restart runs the action of src/action_sa.c.
 *
 * TODO: send annotate, create and delete through the actions too (as
 * the UI does); their dry run here prints the request offline, without
 * the diff the action's preview reads from the cluster.
 */
#include "cli_sa.h"

#include <stdlib.h>
#include <string.h>

#include "../api/kube_write.h"
#include "action.h"
#include "cli.h"
#include "cli_action.h"
#include "output.h"

#define EXIT_USAGE 2

enum sa_verb { SA_ANNOTATE, SA_CREATE, SA_DELETE, SA_RESTART };

static const char *const verbs[] = { "annotate", "create", "delete",
                                     "restart" };

int cli_sa_option(struct cli_sa_options *o, int c, const char *arg)
{
    switch (c) {
    case CLI_SA_OPT_ROLE_ARN: o->role_arn = arg; break;
    case CLI_SA_OPT_STS_REGIONAL: o->sts_regional = arg; break;
    case CLI_SA_OPT_TOKEN_EXPIRATION: o->token_expiration = arg; break;
    case CLI_SA_OPT_REMOVE: o->remove = 1; break;
    case CLI_SA_OPT_DRY_RUN: o->dry_run = 1; break;
    default: return 0;
    }
    o->given = 1;
    return 1;
}

static int is_sa_kind(const char *s)
{
    return !strcmp(s, "serviceaccount") || !strcmp(s, "serviceaccounts") ||
           !strcmp(s, "sa");
}

static int parse_verb(const char *s, enum sa_verb *verb)
{
    for (int i = 0; i < 4; i++) {
        if (!strcmp(s, verbs[i])) {
            *verb = (enum sa_verb)i;
            return 0;
        }
    }
    return -1;
}

int cli_sa_is_command(char *const *args, int count)
{
    enum sa_verb verb;
    return count >= 2 && parse_verb(args[0], &verb) == 0 &&
           is_sa_kind(args[1]);
}

static int usage_error(FILE *err, const char *fmt, const char *value)
{
    char message[600];
    snprintf(message, sizeof(message), fmt, value);
    output_error(err, "%s; see albatross --help", message);
    return EXIT_USAGE;
}

/* ---- checks ---------------------------------------------------------------- */

static int check_token_expiration(const char *text, FILE *err)
{
    if (action_valid_token_expiration(text))
        return 0;
    char message[600];
    snprintf(message, sizeof(message), "invalid --token-expiration \"%s\": "
             "give whole seconds from %d to %d", text,
             ACTION_TOKEN_EXPIRATION_MIN, ACTION_TOKEN_EXPIRATION_MAX);
    return usage_error(err, "%s", message);
}

/* The option combinations each verb takes. Returns 0 or EXIT_USAGE. */
static int check_options(enum sa_verb verb, const struct cli_sa_options *o,
                         FILE *err)
{
    int role_details = o->sts_regional || o->token_expiration;
    if (verb == SA_RESTART && (o->role_arn || o->remove || role_details))
        return usage_error(err, "restart serviceaccount takes only "
                           "--dry-run%s", "");
    if (verb == SA_DELETE && (o->role_arn || o->remove || role_details))
        return usage_error(err, "delete serviceaccount takes no role "
                           "options%s: use annotate serviceaccount to change "
                           "the role", "");
    if (verb == SA_CREATE && (o->remove || role_details))
        return usage_error(err, "create serviceaccount takes only "
                           "--role-arn%s; use annotate serviceaccount for the "
                           "other annotations", "");
    if (verb == SA_ANNOTATE && !o->role_arn == !o->remove)
        return usage_error(err, "annotate serviceaccount needs either "
                           "--role-arn ARN or --remove%s", "");
    if (verb == SA_ANNOTATE && o->remove && role_details)
        return usage_error(err, "--remove deletes every IRSA annotation%s; "
                           "drop --sts-regional-endpoints and "
                           "--token-expiration", "");
    if (o->role_arn && !action_valid_role_arn(o->role_arn))
        return usage_error(err, "invalid --role-arn \"%s\": use "
                           "arn:aws:iam::ACCOUNT_ID:role/NAME",
                           o->role_arn);
    if (o->sts_regional && strcmp(o->sts_regional, "true") != 0 &&
        strcmp(o->sts_regional, "false") != 0)
        return usage_error(err, "invalid --sts-regional-endpoints \"%s\": "
                           "use true or false", o->sts_regional);
    if (o->token_expiration && check_token_expiration(o->token_expiration,
                                                      err))
        return EXIT_USAGE;
    return 0;
}

/* ---- the request ------------------------------------------------------------- */

/* The annotations the options set; with --remove each of them, valued
 * NULL so the merge patch removes it. */
static size_t annotations(const struct cli_sa_options *o,
                          struct kube_annotation out[3])
{
    size_t n = 0;
    if (o->remove) {
        out[n++] = (struct kube_annotation){ ROLE_ARN_ANNOTATION, NULL };
        out[n++] = (struct kube_annotation){ STS_REGIONAL_ANNOTATION, NULL };
        out[n++] = (struct kube_annotation){ TOKEN_EXPIRATION_ANNOTATION,
                                             NULL };
        return n;
    }
    if (o->role_arn)
        out[n++] = (struct kube_annotation){ ROLE_ARN_ANNOTATION,
                                             (char *)o->role_arn };
    if (o->sts_regional)
        out[n++] = (struct kube_annotation){ STS_REGIONAL_ANNOTATION,
                                             (char *)o->sts_regional };
    if (o->token_expiration)
        out[n++] = (struct kube_annotation){ TOKEN_EXPIRATION_ANNOTATION,
                                             (char *)o->token_expiration };
    return n;
}

static int build_request(enum sa_verb verb, const struct cli_sa_options *o,
                         const char *ns, const char *name,
                         struct kube_write_request *rq, struct api_error *e)
{
    struct kube_annotation a[3];
    size_t n = annotations(o, a);
    switch (verb) {
    case SA_ANNOTATE: return kube_sa_annotate_request(ns, name, a, n, rq, e);
    case SA_CREATE: return kube_sa_create_request(ns, name, a, n, rq, e);
    case SA_DELETE: return kube_sa_delete_request(ns, name, rq, e);
    case SA_RESTART: break;     /* an action: see restart() */
    }
    return -1;
}

static void print_request(const struct kube_write_request *rq, FILE *out)
{
    fprintf(out, "%s %s\n", rq->method, rq->path);
    if (rq->content_type)
        fprintf(out, "Content-Type: %s\n\n%s\n", rq->content_type, rq->body);
}

/* ---- sending ----------------------------------------------------------------- */

struct sent {
    int finished;
    struct api_error error;
    int failed;
};

static void on_written(const char *body, size_t len,
                       const struct api_error *err, void *ctx)
{
    struct sent *s = ctx;
    (void)body;
    (void)len;
    s->finished = 1;
    if (err) {
        s->failed = 1;
        s->error = *err;
    }
}

/* The fix to suggest for the usual failures of these writes, or NULL. */
static const char *hint(enum sa_verb verb, const char *code)
{
    if (!strcmp(code, "NotFound"))
        return verb == SA_ANNOTATE
               ? "check the namespace and name with albatross get "
                 "serviceaccounts, or create it with albatross create "
                 "serviceaccount"
               : "check the namespace and name with albatross get "
                 "serviceaccounts";
    if (!strcmp(code, "AlreadyExists"))
        return "use albatross annotate serviceaccount to change it";
    if (!strcmp(code, "Forbidden"))
        return "the identity needs RBAC permission for this verb on "
               "serviceaccounts in that namespace";
    return NULL;
}

static int send_request(struct model *m, enum sa_verb verb,
                        const struct kube_write_request *rq, const char *ns,
                        const char *name, FILE *out, FILE *err)
{
    static const char *const done_words[] = { "annotated", "created",
                                               "deleted" };
    if (cli_open_cluster(m, err))
        return 1;
    const struct model_cluster *c = &m->clusters[m->current];
    struct sent s = { 0 };
    kube_send(c->kube, rq, on_written, &s);
    while (!s.finished)
        if (model_wait(m, NULL, NULL, 0, 1000) < 0)
            break;
    if (!s.finished || s.failed) {
        const char *fix = s.finished ? hint(verb, s.error.code) : NULL;
        output_error(err, "%s serviceaccount %s/%s in cluster %s: %s: %s%s%s",
                     verbs[verb], ns, name, c->name,
                     s.finished ? s.error.code : "Failed",
                     s.finished ? s.error.message : "the request did not "
                     "finish", fix ? "; " : "", fix ? fix : "");
        return 1;
    }
    fprintf(out, "serviceaccount %s/%s %s in cluster %s\n", ns, name,
            done_words[verb], c->name);
    return 0;
}

/* ---- restart --------------------------------------------------------------- */

/* restart serviceaccount NAME -n NS, or NS/NAME as the other verbs take
 * it: patches the pod template of each workload that runs as it. */
static int restart(const struct model_options *model,
                   const struct cli_sa_options *o, const char *arg,
                   FILE *out, FILE *err)
{
    char ns[256], name[256];
    if (!strchr(arg, '/') && model->namespace) {
        snprintf(ns, sizeof(ns), "%s", model->namespace);
        snprintf(name, sizeof(name), "%s", arg);
    } else if (cli_split_name(arg, ns, sizeof(ns), name, sizeof(name)) < 0) {
        return usage_error(err, "restart serviceaccount needs NAME -n "
                           "NAMESPACE, or NAMESPACE/NAME; got \"%s\"", arg);
    }
    struct model m;
    char why[1024], *result = NULL;
    struct model_options mo = *model;
    mo.namespace = ns;
    if (model_init(&m, &mo, why, sizeof(why)) < 0) {
        output_error(err, "%s", why);
        return EXIT_USAGE;
    }
    struct action a = { .kind = ACTION_RESTART_WORKLOADS, .namespace = ns,
                        .service_account = name };
    int rc = cli_open_cluster(&m, err) ? 1
             : cli_action_run(&m, &a, o->dry_run, out, err, &result, NULL);
    if (!rc && !o->dry_run)
        cli_action_put_lines(out, result ? result : "", "");
    if (!rc && !o->dry_run && !result)
        fprintf(out, "no Deployment, StatefulSet or DaemonSet in namespace %s "
                "runs as serviceaccount %s; nothing to restart\n", ns, name);
    free(result);
    model_cleanup(&m);
    return rc;
}

int cli_sa_run(const struct model_options *model,
               const struct cli_sa_options *o, char *const *args, int count,
               FILE *out, FILE *err)
{
    enum sa_verb verb;
    char ns[256], name[256];
    if (!cli_sa_is_command(args, count) || parse_verb(args[0], &verb) < 0)
        return usage_error(err, "expected annotate, create or delete "
                           "serviceaccount%s", "");
    if (count < 3)
        return usage_error(err, "%s serviceaccount needs NAMESPACE/NAME",
                           args[0]);
    if (verb == SA_RESTART)
        return count > 3 ? usage_error(err, "unexpected argument \"%s\"",
                                       args[3])
               : check_options(verb, o, err) ? EXIT_USAGE
               : restart(model, o, args[2], out, err);
    if (cli_split_name(args[2], ns, sizeof(ns), name, sizeof(name)) < 0)
        return usage_error(err, "invalid service account \"%s\": use "
                           "NAMESPACE/NAME", args[2]);
    if (count > 3)
        return usage_error(err, "unexpected argument \"%s\"", args[3]);
    int rc = check_options(verb, o, err);
    if (rc)
        return rc;

    struct kube_write_request rq;
    struct api_error e;
    memset(&e, 0, sizeof(e));
    if (build_request(verb, o, ns, name, &rq, &e) < 0) {
        kube_write_request_cleanup(&rq);
        return usage_error(err, "%s", e.message);
    }
    if (o->dry_run) {
        print_request(&rq, out);
        kube_write_request_cleanup(&rq);
        return 0;
    }
    struct model m;
    char why[1024];
    if (model_init(&m, model, why, sizeof(why)) < 0) {
        output_error(err, "%s", why);
        kube_write_request_cleanup(&rq);
        return EXIT_USAGE;
    }
    rc = send_request(&m, verb, &rq, ns, name, out, err);
    model_cleanup(&m);
    kube_write_request_cleanup(&rq);
    return rc;
}
