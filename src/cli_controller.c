/*
 * albatross install controller. With --dry-run it prints the plan: the
 * IAM steps, then every Kubernetes object to apply, as YAML (the steps as
 * comments, so kubectl can read the output) or as JSON.
 *
 * The region and the VPC id default to the cluster's, from EKS
 * DescribeCluster, as the chart's documentation advises for clusters
 * whose nodes cannot reach instance metadata.
 */
#include "cli_controller.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "../api/aws.h"
#include "../api/buf.h"
#include "../api/eks.h"
#include "../api/http.h"
#include "../api/policy.h"
#include "../api/strutil.h"
#include "json_yaml.h"
#include "lbc_install.h"
#include "lbc_internal.h"
#include "lbc_plan.h"
#include "lbc_policy.h"
#include "lbc_render.h"
#include "output.h"

#define EXIT_USAGE 2
#define POLICY_FILE LBC_POLICY_FILE
/* The JSON plan is printed into a buffer that is wiped afterwards,
 * because it contains the webhook's private key. The buffer doubles up to
 * this size. */
#define JSON_MAX_BYTES (8u << 20)

struct install_options {
    enum lbc_action action;
    struct lbc_options lbc;
    const char *profile;
    const char *policy_file;
    int dry_run;
    int json;
    int readonly;
    long poll_ms;
    long timeout_s;
};

static void usage(FILE *out)
{
    fputs(
"usage: albatross install controller --cluster NAME [options]\n"
"       albatross upgrade controller --cluster NAME --version V [options]\n"
"       albatross uninstall controller --cluster NAME [options]\n"
"\n"
"install creates the controller's IAM policy, the iamserviceaccount stack\n"
"eksctl would create for its service account, and applies every object\n"
"with server-side apply, then waits for the rollout and the webhook.\n"
"With --dry-run it prints the IAM steps and the objects instead. upgrade\n"
"applies the objects of another version; uninstall deletes the objects,\n"
"then the stack and the policy when albatross or eksctl created them.\n"
"\n"
"options:\n"
"  --cluster NAME        EKS cluster to install into (required)\n"
"  --region NAME         its region (default: the AWS session's)\n"
"  --vpc-id ID           --aws-vpc-id of the controller (default: the\n"
"                        cluster's VPC)\n"
"  --version V           controller release (default: " LBC_DEFAULT_VERSION
")\n"
"  --replicas N          controller pods, 1 to 100 (default: 2)\n"
"  --image R, --image-repository R  image without tag (default:\n"
"                        " LBC_DEFAULT_IMAGE_REPOSITORY ")\n"
"  -n, --namespace NS    namespace (default: kube-system)\n"
"  --service-account SA  run as this existing service account instead of\n"
"                        creating aws-load-balancer-controller\n"
"  --identity irsa|pod-identity  how the controller gets AWS credentials\n"
"                        (default: irsa); pod-identity also creates the\n"
"                        eks-pod-identity-agent add-on when it is missing,\n"
"                        and uninstall leaves that add-on in place\n"
"  --role-arn ARN        an existing role to use instead of creating one\n"
"  --policy-file PATH    the controller's IAM policy (default: the one\n"
"                        shipped in data/" POLICY_FILE ")\n"
"  --profile NAME        AWS profile\n"
"  --dry-run             install: print the plan; nothing is changed\n"
"  -o, --output FORMAT   with --dry-run: yaml or json (default: yaml)\n"
"  --readonly            reject the command before any request is sent\n"
"  --timeout SECONDS     for each wait: add-on, CRDs, rollout, webhook\n"
"                        (default: 300)\n"
"  --poll-interval MS    between status reads (default: 2000)\n"
"\n"
"ALBATROSS_DATA_DIR names the directory that contains lbc/iam_policy.json\n"
"when albatross runs away from its source tree.\n",
        out);
}

