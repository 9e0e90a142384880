/*
 * albatross get podidentityassociations, create podidentityassociation
 * and delete podidentityassociation: EKS Pod Identity, the alternative
 * to IRSA, from the command line. They share the AWS session and event
 * loop of the IAM commands (cli_iam.h). --dry-run prints the request
 * and sends no change; delete still lists the associations to find the
 * one to delete.
 */
#include "cli_podid.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../api/eks_pod_identity.h"
#include "../api/kube.h"
#include "../api/log.h"
#include "action.h"
#include "cli.h"
#include "cli_iam.h"
#include "cli_sa.h"
#include "files.h"
#include "output.h"

#define EXIT_USAGE 2

enum { OPT_SERVICE_ACCOUNT = CLI_IAM_OPT_OWN, OPT_ROLE_ARN };

static const struct option options[] = {
    CLI_IAM_COMMON_OPTIONS,
    {"service-account", required_argument, NULL, OPT_SERVICE_ACCOUNT},
    {"role-arn", required_argument, NULL, OPT_ROLE_ARN},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
"usage: albatross get podidentityassociations --cluster NAME\n"
"                 [-n NS] [--service-account SA] [-o table|json|yaml]\n"
"       albatross create podidentityassociation --cluster NAME\n"
"                 --namespace NS --service-account SA --role-arn ARN\n"
"                 [--dry-run]\n"
"       albatross delete podidentityassociation --cluster NAME\n"
"                 --namespace NS --service-account SA [--dry-run]\n"
"\n"
"An EKS Pod Identity association gives the pods of service account NS/SA\n"
"the IAM role ARN through the EKS Pod Identity agent (the\n"
"eks-pod-identity-agent add-on), without an OIDC provider. The role's\n"
"trust policy must let the service principal pods.eks.amazonaws.com call\n"
"sts:AssumeRole and sts:TagSession. podidentityassociation may be\n"
"shortened to pia.\n"
"\n"
"options:\n"
"  --cluster NAME       the EKS cluster (required)\n"
"  -n, --namespace NS   the service account's namespace; with get, a\n"
"                       filter\n"
"  --service-account SA the service account's name; with get, a filter\n"
"  --role-arn ARN       the IAM role to give the service account\n"
"  -o, --output FORMAT  get: table, json or yaml (default: table)\n"
"  --dry-run            print the request that would change the account\n"
"                       and send none; delete still lists the cluster's\n"
"                       associations to find the one to delete\n"
"  --profile NAME       AWS profile (default: $AWS_PROFILE, then default)\n"
"  --region NAME        the cluster's region (default: the profile's)\n"
"  --readonly           reject every call that would change something\n"
"  --log PATH, --debug  as for albatross --help\n";

struct podid {
    struct cli_iam c;            /* session, loop, common options */
    const char *role_arn;
    enum cli_format format;
    int get;                     /* the verb is get */
};

static const struct output_column columns[] = {
    {"namespace", "NAMESPACE", 0},
    {"serviceAccount", "SERVICE ACCOUNT", 0},
    {"roleArn", "ROLE ARN", 0},
    {"associationId", "ASSOCIATION ID", 0},
    {"created", "CREATED", 0},
    {"cluster", NULL, 0},
    {"associationArn", NULL, 0},
    {"modified", NULL, 0},
    {"ownerArn", NULL, 0},
};

static int is_noun(const char *s)
{
    return !strcmp(s, "podidentityassociation") ||
           !strcmp(s, "podidentityassociations") || !strcmp(s, "pia");
}

int cli_podid_is_command(int argc, char **argv)
{
    const char *verb, *noun;
    cli_iam_find_command(argc, argv, options, "no", &verb, &noun);
    return verb && noun && is_noun(noun) &&
           (!strcmp(verb, "get") || !strcmp(verb, "create") ||
            !strcmp(verb, "delete"));
}

static int usage_error(struct podid *p, const char *fmt, const char *value)
{
    char message[1024];
    snprintf(message, sizeof(message), fmt, value);
    output_error(p->c.err, "%s; see albatross %s podidentityassociation "
                 "--help", message, p->c.verb ? p->c.verb : "get");
    return EXIT_USAGE;
}

/* Returns -1 to go on, or an exit status. */
static int take_option(struct podid *p, int opt)
{
    struct cli_iam *c = &p->c;
    if (cli_iam_take_common(c, opt, optarg))
        return -1;
    switch (opt) {
    case OPT_SERVICE_ACCOUNT: c->serviceaccount = optarg; break;
    case OPT_ROLE_ARN: p->role_arn = optarg; break;
    case 'o':
        if (cli_parse_format(optarg, &p->format) < 0)
            return usage_error(p, "invalid output format \"%s\": use table, "
                               "json or yaml", optarg);
        break;
    case 'h':
        fputs(usage_text, c->out);
        return 0;
    default:
        /* getopt has printed what was wrong. */
        fputs("see albatross get podidentityassociations --help\n", c->err);
        return EXIT_USAGE;
    }
    return -1;
}

/* The combinations each verb takes; returns -1 to go on, or
 * EXIT_USAGE. */
static int check_options(struct podid *p)
{
    struct cli_iam *c = &p->c;
    if (!c->cluster)
        return usage_error(p, "%s podidentityassociation needs --cluster "
                           "NAME", c->verb);
    if (c->namespace && !kube_valid_namespace(c->namespace))
        return usage_error(p, "invalid --namespace \"%s\": use lower-case "
                           "letters, digits and '-'", c->namespace);
    if (p->get && (p->role_arn || c->dry_run))
        return usage_error(p, "get podidentityassociations takes no "
                           "--role-arn or --dry-run%s", "");
    if (!p->get && (!c->namespace || !c->serviceaccount))
        return usage_error(p, "%s podidentityassociation needs --namespace "
                           "NS and --service-account SA", c->verb);
    if (!strcmp(c->verb, "create") && !p->role_arn)
        return usage_error(p, "create podidentityassociation needs "
                           "--role-arn ARN%s", "");
    if (!strcmp(c->verb, "delete") && p->role_arn)
        return usage_error(p, "delete podidentityassociation takes no "
                           "--role-arn%s", "");
    if (p->role_arn && !action_valid_role_arn(p->role_arn))
        return usage_error(p, "invalid --role-arn \"%s\": use "
                           "arn:aws:iam::ACCOUNT_ID:role/NAME", p->role_arn);
    return -1;
}

static int parse(struct podid *p, int argc, char **argv)
{
    int opt;
    cli_iam_find_command(argc, argv, options, "no", &p->c.verb, &p->c.noun);
    p->get = p->c.verb && !strcmp(p->c.verb, "get");
    optind = 1;
    opterr = 1;
    while ((opt = getopt_long(argc, argv, "hn:o:", options, NULL)) != -1) {
        int rc = take_option(p, opt);
        if (rc >= 0)
            return rc;
    }
    /* Arguments left: VERB NOUN. */
    if (argc - optind > 2)
        return usage_error(p, "unexpected argument \"%s\"",
                           argv[optind + 2]);
    return check_options(p);
}

/* ---- get ---- */

struct listed {
    int done;
    int failed;
    struct api_error err;
    struct eks_pod_identity_list *list;
};

static void on_listed(struct eks_pod_identity_list *list,
                      const struct api_error *err, void *ctx)
{
    struct listed *l = ctx;
    l->done = 1;
    l->failed = err != NULL;
    if (err)
        l->err = *err;
    l->list = list;
}

static void print_list(struct podid *p,
                       const struct eks_pod_identity_list *list)
{
    struct output_table t;
    output_init(&t, columns, sizeof(columns) / sizeof(columns[0]));
    for (size_t i = 0; i < list->count; i++) {
        const struct eks_pod_identity *a = &list->items[i];
        const char *row[] = {
            a->namespace, a->service_account, a->role_arn,
            a->association_id, a->created_at, a->cluster_name,
            a->association_arn, a->modified_at, a->owner_arn,
        };
        output_add_row(&t, row);
    }
    if (p->format == CLI_JSON)
        output_print_json(&t, p->c.out);
    else if (p->format == CLI_YAML)
        output_print_yaml(&t, p->c.out);
    else
        output_print_table(&t, p->c.out);
    output_cleanup(&t);
}

/* Lists the cluster's associations that match the options' namespace
 * and service account into *l; returns 0 or 1 after printing why. */
static int list_associations(struct podid *p, struct listed *l)
{
    struct cli_iam *c = &p->c;
    const struct eks_pod_identity_filter filter = {
        c->namespace, c->serviceaccount,
    };
    eks_list_pod_identities(&c->aws, c->region, c->cluster, &filter,
                            on_listed, l);
    if (cli_iam_wait(c, &l->done))
        return 1;
    if (l->failed) {
        cli_iam_fail(c, "list pod identity associations", &l->err);
        return 1;
    }
    return 0;
}

static int get(struct podid *p)
{
    struct listed l = {0};
    if (cli_iam_connect(&p->c) || list_associations(p, &l))
        return 1;
    print_list(p, l.list);
    eks_pod_identity_list_free(l.list);
    return 0;
}

/* ---- create and delete ---- */

static void print_request(struct podid *p,
                          const struct eks_pod_identity_request *rq)
{
    fprintf(p->c.out, "EKS %s\n  %s ", rq->operation, rq->method);
    output_put_text(p->c.out, rq->path);
    fputc('\n', p->c.out);
    if (rq->body) {
        fputs("  ", p->c.out);
        output_put_text(p->c.out, rq->body);
        fputc('\n', p->c.out);
    }
    fputs("dry run: nothing was sent\n", p->c.out);
}

struct written {
    int done;
    int failed;
    struct api_error err;
    char id[64];
    char role_arn[2048];
};

static void on_written(const struct eks_pod_identity *a,
                       const struct api_error *err, void *ctx)
{
    struct written *w = ctx;
    w->done = 1;
    w->failed = err != NULL;
    if (err) {
        w->err = *err;
        return;
    }
    snprintf(w->id, sizeof(w->id), "%s", a->association_id);
    snprintf(w->role_arn, sizeof(w->role_arn), "%s",
             a->role_arn ? a->role_arn : "-");
}

/* The fix to suggest for EKS's usual refusals, or NULL. */
static const char *hint(const char *verb, const char *code,
                        const char *message)
{
    if (!strcmp(code, "ResourceInUseException"))
        return "the service account has an association already; see it "
               "with albatross get podidentityassociations, or delete it "
               "first";
    if (!strcmp(code, "ResourceNotFoundException") && !strcmp(verb, "delete"))
        return "list them with albatross get podidentityassociations";
    if (strstr(message, "Trust policy"))
        return "the role's trust policy must let the service principal "
               "pods.eks.amazonaws.com call sts:AssumeRole and "
               "sts:TagSession";
    return NULL;
}

static int report(struct podid *p, const struct written *w)
{
    struct cli_iam *c = &p->c;
    if (w->failed) {
        const char *fix = hint(c->verb, w->err.code, w->err.message);
        output_error(c->err, "%s podidentityassociation %s/%s in cluster "
                     "%s: %s: %s%s%s", c->verb, c->namespace,
                     c->serviceaccount, c->cluster, w->err.code,
                     w->err.message, fix ? "; " : "", fix ? fix : "");
        return 1;
    }
    fprintf(c->out, "podidentityassociation %s %s: ", w->id,
            !strcmp(c->verb, "create") ? "created" : "deleted");
    output_put_text(c->out, c->namespace);
    fputc('/', c->out);
    output_put_text(c->out, c->serviceaccount);
    fputs(" -> ", c->out);
    output_put_text(c->out, w->role_arn);
    fputc('\n', c->out);
    return 0;
}

static int create(struct podid *p)
{
    struct cli_iam *c = &p->c;
    const struct eks_pod_identity_spec spec = {
        .namespace = c->namespace, .service_account = c->serviceaccount,
        .role_arn = p->role_arn,
    };
    if (c->dry_run) {
        struct eks_pod_identity_request rq;
        struct api_error err = {0};
        int rc = eks_pod_identity_create_request(c->cluster, &spec, &rq,
                                                 &err);
        if (rc == 0)
            print_request(p, &rq);
        else
            usage_error(p, "%s", err.message);
        eks_pod_identity_request_cleanup(&rq);
        return rc ? EXIT_USAGE : 0;
    }
    struct written w = {0};
    if (cli_iam_connect(c))
        return 1;
    eks_create_pod_identity(&c->aws, c->region, c->cluster, &spec,
                            on_written, &w);
    return cli_iam_wait(c, &w.done) ? 1 : report(p, &w);
}

static int delete_dry_run(struct podid *p)
{
    struct listed l = {0};
    if (cli_iam_connect(&p->c) || list_associations(p, &l))
        return 1;
    int rc = 0;
    if (l.list->count == 0) {
        output_error(p->c.err, "cluster %s has no pod identity association "
                     "for service account %s/%s", p->c.cluster,
                     p->c.namespace, p->c.serviceaccount);
        rc = 1;
    } else {
        struct eks_pod_identity_request rq;
        struct api_error err = {0};
        if (eks_pod_identity_delete_request(p->c.cluster,
                                            l.list->items[0].association_id,
                                            &rq, &err) == 0)
            print_request(p, &rq);
        else
            rc = usage_error(p, "%s", err.message);
        eks_pod_identity_request_cleanup(&rq);
    }
    eks_pod_identity_list_free(l.list);
    return rc;
}

static int delete(struct podid *p)
{
    struct cli_iam *c = &p->c;
    if (c->dry_run)
        return delete_dry_run(p);
    struct written w = {0};
    if (cli_iam_connect(c))
        return 1;
    eks_delete_pod_identity_for(&c->aws, c->region, c->cluster,
                                c->namespace, c->serviceaccount, on_written,
                                &w);
    return cli_iam_wait(c, &w.done) ? 1 : report(p, &w);
}

int cli_podid_main(int argc, char **argv)
{
    struct podid p = { .c = { .out = stdout, .err = stderr } };
    int rc = parse(&p, argc, argv);
    if (rc >= 0)
        return rc;
    files_open_log(p.c.log_path, p.c.debug);
    log_msg(LOG_INFO, "albatross %s podidentityassociation on %s%s",
            p.c.verb, p.c.cluster, p.c.dry_run ? " (dry run)" : "");
    if (p.get)
        rc = get(&p);
    else if (!strcmp(p.c.verb, "create"))
        rc = create(&p);
    else
        rc = delete(&p);
    if (p.c.connected)
        aws_session_cleanup(&p.c.aws);
    if (p.c.http)
        http_client_free(p.c.http);
    return rc;
}