static int bad_usage(const char *fmt, const char *value)
{
    fputs("albatross: ", stderr);
    fprintf(stderr, fmt, value);
    fputs("; see albatross install --help\n", stderr);
    return EXIT_USAGE;
}

enum { OPT_CLUSTER = 256, OPT_REGION, OPT_VPC_ID, OPT_VERSION, OPT_REPLICAS,
       OPT_IMAGE, OPT_SERVICE_ACCOUNT, OPT_IDENTITY, OPT_ROLE_ARN,
       OPT_POLICY_FILE, OPT_PROFILE, OPT_DRY_RUN, OPT_READONLY, OPT_TIMEOUT,
       OPT_POLL };

static const struct option long_options[] = {
    {"cluster", required_argument, NULL, OPT_CLUSTER},
    {"region", required_argument, NULL, OPT_REGION},
    {"vpc-id", required_argument, NULL, OPT_VPC_ID},
    {"version", required_argument, NULL, OPT_VERSION},
    {"replicas", required_argument, NULL, OPT_REPLICAS},
    {"image-repository", required_argument, NULL, OPT_IMAGE},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"poll-interval", required_argument, NULL, OPT_POLL},
    {"namespace", required_argument, NULL, 'n'},
    {"service-account", required_argument, NULL, OPT_SERVICE_ACCOUNT},
    {"identity", required_argument, NULL, OPT_IDENTITY},
    {"role-arn", required_argument, NULL, OPT_ROLE_ARN},
    {"policy-file", required_argument, NULL, OPT_POLICY_FILE},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A whole number from min to max into *out; -1 for anything else. */
static int parse_number(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (!*text || *end || errno || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int parse_replicas(const char *text, int *out)
{
    long n;
    if (parse_number(text, 1, LBC_MAX_REPLICAS, &n) < 0)
        return -1;
    *out = (int)n;
    return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_option(struct install_options *o, int c)
{
    struct lbc_options *l = &o->lbc;
    switch (c) {
    case OPT_CLUSTER: l->cluster_name = optarg; break;
    case OPT_REGION: l->region = optarg; break;
    case OPT_VPC_ID: l->vpc_id = optarg; break;
    case OPT_VERSION: l->version = optarg; break;
    case OPT_IMAGE: l->image_repository = optarg; break;
    case 'n': l->namespace = optarg; break;
    case OPT_SERVICE_ACCOUNT: l->service_account = optarg; break;
    case OPT_ROLE_ARN: l->role_arn = optarg; break;
    case OPT_POLICY_FILE: o->policy_file = optarg; break;
    case OPT_PROFILE: o->profile = optarg; break;
    case OPT_DRY_RUN: o->dry_run = 1; break;
    case OPT_READONLY: o->readonly = 1; break;
    case OPT_TIMEOUT:
        if (parse_number(optarg, 1, 86400, &o->timeout_s) < 0)
            return bad_usage("invalid --timeout \"%s\": use 1 to 86400 "
                             "seconds", optarg);
        break;
    case OPT_POLL:
        if (parse_number(optarg, 10, 600000, &o->poll_ms) < 0)
            return bad_usage("invalid --poll-interval \"%s\": use 10 to "
                             "600000 milliseconds", optarg);
        break;
    case OPT_REPLICAS:
        if (parse_replicas(optarg, &l->replicas) < 0)
            return bad_usage("invalid replica count \"%s\": use 1 to 100",
                             optarg);
        break;
    case OPT_IDENTITY:
        if (strcmp(optarg, "irsa") == 0)
            l->identity = LBC_IDENTITY_IRSA;
        else if (strcmp(optarg, "pod-identity") == 0)
            l->identity = LBC_IDENTITY_POD_IDENTITY;
        else
            return bad_usage("invalid identity \"%s\": use irsa or "
                             "pod-identity", optarg);
        break;
    case 'o':
        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "yaml") != 0)
            return bad_usage("invalid output format \"%s\": use yaml or "
                             "json", optarg);
        o->json = strcmp(optarg, "json") == 0;
        break;
    case 'h':
        usage(stdout);
        return 0;
    default:
        fputs("see albatross install --help\n", stderr);
        return EXIT_USAGE;
    }
    return -1;
}

static int parse_options(struct install_options *o, int argc, char **argv)
{
    int c;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "hn:o:", long_options, NULL)) != -1) {
        int rc = parse_option(o, c);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return bad_usage("missing the object: add %s", "controller");
    if (strcmp(argv[optind], "controller") != 0)
        return bad_usage("unknown object \"%s\": only the controller is "
                         "installed this way", argv[optind]);
    if (optind + 1 < argc)
        return bad_usage("unexpected argument \"%s\"", argv[optind + 1]);
    return -1;
}

/* ---- the shipped policy ---- */

/* Reads and parses the policy document; fills doc (path borrowed from
 * path) and, unless text_out is NULL, *text_out with the document (the
 * caller frees it). Returns 0, or 1 with the error printed. */
static int load_policy(const struct install_options *o, char *path,
                       size_t len, struct lbc_policy_document *doc,
                       char **text_out)
{
    if (o->policy_file) {
        snprintf(path, len, "%s", o->policy_file);
    } else if (lbc_policy_find(path, len) < 0) {
        output_error(stderr, "the controller's IAM policy %s was not "
                     "found in $ALBATROSS_DATA_DIR or next to albatross: set "
                     "ALBATROSS_DATA_DIR to the directory that contains "
                     "lbc/, or give --policy-file", POLICY_FILE);
        return 1;
    }
    struct buf text;
    char why[128] = "", err[512];
    buf_init(&text, POLICY_MAX_BYTES);
    if (buf_read_file(&text, path, why, sizeof(why)) < 0) {
        output_error(stderr, "cannot read IAM policy %s: %s", path,
                     why[0] ? why : strerror(errno));
        buf_cleanup(&text);
        return 1;
    }
    struct policy p;
    int rc = policy_parse(text.data ? text.data : "", &p, err, sizeof(err));
    if (rc == 0) {
        doc->path = path;
        doc->bytes = text.len;
        doc->statements = p.count;
        doc->shipped = o->policy_file == NULL;
        if (text_out)
            *text_out = strdup(text.data ? text.data : "");
        if (text_out && !*text_out)
            rc = -1;
    } else {
        output_error(stderr, "invalid IAM policy %s: %s", path, err);
    }
    policy_cleanup(&p);
    buf_cleanup(&text);
    return rc == 0 ? 0 : 1;
}

/* ---- the cluster ---- */

struct describe_wait {
    int done;
    struct eks_cluster cluster;
    struct api_error error;
};

static char *copy(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void on_cluster(struct eks_cluster_list *list,
                       const struct api_error *err, void *ctx)
{
    struct describe_wait *w = ctx;
    w->done = 1;
    if (err || !list || list->count != 1) {
        if (err)
            w->error = *err;
        else
            api_error_set(&w->error, "InvalidResponse", "DescribeCluster "
                          "returned no cluster");
        eks_cluster_list_free(list);
        return;
    }
    const struct eks_cluster *c = &list->items[0];
    w->cluster.name = copy(c->name);
    w->cluster.region = copy(c->region);
    w->cluster.arn = copy(c->arn);
    w->cluster.vpc_id = copy(c->vpc_id);
    w->cluster.oidc_issuer = copy(c->oidc_issuer);
    eks_cluster_list_free(list);
}

/* Describes the cluster into w. Returns 0, or 1 with the error printed. */
static int describe_cluster(const struct install_options *o,
                            struct describe_wait *w)
{
    char err[1024];
    struct http_client *http = http_client_new();
    struct aws_session aws;
    struct aws_session_options aws_opt = {
        .profile = o->profile, .region = o->lbc.region, .readonly = 1,
    };
    memset(w, 0, sizeof(*w));
    if (!http || http_client_configure(http, err, sizeof(err)) < 0 ||
        aws_session_init(&aws, http, &aws_opt, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", http ? err : "cannot start the HTTP "
                     "client");
        if (http)
            http_client_free(http);
        return 1;
    }
    eks_describe_cluster(&aws, o->lbc.region, o->lbc.cluster_name,
                         on_cluster, w);
    while (!w->done && http_wait(http, NULL, NULL, 0, 1000) == 0)
        ;
    http_client_free(http);
    aws_session_cleanup(&aws);
    if (!w->done || w->error.code[0]) {
        output_error(stderr, "cannot describe EKS cluster %s: %s: %s",
                     o->lbc.cluster_name,
                     w->done ? w->error.code : "Interrupted",
                     w->done ? w->error.message : "the request did not end");
        return 1;
    }
    return 0;
}

/* ---- printing ---- */

/* Prints root as JSON through a buffer that is wiped afterwards. */
static int print_json(const cJSON *root)
{
    for (size_t size = 64u << 10; size <= JSON_MAX_BYTES; size *= 2) {
        char *text = malloc(size);
        if (!text)
            break;
        int ok = cJSON_PrintPreallocated((cJSON *)root, text, (int)size, 1);
        if (ok) {
            fputs(text, stdout);
            fputc('\n', stdout);
        }
        /* A failed attempt may have written part of the key too. */
        OPENSSL_cleanse(text, size);
        free(text);
        if (ok)
            return 0;
    }
    output_error(stderr, "the plan does not fit in %u bytes of JSON",
                 JSON_MAX_BYTES);
    return 1;
}

/* Writes one step's parameter as a comment line; objects (trust
 * policies) as compact JSON. */
static void print_step_field(const cJSON *field)
{
    printf("#      %s: ", field->string);
    if (cJSON_IsString(field)) {
        output_put_text(stdout, field->valuestring);
    } else {
        char *text = cJSON_PrintUnformatted(field);
        output_put_text(stdout, text ? text : "?");
        free(text);
    }
    fputc('\n', stdout);
}

static void print_steps_as_comments(const cJSON *steps)
{
    const cJSON *st;
    int n = 0;
    puts("# IAM steps, run before the objects below are applied:");
    cJSON_ArrayForEach(st, steps) {
        const cJSON *field;
        printf("#   %d. %s %s: ", ++n,
               cJSON_GetObjectItemCaseSensitive(st, "service")->valuestring,
               cJSON_GetObjectItemCaseSensitive(st, "operation")->valuestring);
        output_put_text(stdout, cJSON_GetObjectItemCaseSensitive(
            st, "description")->valuestring);
        fputc('\n', stdout);
        cJSON_ArrayForEach(field, st)
            if (strcmp(field->string, "service") != 0 &&
                strcmp(field->string, "operation") != 0 &&
                strcmp(field->string, "description") != 0)
                print_step_field(field);
    }
    puts("# Kubernetes objects, in the order to apply them:");
}

static int print_yaml(const cJSON *steps, const cJSON *objects)
{
    char err[256];
    print_steps_as_comments(steps);
    if (json_yaml_write(stdout, objects, err, sizeof(err)) < 0) {
        output_error(stderr, "%s", err);
        return 1;
    }
    return 0;
}

static int print_plan(const struct install_options *o, cJSON *steps,
                      cJSON *objects)
{
    if (!o->json)
        return print_yaml(steps, objects);
    cJSON *root = lbc_new_object();
    lbc_put_string(root, "cluster", o->lbc.cluster_name);
    lbc_put_string(root, "region", o->lbc.region);
    lbc_put(root, "vpcId", o->lbc.vpc_id ? cJSON_CreateString(o->lbc.vpc_id)
                                         : cJSON_CreateNull());
    lbc_put_string(root, "version", o->lbc.version);
    lbc_put(root, "iamSteps", steps);
    lbc_put(root, "objects", objects);
    int rc = print_json(root);
    cJSON_DetachItemViaPointer(root, steps);
    cJSON_DetachItemViaPointer(root, objects);
    cJSON_Delete(root);
    return rc;
}

/* ---- the command ---- */

static int plan(struct install_options *o, const struct eks_cluster *c,
                const struct lbc_policy_document *policy)
{
    char err[1024];
    struct lbc_cluster_info info = {
        .arn = c->arn, .oidc_issuer = c->oidc_issuer,
    };
    cJSON *steps = lbc_plan_iam(&o->lbc, &info, policy, err, sizeof(err));
    if (!steps) {
        output_error(stderr, "%s", err);
        return 1;
    }
    cJSON *objects = lbc_render(&o->lbc, err, sizeof(err));
    if (!objects) {
        output_error(stderr, "%s", err);
        cJSON_Delete(steps);
        return 1;
    }
    int rc = print_plan(o, steps, objects);
    cJSON_Delete(steps);
    lbc_objects_free(objects);
    return rc;
}

static int has_version_option(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--version", 9) == 0)
            return 1;
    return 0;
}

/* Carries out install, upgrade or uninstall. */
static int run(struct install_options *o, int version_given)
{
    char policy_path[PATH_MAX];
    struct lbc_policy_document policy;
    char *text = NULL;
    if (o->action == LBC_UPGRADE && !version_given)
        return bad_usage("%s", "upgrade needs --version V, the release to "
                         "upgrade to");
    if (o->lbc.role_arn || o->lbc.service_account)
        /* TODO: attach the policy to an existing role, and annotate an
         * existing service account, instead of the stack's. */
        return bad_usage("%s", "--role-arn and --service-account work with "
                         "--dry-run only for now");
    if (o->action != LBC_UNINSTALL &&
        load_policy(o, policy_path, sizeof(policy_path), &policy, &text))
        return 1;
    const struct lbc_install_request rq = {
        .action = o->action, .lbc = o->lbc, .policy_document = text,
        .policy_path = policy_path,
        .model = { .profile = o->profile, .readonly = o->readonly },
        .poll_ms = o->poll_ms, .timeout_s = o->timeout_s,
    };
    int rc = lbc_install_run(&rq, stdout);
    free(text);
    return rc;
}

static enum lbc_action action_of(const char *verb)
{
    if (strcmp(verb, "upgrade") == 0)
        return LBC_UPGRADE;
    if (strcmp(verb, "uninstall") == 0)
        return LBC_UNINSTALL;
    return LBC_INSTALL;
}

int cli_install(int argc, char **argv)
{
    struct install_options o;
    char err[1024];
    memset(&o, 0, sizeof(o));
    lbc_options_init(&o.lbc);
    o.action = action_of(argc > 0 ? argv[0] : "install");
    o.poll_ms = 2000;
    o.timeout_s = 300;
    int rc = parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;
    if (lbc_options_check(&o.lbc, err, sizeof(err)) < 0)
        return bad_usage("%s", err);
    if (!o.dry_run)
        return run(&o, has_version_option(argc, argv));
    if (o.action != LBC_INSTALL)
        return bad_usage("%s", "--dry-run is for install only");
    char policy_path[PATH_MAX];
    struct lbc_policy_document policy;
    if (load_policy(&o, policy_path, sizeof(policy_path), &policy, NULL))
        return 1;
    struct describe_wait w;
    if (describe_cluster(&o, &w))
        return 1;
    if (!o.lbc.region)
        o.lbc.region = w.cluster.region;
    if (!o.lbc.vpc_id)
        o.lbc.vpc_id = w.cluster.vpc_id;
    rc = plan(&o, &w.cluster, &policy);
    eks_cluster_cleanup(&w.cluster);
    /* A full disk or a closed pipe must not pass for a complete plan. */
    if (fflush(stdout) == EOF || ferror(stdout)) {
        output_error(stderr, "writing the plan failed: %s", strerror(errno));
        rc = rc ? rc : 1;
    }
    return rc;
}
